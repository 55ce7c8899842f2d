import type { RunOverrides } from '../engine/compile.js';
import { compileSystem, runSources } from '../engine/compile.js';
import type { StopSignal } from '../engine/explore.js';
import { reportDiagnostics, runLabel, statusText } from '../engine/report-diagnostics.js';
import type { RunReport } from '../engine/run-check.js';
import { runCheck } from '../engine/run-check.js';
import { sampleTrace } from '../engine/sample-trace.js';
import type { RunSource } from '../engine/system.js';
import { analyzeText } from '../language/analyze.js';
import type { CheckedModel } from '../language/check/model.js';
import type { Diagnostic, RelatedInfo } from '../language/diagnostic.js';
import { LineIndex, type Span } from '../language/span.js';
import { lexFtp } from '../language/syntax/lexer.js';
import { Protocol } from '../language/syntax/tokens.js';
import type { CellDiagnostic, NotebookRun, NotebookTrace, NotebookVerdicts, VerdictResult } from '../protocol/notebook.js';
import { traceWindow } from '../render/trace-window.js';
import type { CellOutput, Notebook, NotebookCell } from './format.js';
import { traceOutput, verdictsOutput } from './outputs.js';

/**
 * Runs notebook cells the way a kernel would. A protocol cell (one that starts
 * with `protocol NAME`) starts a fresh kernel; every `ftp` cell below it adds
 * to that protocol. Running cell k analyses the protocol cell and the `ftp`
 * cells after it, up to and including k, joined in order, so each cell sees the
 * definitions above it and none below. It then runs the checks and scenarios
 * declared in cell k itself (for the protocol cell: all of its runs, or a
 * default exploration when it declares none). Pure: time, limits and stopping
 * come in as values.
 */

/** What the runner needs of a cell. */
export type KernelCell = Pick<NotebookCell, 'kind' | 'language' | 'source'>;

/** The language of protocol cells. */
export const ftpLanguage = 'ftp';

export function isFtpCell(cell: KernelCell): boolean {
  return cell.kind === 'code' && cell.language === ftpLanguage;
}

/** Whether a cell starts a protocol (its first token is `protocol`). */
export function isProtocolCell(cell: KernelCell): boolean {
  if (!isFtpCell(cell)) return false;
  return lexFtp(cell.source).tokens[0]?.tokenType === Protocol;
}

/** Where one cell's source sits in the joined text. */
export interface CellRange {
  /** 0-based index of the cell in the notebook. */
  cell: number;
  start: number;
  end: number;
}

/** The text a cell runs in: its protocol's cells joined, and where each cell is. */
export interface CellContext {
  text: string;
  ranges: CellRange[];
  /** Whether the context starts with a protocol cell (otherwise it is the cell alone). */
  hasProtocol: boolean;
}

/** The context of cell `index` (an `ftp` cell): from the nearest protocol cell at or above it, down to it. */
export function cellContext(cells: readonly KernelCell[], index: number): CellContext {
  let first = index;
  while (first >= 0 && !(isProtocolCell(cells[first]!))) first--;
  const hasProtocol = first >= 0;
  if (!hasProtocol) first = index;
  const ranges: CellRange[] = [];
  let text = '';
  for (let k = first; k <= index; k++) {
    const cell = cells[k]!;
    if (!isFtpCell(cell)) continue;
    // A newline between cells, so the last token of one never runs into the first of the next.
    if (ranges.length > 0) text += '\n';
    ranges.push({ cell: k, start: text.length, end: text.length + cell.source.length });
    text += cell.source;
  }
  return { text, ranges, hasProtocol };
}

/** The cell an offset of the joined text belongs to, and the offset inside that cell. */
export function locateOffset(context: CellContext, offset: number): { cell: number; offset: number } {
  let best = context.ranges[0]!;
  for (const r of context.ranges) {
    if (r.start <= offset) best = r;
    else break;
  }
  return { cell: best.cell, offset: Math.max(0, Math.min(offset, best.end) - best.start) };
}

