import type { CheckedModel } from '../language/check/model.js';
import type { Diagnostic } from '../language/diagnostic.js';
import type { Span } from '../language/span.js';
import type { RunOverrides } from './compile.js';
import { compileSystem, runSources } from './compile.js';
import type { ExploreLimits, ExploreResult, ExploreStats, ExploreStatus, StopSignal, Violation } from './explore.js';
import { exploreStates } from './explore.js';
import { shrinkViolation } from './shrink.js';
import { simulateRuns } from './simulate.js';
import type { RunSource, TransitionSystem } from './system.js';
import type { Trace } from './trace.js';
import { buildTrace } from './trace.js';

export type Outcome = 'holds' | 'violated' | 'unknown';

/** What a run found about one property, judged against what the file expects. */
export interface Verdict {
  property: string;
  kind: 'invariant' | 'eventually' | 'runtime-error';
  outcome: Outcome;
  expected: 'holds' | 'violated';
  /** Whether the outcome is what was expected (`unknown` passes only an expected `holds`). */
  ok: boolean;
  message: string;
  /** The property's declaration (for a handler error: where it failed). */
  span: Span;
  nameSpan: Span;
  expectationSpan: Span | null;
  trace: Trace | null;
  /** The simulation seed of the run that found it. */
  seed: number | null;
}

export interface SimulationStats {
  runs: number;
  steps: number;
  terminated: number;
  elapsedMs: number;
  stepsPerSecond: number;
}

export interface RunReport {
  run: string;
  runKind: TransitionSystem['runKind'] | 'none';
  mode: 'explore' | 'simulate';
  span: Span;
  status: ExploreStatus;
  explore: ExploreStats | null;
  simulate: SimulationStats | null;
  verdicts: Verdict[];
  /** Scripted faults of a scenario that no run reached. */
  unfired: { label: string; span: Span }[];
  /** Problems that kept the run from starting (bad params, too many nodes). */
  diagnostics: Diagnostic[];
  ok: boolean;
}

export interface RunOptions {
  now: () => number;
  /** Milliseconds this run may take. */
  timeBudgetMs: number;
  stop?: StopSignal;
  overrides?: RunOverrides;
  maxMemoryBytes?: number;
  memoryUsed?: () => number;
  /** Past the memory budget, go on as a bitstate search instead of stopping. */
  bitstate?: boolean;
  /** Force a mode regardless of the check (the CLI's `simulate` / `explore`). */
  mode?: 'explore' | 'simulate';
}

/** Compiles and runs one check or scenario, and judges every property. */
export function runCheck(model: CheckedModel, source: RunSource, options: RunOptions): RunReport {
  const run = prepareRun(model, source, options);
  if ('report' in run) return run.report;
  if (run.mode === 'explore') return exploredReport(run, exploreStates(run.sys, exploreLimits(run, options)));
  const { sys } = run;
  const r = simulateRuns(sys, {
    runs: sys.bounds.runs,
    steps: sys.bounds.steps,
    seed: sys.bounds.seed,
    deadline: run.deadline,
    now: options.now,
    ...(options.stop ? { stop: options.stop } : {}),
  });
  const simulate: SimulationStats = {
    runs: r.runs,
    steps: r.steps,
    terminated: r.terminated,
    elapsedMs: r.elapsedMs,
    stepsPerSecond: r.elapsedMs > 0 ? (r.steps / r.elapsedMs) * 1000 : r.steps * 1000,
  };
  return finishReport(run, r.status, r.violations.map((v) => shrinkViolation(sys, v)), r.scriptFired, null, simulate);
}

/** An explorer other than `exploreStates` on this thread: the parallel one. */
export type Explorer = (sys: TransitionSystem, limits: ExploreLimits) => Promise<ExploreResult>;

/** `runCheck`, with explorations done by `explorer` (simulations stay on this thread). */
export async function runCheckWith(model: CheckedModel, source: RunSource, options: RunOptions, explorer: Explorer): Promise<RunReport> {
  const run = prepareRun(model, source, options);
  if ('report' in run) return run.report;
  if (run.mode !== 'explore') return runCheck(model, source, options);
  return exploredReport(run, await explorer(run.sys, exploreLimits(run, options)));
}

interface PreparedRun {
  sys: TransitionSystem;
  mode: 'explore' | 'simulate';
  span: Span;
  deadline: number;
  diagnostics: Diagnostic[];
}

