import { writeFileSync } from 'node:fs';
import { totalmem } from 'node:os';
import { performance } from 'node:perf_hooks';
import { analyzeText } from '../language/analyze.js';
import type { Diagnostic } from '../language/diagnostic.js';
import { sortDiagnostics } from '../language/diagnostic.js';
import { LineIndex } from '../language/span.js';
import type { RunOverrides } from '../engine/compile.js';
import { swarmFilterBytes } from '../engine/bitstate-swarm.js';
import { describeStep } from '../engine/describe-step.js';
import { reportDiagnostics, runLabel, statusText } from '../engine/report-diagnostics.js';
import type { RunReport } from '../engine/run-check.js';
import { runCheck, runCheckWith } from '../engine/run-check.js';
import { sampleTrace } from '../engine/sample-trace.js';
import { traceToMermaid } from '../render/mermaid.js';
import { cliWindowStatements, traceWindow } from '../render/trace-window.js';
import { toSarif } from '../render/sarif.js';
import type { CliArgs } from './args.js';
import { parseArgs, usage, UsageError } from './args.js';
import { notebookRun } from './notebook.js';
import { mergeCommand, simulateShardCommand, swarmShardCommand } from './shard.js';
import { loadProtocol, readSource, selectSources } from './sources.js';
import { threadExplorer } from './thread-explorer.js';

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

const version = '0.1.0';

interface FileResult {
  file: string;
  text: string;
  diagnostics: Diagnostic[];
  runs: RunReport[];
  readError: string | null;
}