/** A span of the joined text, as a cell and a span inside that cell. */
export function locateSpan(context: CellContext, span: Span): { cell: number; span: Span } {
  const start = locateOffset(context, span.start);
  const range = context.ranges.find((r) => r.cell === start.cell)!;
  const end = Math.max(span.start, Math.min(span.end, range.end)) - range.start;
  return { cell: start.cell, span: { start: start.offset, end: Math.max(start.offset, end) } };
}

/** A diagnostic placed in the cell it is about, with its span (and related spans) inside that cell. */
export interface CellPlacedDiagnostic {
  cell: number;
  diagnostic: Diagnostic;
  related: { cell: number; info: RelatedInfo }[];
}

export function placeDiagnostic(context: CellContext, d: Diagnostic): CellPlacedDiagnostic {
  const at = locateSpan(context, d.span);
  return {
    cell: at.cell,
    diagnostic: { ...d, span: at.span, related: [] },
    related: d.related.map((r) => {
      const where = locateSpan(context, r.span);
      return { cell: where.cell, info: { ...r, span: where.span } };
    }),
  };
}

/** Caps on the file's own bounds (a notebook's settings never raise them). */
export interface RunLimits {
  maxStates?: number;
  maxDepth?: number;
}

export interface CellRunOptions {
  now: () => number;
  /** Milliseconds each check or scenario may take. */
  timeBudgetMs: number;
  stop?: StopSignal;
  limits?: RunLimits;
  maxMemoryBytes?: number;
  memoryUsed?: () => number;
  /** Seed and length of the sample run shown for a scenario that violates nothing. */
  sampleSeed?: number;
  sampleSteps?: number;
}

/** What running one cell produced. */
export interface CellRun {
  cell: number;
  /** The outputs to store on the cell: the verdict table, then one per trace. */
  outputs: CellOutput[];
  verdicts: NotebookVerdicts;
  traces: NotebookTrace[];
  /** Every diagnostic of the context, each placed in its own cell (for squiggles in the editor). */
  diagnostics: CellPlacedDiagnostic[];
  /** The cells (0-based) the run analysed: the protocol cell down to this one. */
  contextCells: number[];
  /** No errors in this cell or above, every run compiled and every expectation met. */
  ok: boolean;
  stopped: boolean;
  elapsedMs: number;
}

/** Codes the verdict table already shows as rows: unexpected and expected verdicts, bounds, handler errors. */
const shownInTable = new Set(['FTP401', 'FTP402', 'FTP403', 'FTP404', 'FTP405', 'FTP407']);

function runTitle(report: RunReport): string {
  if (report.runKind === 'default' || report.runKind === 'none') return report.runKind === 'none' ? report.run : 'default exploration';
  return runLabel(report).replace(/^in /, '');
}

function verdictResult(report: RunReport, outcome: 'holds' | 'violated' | 'unknown'): VerdictResult {
  if (outcome !== 'unknown') return outcome;
  if (report.status === 'stopped') return 'stopped';
  if (report.status === 'complete') return 'not violated';
  return 'bound reached';
}

/** A run's report as a row group of the verdict table. */
export function notebookRun(report: RunReport): NotebookRun {
  return {
    title: runTitle(report),
    run: report.run,
    kind: report.runKind,
    mode: report.mode,
    status: report.status,
    statusText: report.runKind === 'none' ? 'could not start' : statusText(report),
    states: report.explore?.states ?? null,
    transitions: report.explore?.transitions ?? null,
    depth: report.explore?.depth ?? null,
    simulations: report.simulate?.runs ?? null,
    elapsedMs: Math.round(report.explore?.elapsedMs ?? report.simulate?.elapsedMs ?? 0),
    ok: report.ok,
    verdicts: report.verdicts.map((v) => ({
      property: v.property,
      kind: v.kind,
      result: verdictResult(report, v.outcome),
      expected: v.expected,
      ok: v.ok,
      message: v.message,
      steps: v.trace ? v.trace.steps.length : null,
    })),
  };
}

function cellDiagnostic(placed: CellPlacedDiagnostic, cells: readonly KernelCell[], self: number): CellDiagnostic {
  const index = new LineIndex(cells[placed.cell]!.source);
  const s = index.positionAt(placed.diagnostic.span.start);
  const e = index.positionAt(placed.diagnostic.span.end);
  return {
    severity: placed.diagnostic.severity,
    code: placed.diagnostic.code,
    message: placed.diagnostic.message,
    cell: placed.cell === self ? null : placed.cell + 1,
    line: s.line + 1,
    column: s.character + 1,
    endLine: e.line + 1,
    endColumn: e.character + 1,
  };
}