function prepareRun(model: CheckedModel, source: RunSource, options: RunOptions): PreparedRun | { report: RunReport } {
  const compiled = compileSystem(model, source, options.overrides);
  const sys = compiled.value;
  const span = source?.span ?? model.file.span;
  if (!sys) {
    return {
      report: {
        run: source?.name?.name ?? 'explore',
        runKind: 'none',
        mode: 'explore',
        span,
        status: 'stopped',
        explore: null,
        simulate: null,
        verdicts: [],
        unfired: [],
        diagnostics: compiled.diagnostics,
        ok: false,
      },
    };
  }
  return { sys, mode: options.mode ?? sys.mode, span, deadline: options.now() + options.timeBudgetMs, diagnostics: compiled.diagnostics };
}

function exploreLimits(run: PreparedRun, options: RunOptions): ExploreLimits {
  return {
    maxDepth: run.sys.bounds.depth,
    maxStates: run.sys.bounds.states,
    deadline: run.deadline,
    now: options.now,
    ...(options.stop ? { stop: options.stop } : {}),
    ...(options.maxMemoryBytes ? { maxMemoryBytes: options.maxMemoryBytes } : {}),
    ...(options.memoryUsed ? { memoryUsed: options.memoryUsed } : {}),
    ...(options.bitstate ? { bitstate: true } : {}),
  };
}

function exploredReport(run: PreparedRun, r: ExploreResult): RunReport {
  return finishReport(run, r.status, r.violations, r.scriptFired, r.stats, null);
}

function finishReport(
  run: PreparedRun,
  status: ExploreStatus,
  violations: readonly (Violation & { seed?: number })[],
  fired: number,
  explore: ExploreStats | null,
  simulate: SimulationStats | null,
): RunReport {
  const { sys, mode, span } = run;
  const verdicts = judge(sys, mode, status, violations, span);
  const unfired = sys.script
    .filter((e) => !((fired >> e.index) & 1) && e.action.kind !== 'drop')
    .map((e) => ({ label: e.label, span: e.span }));
  return {
    run: sys.runName,
    runKind: sys.runKind,
    mode,
    span,
    status,
    explore,
    simulate,
    verdicts,
    unfired,
    diagnostics: run.diagnostics,
    ok: verdicts.every((v) => v.ok),
  };
}

/**
 * Judges every property of a run against what the file expects, from the violations
 * the run found (at most one per property; a handler error is the property `handler error`).
 */
export function judge(sys: TransitionSystem, mode: 'explore' | 'simulate', status: ExploreStatus, violations: readonly (Violation & { seed?: number })[], runSpan: Span): Verdict[] {
  const expected = new Map(sys.expectations.map((e) => [e.property, e]));
  const verdicts: Verdict[] = sys.properties.map((p) => {
    const v = violations.find((x) => x.property === p.name);
    const exp = expected.get(p.name);
    const outcome: Outcome = v ? 'violated' : mode === 'explore' && status === 'complete' ? 'holds' : 'unknown';
    const want = exp?.outcome ?? 'holds';
    return {
      property: p.name,
      kind: p.kind,
      outcome,
      expected: want,
      ok: want === 'holds' ? outcome !== 'violated' : outcome === 'violated',
      message: v ? v.message : outcome === 'holds' ? `${p.name} holds` : `${p.name} was not violated, but the search was not exhaustive (${status})`,
      span: p.span,
      nameSpan: p.nameSpan,
      expectationSpan: exp?.span ?? null,
      trace: v
        ? buildTrace(sys, v.initial, v.path, {
            property: p.name,
            kind: p.kind,
            message: v.message,
            span: p.span,
            ...(v.loopStart !== undefined ? { loopStart: v.loopStart } : {}),
          })
        : null,
      seed: v?.seed ?? null,
    };
  });
  const handlerError = violations.find((v) => v.kind === 'runtime-error');
  if (handlerError) {
    const trace = buildTrace(sys, handlerError.initial, handlerError.path, null);
    const failing = trace.steps[trace.steps.length - 1]?.error;
    const where = failing?.span ?? runSpan;
    trace.violation = { property: 'handler error', kind: 'runtime-error', message: handlerError.message, step: trace.steps.length, span: where };
    verdicts.push({
      property: 'handler error',
      kind: 'runtime-error',
      outcome: 'violated',
      expected: 'holds',
      ok: false,
      message: handlerError.message,
      span: where,
      nameSpan: where,
      expectationSpan: null,
      trace,
      seed: handlerError.seed ?? null,
    });
  }
  return verdicts;
}

/** Runs every check and scenario of a file (or one default exploration). */
export function runAllChecks(model: CheckedModel, options: RunOptions): RunReport[] {
  return runSources(model).map((source) => runCheck(model, source, options));
}