/** Runs one command line; returns the exit code. Never throws. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  let args: CliArgs;
  try {
    args = parseArgs(argv);
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr(`faultline: ${e.message}\n\n${usage}\n`);
      return 2;
    }
    throw e;
  }
  try {
    return await execute(args, io);
  } catch (e) {
    io.stderr(`faultline: internal error: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
}

async function execute(args: CliArgs, io: CliIo): Promise<number> {
  const overrides: RunOverrides = {
    params: args.params,
    bounds: {
      ...(args.runs !== null ? { runs: args.runs } : {}),
      ...(args.seed !== null ? { seed: args.seed } : {}),
      ...(args.steps !== null ? { steps: args.steps } : {}),
      ...(args.depth !== null ? { depth: args.depth } : {}),
      ...(args.maxStates !== null ? { states: args.maxStates } : {}),
    },
    symmetry: args.symmetry,
  };
  const runOptions = (mode?: 'explore' | 'simulate') => ({
    now: () => performance.now(),
    timeBudgetMs: args.timeMs,
    overrides,
    // The process's resident memory: what the machine runs out of, heap and typed arrays alike.
    memoryUsed: () => process.memoryUsage.rss(),
    maxMemoryBytes: maxMemoryBytes(args),
    bitstate: args.bitstate,
    ...(mode ? { mode } : {}),
  });

  if (args.command === 'diagram') return diagram(args, io, runOptions());
  if (args.command === 'notebook') return notebookRun(args, io, runOptions());
  if (args.command === 'merge') return mergeCommand(args, io);
  if (args.command === 'simulate' && args.seedRange !== null) return simulateShardCommand(args, io, { now: () => performance.now(), timeBudgetMs: args.timeMs, overrides }, version);
  if (args.command === 'explore' && args.seedRange !== null) {
    const filterBytes = swarmFilterBytes(maxMemoryBytes(args), process.memoryUsage.rss());
    return swarmShardCommand(args, io, { now: () => performance.now(), timeBudgetMs: args.timeMs, overrides }, version, filterBytes);
  }

  const results: FileResult[] = [];
  for (const file of args.files) {
    const read = readSource(file);
    if ('error' in read) {
      results.push({ file, text: '', diagnostics: [], runs: [], readError: read.error });
      continue;
    }
    const analysis = analyzeText(read.text);
    const diagnostics = [...analysis.diagnostics];
    const runs: RunReport[] = [];
    if (!analysis.model.hasErrors && !diagnostics.some((d) => d.severity === 'error')) {
      const mode = args.command === 'check' ? undefined : args.command;
      for (const source of selectSources(analysis.model, args)) {
        const options = runOptions(mode);
        const report = args.workers > 1 ? await runCheckWith(analysis.model, source, options, threadExplorer(read.text, analysis.model, source, args)) : runCheck(analysis.model, source, options);
        runs.push(report);
        diagnostics.push(...reportDiagnostics(report));
      }
    }
    results.push({ file, text: read.text, diagnostics: sortDiagnostics(diagnostics), runs, readError: null });
  }

  const failed = results.some((r) => r.readError !== null || r.diagnostics.some((d) => d.severity === 'error') || r.runs.some((x) => !x.ok));
  if (args.format === 'json') io.stdout(`${JSON.stringify({ ...jsonReport(results), memory: memoryReport(args) }, null, 2)}\n`);
  else if (args.format === 'sarif') {
    const sarif = toSarif(
      results.map((r) => ({ uri: r.file, text: r.text, diagnostics: r.diagnostics })),
      version,
    );
    io.stdout(`${JSON.stringify(sarif, null, 2)}\n`);
    for (const r of results) if (r.readError) io.stderr(`${r.file}: error: ${r.readError}\n`);
  } else for (const r of results) io.stdout(textReport(r, args.verbose));
  return failed ? 1 : 0;
}

function position(index: LineIndex, offset: number): { line: number; column: number } {
  const p = index.positionAt(offset);
  return { line: p.line + 1, column: p.character + 1 };
}

function textReport(r: FileResult, verbose: boolean): string {
  if (r.readError) return `${r.file}: error: ${r.readError}\n`;
  const index = new LineIndex(r.text);
  const lines: string[] = [];
  for (const d of r.diagnostics) {
    if (d.severity === 'hint' && !verbose) continue;
    const p = position(index, d.span.start);
    lines.push(`${r.file}:${p.line}:${p.column}: ${d.severity}: ${d.message} [${d.code}]`);
    const unexpected = d.code === 'FTP401' || d.code === 'FTP402' || d.code === 'FTP405';
    if (unexpected && (d.severity === 'error' || verbose)) {
      for (const rel of d.related) {
        const q = position(index, rel.span.start);
        lines.push(`    ${rel.message}  (${r.file}:${q.line}:${q.column})`);
      }
    }
  }
  for (const run of r.runs) {
    lines.push(`${r.file}: ${runLabel(run).replace(/^in /, '')}: ${runSummary(run)}`);
  }
  if (r.diagnostics.length === 0 && r.runs.length === 0) lines.push(`${r.file}: ok`);
  return `${lines.join('\n')}\n`;
}

function runSummary(run: RunReport): string {
  const parts: string[] = [];
  if (run.explore) {
    const e = run.explore;
    parts.push(`${e.states.toLocaleString('en-US')} states, ${e.transitions.toLocaleString('en-US')} transitions, depth ${e.depth}, ${Math.round(e.elapsedMs)} ms`);
    if (e.symmetry) parts.push(e.rawStates !== undefined ? `symmetry reduced from ${e.rawStates.toLocaleString('en-US')} states` : 'symmetry reduced');
    if (e.workers) parts.push(`on ${e.workers} threads`);
  }
  if (run.simulate) {
    const s = run.simulate;
    parts.push(`${s.runs} runs, ${s.steps.toLocaleString('en-US')} steps, ${Math.round(s.elapsedMs)} ms`);
  }
  if (run.status !== 'complete') parts.push(statusText(run));
  const verdicts = run.verdicts.map(
    (v) => `${v.property} ${v.outcome === 'unknown' ? 'not violated' : v.outcome}${v.ok ? (v.outcome === 'violated' ? ', as expected' : '') : ' (unexpected)'}`,
  );
  return `${parts.join(', ')}: ${run.ok ? 'ok' : 'FAILED'}${verdicts.length ? ` (${verdicts.join('; ')})` : ''}`;
}

/** The memory budget and the most the process took (its peak resident size), in bytes. */
function memoryReport(args: CliArgs): { budgetBytes: number; peakBytes: number } {
  return { budgetBytes: maxMemoryBytes(args), peakBytes: process.resourceUsage().maxRSS * 1024 };
}