/** The checks and scenarios cell `index` runs. */
function sourcesOf(model: CheckedModel, context: CellContext, index: number): RunSource[] {
  const range = context.ranges.find((r) => r.cell === index)!;
  const own = runSources(model).filter((s) => s !== null && s.span.start >= range.start && s.span.start < Math.max(range.end, range.start + 1));
  if (own.length > 0) return own;
  // The protocol cell with no runs of its own: a default exploration.
  if (context.hasProtocol && context.ranges[0]!.cell === index && runSources(model)[0] === null) return [null];
  return [];
}

function overridesFor(model: CheckedModel, source: RunSource, limits: RunLimits | undefined): RunOverrides {
  if (!limits || (limits.maxStates === undefined && limits.maxDepth === undefined)) return {};
  const own = compileSystem(model, source).value?.bounds;
  const cap = (mine: number | undefined, limit: number | undefined) => (limit === undefined ? mine : Math.min(mine ?? limit, limit));
  const states = cap(own?.states, limits.maxStates);
  const depth = cap(own?.depth, limits.maxDepth);
  return { bounds: { ...(states !== undefined ? { states } : {}), ...(depth !== undefined ? { depth } : {}) } };
}

/** Runs cell `index` of `cells` (an `ftp` code cell). Never throws on user input. */
export function runCell(cells: readonly KernelCell[], index: number, options: CellRunOptions): CellRun {
  const t0 = options.now();
  const cell = cells[index];
  if (!cell || !isFtpCell(cell)) {
    // Not a protocol cell: nothing to run, nothing to say.
    const verdicts: NotebookVerdicts = { format: 'faultline-verdicts/1', protocol: null, diagnostics: [], runs: [], ok: true, stopped: false, elapsedMs: 0 };
    return { cell: index, outputs: [], verdicts, traces: [], diagnostics: [], contextCells: [], ok: true, stopped: false, elapsedMs: 0 };
  }
  const context = cellContext(cells, index);
  const analysis = analyzeText(context.text);
  const placed = analysis.diagnostics.map((d) => placeDiagnostic(context, d));
  const diagnostics: CellDiagnostic[] = [];
  // This cell's own problems, and the errors of the cells above (which keep this one from running).
  for (const p of placed) {
    // Without a protocol cell above, say that once, instead of the parser's "must start with protocol".
    if (!context.hasProtocol && p.diagnostic.code === 'FTP103') continue;
    if (p.cell === index ? p.diagnostic.severity !== 'hint' : p.diagnostic.severity === 'error') diagnostics.push(cellDiagnostic(p, cells, index));
  }
  if (!context.hasProtocol) {
    diagnostics.unshift({
      severity: 'error',
      code: 'FTP103',
      message: 'no protocol above this cell: start the notebook with a cell that begins with `protocol NAME`; the cells below it add to that protocol',
      cell: null,
      line: 1,
      column: 1,
      endLine: 1,
      endColumn: 1,
    });
  }
  const runs: NotebookRun[] = [];
  const traces: NotebookTrace[] = [];
  let stopped = false;
  const blocked = !context.hasProtocol || analysis.model.hasErrors || analysis.diagnostics.some((d) => d.severity === 'error');
  if (!blocked) {
    const model = analysis.model;
    const sources = { cells: context.ranges.map((r) => ({ cell: r.cell + 1, start: r.start, end: r.end })) };
    for (const source of sourcesOf(model, context, index)) {
      if (options.stop?.stopped) {
        stopped = true;
        break;
      }
      const overrides = overridesFor(model, source, options.limits);
      const report = runCheck(model, source, {
        now: options.now,
        timeBudgetMs: options.timeBudgetMs,
        overrides,
        ...(options.stop ? { stop: options.stop } : {}),
        ...(options.maxMemoryBytes !== undefined ? { maxMemoryBytes: options.maxMemoryBytes } : {}),
        ...(options.memoryUsed ? { memoryUsed: options.memoryUsed } : {}),
      });
      if (report.status === 'stopped' && report.runKind !== 'none') stopped = true;
      const row = notebookRun(report);
      runs.push(row);
      for (const d of reportDiagnostics(report)) {
        if (shownInTable.has(d.code)) continue;
        const p = placeDiagnostic(context, d);
        placed.push(p);
        if (p.diagnostic.severity !== 'hint') diagnostics.push(cellDiagnostic(p, cells, index));
      }
      for (const v of report.verdicts) {
        if (!v.trace) continue;
        const focus = v.trace.violation?.step ?? v.trace.steps.length;
        traces.push({
          format: 'faultline-notebook-trace/1',
          title: `${v.property} ${v.outcome} ${runLabel(report)}${v.ok ? ' (as expected)' : ''}`,
          run: report.run,
          property: v.property,
          ok: v.ok,
          message: v.message,
          trace: v.trace,
          sources: sources.cells,
          view: { focus, window: traceWindow(v.trace, focus, null) },
        });
      }
      // A scenario that violates nothing still tells a story: show one run of it.
      if (source?.kind === 'ScenarioDecl' && !report.verdicts.some((v) => v.trace) && report.runKind !== 'none' && !stopped) {
        const seed = options.sampleSeed ?? 1;
        const trace = sampleTrace(model, source, overrides, seed, options.sampleSteps ?? 200);
        if (trace) {
          traces.push({
            format: 'faultline-notebook-trace/1',
            title: `a run of scenario ${report.run} (seed ${seed})`,
            run: report.run,
            property: null,
            ok: true,
            message: `a random run of scenario ${report.run} with seed ${seed}`,
            trace,
            sources: sources.cells,
            // No step is singled out in a plain run: focus 0 (the initial state) boxes none.
            view: { focus: 0, window: traceWindow(trace, 0, null) },
          });
        }
      }
      if (stopped) break;
    }
  }
  const ok = !stopped && !diagnostics.some((d) => d.severity === 'error') && runs.every((r) => r.ok);
  const elapsedMs = Math.round(options.now() - t0);
  const verdicts: NotebookVerdicts = {
    format: 'faultline-verdicts/1',
    protocol: analysis.file.name?.name ?? null,
    diagnostics,
    runs,
    ok,
    stopped,
    elapsedMs,
  };
  const outputs: CellOutput[] = [];
  if (runs.length > 0 || diagnostics.length > 0 || stopped) outputs.push(verdictsOutput(verdicts));
  for (const t of traces) outputs.push(traceOutput(t));
  return { cell: index, outputs, verdicts, traces, diagnostics: placed, contextCells: context.ranges.map((r) => r.cell), ok, stopped, elapsedMs };
}

