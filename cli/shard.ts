import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { describeStep } from '../engine/describe-step.js';
import type { ShardRunOptions } from '../engine/shard-run.js';
import { simulateShard } from '../engine/shard-run.js';
import { swarmShard } from '../engine/shard-swarm.js';
import type { NamedResult } from '../engine/shard-merge.js';
import { mergeShardResults } from '../engine/shard-merge.js';
import { readShardResult } from '../engine/shard-read.js';
import type { ShardOptions, ShardResult, ShardRun, ShardVerdict } from '../engine/shard.js';
import { seedIntervalText, shardMode, shardSeeds } from '../engine/shard.js';
import type { CliArgs } from './args.js';
import type { CliIo } from './main.js';
import { loadProtocol, printErrors, selectSources, writeJsonResult } from './sources.js';

/**
 * `simulate FILE --seed-range A..B --shard k/n`, `explore FILE --bitstate --seed-range A..B
 * --shard k/n` and `merge RESULT.json...`: file IO and words around the core's shard
 * runners and merge (`docs/scale-out.md`).
 */

const maxResultBytes = 512 * 1024 * 1024;

/**
 * Exit 1 only for what no other shard can change: the file does not run, or a property
 * expected to hold was violated. An expected violation this shard did not find may be in
 * another shard's seeds, so only `merge` can call that a failure.
 */
export function simulateShardCommand(args: CliArgs, io: CliIo, options: ShardRunOptions, version: string): number {
  return shardCommand(args, io, options, version, null);
}

/**
 * `explore FILE --bitstate --seed-range A..B`: one bitstate swarm run per seed, each with
 * a filter of `filterBytes` (see `swarmFilterBytes`); exit codes as `simulate`'s shards.
 */
export function swarmShardCommand(args: CliArgs, io: CliIo, options: ShardRunOptions, version: string, filterBytes: number): number {
  return shardCommand(args, io, options, version, filterBytes);
}

/** A simulation shard, or with `filterBytes` a bitstate swarm shard. */
function shardCommand(args: CliArgs, io: CliIo, options: ShardRunOptions, version: string, filterBytes: number | null): number {
  const file = args.files[0]!;
  const range = args.seedRange!;
  const shard = args.shard ?? { index: 1, count: 1 };
  const loaded = loadProtocol(file, io);
  if (!loaded) return 1;
  const { analysis, text } = loaded;
  const sources = selectSources(analysis.model, args);
  if (sources.length === 0) {
    io.stderr(`${file}: error: no ${args.scenario !== null ? `scenario named ${args.scenario}` : `check named ${args.check}`}\n`);
    return 2;
  }
  const params = Object.fromEntries([...args.params].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  // Key order as `readShardResult` gives it back: merge compares options as JSON text.
  const shardOptions: ShardOptions =
    filterBytes === null
      ? { params, steps: args.steps, scenario: args.scenario, check: args.check, symmetry: args.symmetry }
      : {
          mode: 'bitstate',
          params,
          steps: null,
          scenario: args.scenario,
          check: args.check,
          symmetry: args.symmetry,
          bitstate: { filterBytes, depth: args.depth, maxStates: args.maxStates },
        };
  const identity = {
    file,
    contentHash: `sha256:${createHash('sha256').update(text).digest('hex')}`,
    version,
    options: shardOptions,
  };
  const sim = (filterBytes === null ? simulateShard : swarmShard)(analysis.model, sources, identity, range, shard, options);
  const runErrors = sim.diagnostics.filter((d) => d.severity === 'error');
  printErrors(io, file, text, runErrors);
  const block = shardSeeds(range, shard);
  for (const s of sim.statuses) {
    const run = sim.result.runs.find((r) => r.run === s.run);
    const done = run?.seeds[0];
    io.stderr(`${file}: warning: ${s.run} stopped (${s.status}) after ${done ? `seeds ${seedIntervalText(done)}` : 'no seeds'} of ${block ? seedIntervalText(block) : 'none'}; merge will report the rest as missing\n`);
  }
  const json = `${JSON.stringify(sim.result, null, 2)}\n`;
  if (!writeJsonResult(args, io, json)) return 1;
  if (args.format !== 'json' || args.out !== null) io.stdout(resultText(sim.result, `shard ${shard.index}/${shard.count}, seeds ${block ? seedIntervalText(block) : 'none'} of ${seedIntervalText(range)}`));
  const unexpected = sim.result.runs.some((r) => r.verdicts.some((v) => v.outcome === 'violated' && v.expected === 'holds'));
  return runErrors.length > 0 || unexpected ? 1 : 0;
}

/** Exit 2 when the results cannot be merged, else 1 when a verdict is not the expected one (as `simulate`). */
export function mergeCommand(args: CliArgs, io: CliIo): number {
  const inputs: NamedResult[] = [];
  for (const file of args.files) {
    const read = readResult(file);
    if (typeof read === 'string') {
      io.stderr(`${file}: error: ${read}\n`);
      return 2;
    }
    inputs.push({ name: file, result: read });
  }
  const merged = mergeShardResults(inputs, args.allowPartial);
  if (!merged.ok) {
    for (const e of merged.errors) io.stderr(`faultline merge: error: ${e}\n`);
    return 2;
  }
  for (const w of merged.warnings) io.stderr(`faultline merge: warning: ${w}\n`);
  const json = `${JSON.stringify(merged.result, null, 2)}\n`;
  if (!writeJsonResult(args, io, json)) return 1;
  if (args.format !== 'json' || args.out !== null) io.stdout(resultText(merged.result, `${inputs.length} result${inputs.length === 1 ? '' : 's'} merged`, true));
  return merged.result.ok ? 0 : 1;
}

function readResult(file: string): ShardResult | string {
  let text: string;
  try {
    const st = statSync(file);
    if (st.isDirectory()) return 'is a directory, not a shard result';
    if (st.size > maxResultBytes) return `is ${Math.round(st.size / 1024 / 1024)} MB; results over 512 MB are not read`;
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as { code?: string }).code;
    return code === 'ENOENT' ? 'no such file' : `cannot be read (${code ?? String(e)})`;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return 'is not JSON (a shard result from simulate --seed-range or explore --bitstate --seed-range)';
  }
  return readShardResult(json);
}