function maxMemoryBytes(args: CliArgs): number {
  return (args.maxMemoryMb ?? Math.floor(totalmem() / 2 / 1024 / 1024)) * 1024 * 1024;
}

function jsonReport(results: FileResult[]) {
  return {
    version,
    ok: !results.some((r) => r.readError !== null || r.diagnostics.some((d) => d.severity === 'error') || r.runs.some((x) => !x.ok)),
    files: results.map((r) => {
      const index = new LineIndex(r.text);
      return {
        file: r.file,
        error: r.readError,
        diagnostics: r.diagnostics.map((d) => ({
          code: d.code,
          severity: d.severity,
          message: d.message,
          start: position(index, d.span.start),
          end: position(index, d.span.end),
          related: d.related.map((x) => ({ message: x.message, start: position(index, x.span.start), end: position(index, x.span.end) })),
        })),
        runs: r.runs.map((run) => ({
          run: run.run,
          kind: run.runKind,
          mode: run.mode,
          status: run.status,
          ok: run.ok,
          explore: run.explore,
          simulate: run.simulate,
          verdicts: run.verdicts.map((v) => ({
            property: v.property,
            kind: v.kind,
            outcome: v.outcome,
            expected: v.expected,
            ok: v.ok,
            message: v.message,
            seed: v.seed,
            trace: v.trace,
          })),
        })),
      };
    }),
  };
}

function diagram(args: CliArgs, io: CliIo, options: Parameters<typeof runCheck>[2]): number {
  const file = args.files[0]!;
  const loaded = loadProtocol(file, io);
  if (!loaded) return 1;
  const { analysis } = loaded;
  const sources = selectSources(analysis.model, args);
  const wanted = args.scenario ?? args.check;
  const source = wanted !== null ? sources[0] : (sources.find((s) => s?.kind === 'ScenarioDecl') ?? sources[0]);
  if (source === undefined) {
    io.stderr(`${file}: error: no ${args.scenario !== null ? `scenario named ${args.scenario}` : `check named ${args.check}`}\n`);
    return 2;
  }
  const report = runCheck(analysis.model, source, options);
  const violated = report.verdicts.find((v) => v.trace && !v.ok) ?? report.verdicts.find((v) => v.trace);
  const trace = violated?.trace ?? sampleTrace(analysis.model, source, options.overrides ?? {}, args.seed ?? 1, args.steps ?? 200);
  if (!trace) {
    io.stderr(`${file}: error: the run could not be compiled\n`);
    return 1;
  }
  // A long trace is drawn as a window around the violation (or the end), as the preview does.
  // A diagram file is drawn later, elsewhere: it can hold far more than a preview draws at once.
  const window = args.window ?? traceWindow(trace, trace.violation?.step ?? trace.steps.length, null, cliWindowStatements);
  const text = traceToMermaid(trace, window ? { window } : {});
  if (window && !args.window) io.stderr(`${file}: the trace has ${trace.steps.length} steps; drawing steps ${Math.max(1, window.focus - window.radius)}..${Math.min(trace.steps.length, window.focus + window.radius)} (use --window STEP+-K for others)\n`);
  if (args.out) {
    try {
      writeFileSync(args.out, text);
    } catch (e) {
      io.stderr(`${args.out}: error: cannot write (${(e as { code?: string }).code ?? String(e)})\n`);
      return 1;
    }
    io.stdout(`${args.out}: ${trace.steps.length} steps${violated ? `, ${violated.property} ${violated.outcome}` : ''}\n`);
  } else io.stdout(text);
  if (args.verbose) for (const s of trace.steps) io.stderr(`${describeStep(s)}\n`);
  return 0;
}