export interface NotebookRunOptions extends CellRunOptions {
  /** Wall-clock time (ms since the epoch) for the cells' execution summaries. */
  clock: () => number;
  /** Called after each cell, e.g. to report progress. */
  onCell?: (run: CellRun) => void;
}

export interface NotebookRunResult {
  /** The notebook with every `ftp` cell's outputs and execution summary replaced. */
  notebook: Notebook;
  runs: CellRun[];
  ok: boolean;
  stopped: boolean;
}

/** Runs every `ftp` cell from the top, as `faultline notebook run` does. Other cells are left as they are. */
export function runNotebook(notebook: Notebook, options: NotebookRunOptions): NotebookRunResult {
  const cells = notebook.cells.map((c) => ({ ...c }));
  const runs: CellRun[] = [];
  let order = 0;
  let stopped = false;
  for (let k = 0; k < cells.length; k++) {
    if (!isFtpCell(cells[k]!)) continue;
    if (options.stop?.stopped) {
      stopped = true;
      break;
    }
    const startTime = options.clock();
    const run = runCell(cells, k, options);
    const endTime = Math.max(startTime, options.clock());
    runs.push(run);
    cells[k] = { ...cells[k]!, outputs: run.outputs, execution: { order: ++order, success: run.ok, startTime, endTime } };
    options.onCell?.(run);
    if (run.stopped) {
      stopped = true;
      break;
    }
  }
  return { notebook: { ...notebook, cells }, runs, ok: !stopped && runs.every((r) => r.ok), stopped };
}