/** One line per run; with `steps`, an unexpected violation's counterexample follows it, step by step. */
function resultText(result: ShardResult, what: string, steps = false): string {
  const lines: string[] = [];
  for (const run of result.runs) {
    lines.push(`${result.file}: ${runName(run)}: ${coverageText(run)}: ${run.verdicts.every((v) => v.ok) ? 'ok' : 'FAILED'} (${run.verdicts.map(verdictText).join('; ')})`);
    if (!steps) continue;
    for (const v of run.verdicts) {
      if (v.ok || !v.trace) continue;
      // A swarm run's seed replays only with the same filter size; the trace is in the result.
      const replay = shardMode(result.options) === 'simulate' ? ` (replay: ${replayCommand(result, run, v.seed ?? 0)})` : '';
      lines.push(`    ${v.property} at seed ${v.seed}${replay}:`);
      for (const s of v.trace.steps) lines.push(`      ${describeStep(s)}`);
    }
  }
  lines.push(`${result.file}: ${what}: ${result.ok ? 'ok' : 'FAILED'}`);
  return `${lines.join('\n')}\n`;
}

/** Seed s of a range is the run `simulate --seed s --runs 1` makes (`walkSeed`), so this shows the same trace. */
function replayCommand(result: ShardResult, run: ShardRun, seed: number): string {
  const o = result.options;
  const select = run.kind === 'scenario' ? ` --scenario ${run.run}` : run.kind === 'check' && !run.run.startsWith('check ') ? ` --check ${run.run}` : '';
  const params = Object.entries(o.params).map(([k, v]) => ` --param ${k}=${v}`).join('');
  return `faultline simulate ${result.file}${select}${params}${o.steps !== null ? ` --steps ${o.steps}` : ''} --seed ${seed} --runs 1`;
}

function runName(run: ShardRun): string {
  if (run.kind === 'scenario') return `scenario ${run.run}`;
  if (run.kind === 'check') return run.run.startsWith('check ') ? run.run : `check ${run.run}`;
  return run.run;
}

function coverageText(run: ShardRun): string {
  const c = run.coverage;
  const seeds = run.seeds.length > 0 ? run.seeds.map(seedIntervalText).join(', ') : 'none';
  const b = c.bitstate;
  if (b) {
    const best = b.bestSeed !== null ? `, best run (seed ${b.bestSeed}) missed ${(1 - b.bestCoverage).toPrecision(2)} of its states` : '';
    const limited = b.limited > 0 ? `, ${b.limited} cut at the depth bound` : '';
    const unfinished = b.unfinished > 0 ? `, ${b.unfinished} stopped early (state bound or every property violated)` : '';
    return `seeds ${seeds}, ${c.runs} swarm runs, ${b.states.toLocaleString('en-US')} states visited${best}, a state missed by every run: ${b.bestSeed !== null ? b.missedByAll.toPrecision(3) : 'no estimate'}${limited}${unfinished}`;
  }
  return `seeds ${seeds}, ${c.runs} runs, ${c.steps.toLocaleString('en-US')} steps, ${c.terminated} ended`;
}

function verdictText(v: ShardVerdict): string {
  if (v.outcome === 'violated') return `${v.property} violated at seed ${v.seed}${v.ok ? ', as expected' : ' (unexpected)'}`;
  return `${v.property} not violated${v.ok ? '' : ' (unexpected)'}`;
}
