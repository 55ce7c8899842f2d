import { compileSystem, runSources } from '../../engine/compile.js';
import type { StopSignal } from '../../engine/explore.js';
import { runWithTraces } from '../../engine/run-traces.js';
import { sampleTrace } from '../../engine/sample-trace.js';
import type { RunSource } from '../../engine/system.js';
import type { CheckedModel } from '../../language/check/model.js';
import { runNameOf as lensRunName } from '../../language/queries/code-lens.js';
import { LineIndex } from '../../language/span.js';
import type { RunRef, RunTraces, TracesParams, TracesResult } from '../../protocol/lsp.js';

/**
 * The answer to `faultline/traces` computed in the calling process: what the
 * preview uses while no language server answers that request (the server is
 * not built, or is an older one). One core call per run plus a conversion.
 */
export interface LocalTraceOptions {
  now: () => number;
  /** Milliseconds for all runs together; each run gets an equal share of what is left. */
  timeBudgetMs: number;
  /** Caps on a run's states and depth (a file's own lower bound wins). */
  maxStates: number;
  maxDepth: number;
  /** Longest sample run drawn when nothing is violated. */
  sampleSteps: number;
  stop?: StopSignal;
}

/** The name a run goes by, as the engine and the code lenses name it (`check explore` for an unnamed check). */
export function runNameOf(source: RunSource): string {
  return source === null ? 'explore' : lensRunName(source);
}

/** The runs `ref` names (all runs when null): by name, and by position when two share one. */
export function findRuns(model: CheckedModel, text: string, ref: RunRef | null): RunSource[] {
  const all = runSources(model);
  if (ref === null) return all;
  const named = all.filter((s) => runNameOf(s) === ref.name);
  if (named.length <= 1 || !ref.position) return named.slice(0, 1);
  const at = new LineIndex(text).offsetAt(ref.position);
  return [named.find((s) => s !== null && s.span.start <= at && at <= s.span.end) ?? named[0]!];
}

export function localTraces(model: CheckedModel, text: string, uri: string, version: number, params: Omit<TracesParams, 'uri'>, options: LocalTraceOptions): TracesResult {
  if (model.hasErrors) return { uri, version, error: 'The file has errors: fix them to see its runs.', runs: [] };
  const sources = findRuns(model, text, params.run);
  if (sources.length === 0) return { uri, version, error: `There is no scenario or check named '${params.run?.name ?? ''}'.`, runs: [] };
  const runs: RunTraces[] = [];
  const deadline = options.now() + options.timeBudgetMs;
  sources.forEach((source, i) => {
    const share = Math.max(1, (deadline - options.now()) / (sources.length - i));
    const bounds = compileSystem(model, source).value?.bounds;
    runs.push(
      runWithTraces(
        model,
        source,
        {
          now: options.now,
          timeBudgetMs: share,
          ...(options.stop ? { stop: options.stop } : {}),
          ...(params.mode ? { mode: params.mode } : {}),
          overrides: bounds ? { bounds: { states: Math.min(bounds.states, options.maxStates), depth: Math.min(bounds.depth, options.maxDepth) } } : {},
        },
        params.seed ?? bounds?.seed ?? 1,
        Math.min(bounds?.steps ?? options.sampleSteps, options.sampleSteps),
      ),
    );
  });
  const failed = runs.length === 0 ? 'Nothing ran.' : null;
  return { uri, version, error: failed, runs };
}

/** Only the sample run of one run with a given seed (the picker's "Sample run"). */
export function localSample(model: CheckedModel, text: string, uri: string, version: number, run: RunRef, seed: number, sampleSteps: number): TracesResult {
  if (model.hasErrors) return { uri, version, error: 'The file has errors: fix them to see its runs.', runs: [] };
  const source = findRuns(model, text, run)[0];
  if (source === undefined) return { uri, version, error: `There is no scenario or check named '${run.name}'.`, runs: [] };
  const sys = compileSystem(model, source).value;
  if (!sys) return { uri, version, error: `The run '${run.name}' cannot start.`, runs: [] };
  const trace = sampleTrace(model, source, {}, seed, Math.min(sys.bounds.steps, sampleSteps));
  if (!trace) return { uri, version, error: `The run '${run.name}' cannot start.`, runs: [] };
  return {
    uri,
    version,
    error: null,
    runs: [
      {
        run: sys.runName,
        runKind: sys.runKind,
        mode: 'simulate',
        status: 'complete',
        states: null,
        ok: true,
        verdicts: [],
        traces: [{ property: null, ok: true, message: `a sample run (seed ${seed})`, trace }],
      },
    ],
  };
}
