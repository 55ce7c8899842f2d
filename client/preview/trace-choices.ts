import type { Trace } from '../../engine/trace.js';
import type { TracesResult } from '../../protocol/lsp.js';
import type { PreviewRun, PreviewSelection, PreviewTrace } from '../../protocol/webview.js';

/**
 * Which traces the preview offers and which one it shows. Pure: used by the
 * extension host (to turn a `faultline/traces` answer into picker entries) and
 * by the webview (to keep the user's choice across edits).
 */

/** Stable across re-runs: the run (made unique) and the property, or `sample`. */
export function traceId(run: string, property: string | null): string {
  return `${run}::${property ?? 'sample'}`;
}

/**
 * The picker's data from a traces answer. Two runs of the same name (two unnamed
 * `check explore`) get `#2`, `#3` so their ids stay apart. `seeds` gives the seed of
 * each run's sample trace when the host asked for one.
 */
export function previewData(result: TracesResult, seeds: ReadonlyMap<string, number> = new Map()): { runs: PreviewRun[]; traces: PreviewTrace[] } {
  const runs: PreviewRun[] = [];
  const traces: PreviewTrace[] = [];
  const seen = new Map<string, number>();
  for (const r of result.runs) {
    const n = (seen.get(r.run) ?? 0) + 1;
    seen.set(r.run, n);
    const run = n === 1 ? r.run : `${r.run} #${n}`;
    runs.push({
      run,
      runKind: r.runKind,
      mode: r.mode,
      status: r.status,
      ok: r.ok,
      verdicts: r.verdicts.map((v) => `${v.property}: ${v.outcome}${v.ok ? '' : ` (expected ${v.expected})`}`),
    });
    for (const t of r.traces) {
      traces.push({
        id: traceId(run, t.property),
        run,
        runKind: r.runKind,
        property: t.property,
        ok: t.ok,
        message: t.message,
        seed: t.property === null ? (seeds.get(r.run) ?? null) : null,
        trace: t.trace,
      });
    }
  }
  return { runs, traces };
}

/** The picker's text for a trace: `CoordinatorCrashStop: Termination violated (expected), 1 step`. */
export function traceLabel(t: PreviewTrace): string {
  const steps = `${t.trace.steps.length} step${t.trace.steps.length === 1 ? '' : 's'}`;
  if (t.property === null) return `${t.run}: sample run${t.seed !== null ? ` (seed ${t.seed})` : ''}, ${steps}`;
  return `${t.run}: ${t.property} violated (${t.ok ? 'expected' : 'unexpected'}), ${steps}`;
}

/**
 * The trace to show: the one asked for, else the first of the run asked for,
 * else the one on screen (a re-run after an edit keeps it), else the first
 * unexpected counterexample, else the first counterexample, else the first trace.
 */
export function chooseTrace(traces: readonly PreviewTrace[], select: PreviewSelection, current: string | null): PreviewTrace | null {
  const byId = (id: string | null) => (id === null ? undefined : traces.find((t) => t.id === id));
  return (
    byId(select.trace) ??
    (select.run !== null ? traces.find((t) => t.run === select.run && t.property !== null) ?? traces.find((t) => t.run === select.run) : undefined) ??
    byId(current) ??
    traces.find((t) => t.property !== null && !t.ok) ??
    traces.find((t) => t.property !== null) ??
    traces[0] ??
    null
  );
}

/** The step to show first: the violating one, else the initial state. */
export function initialStep(trace: Trace): number {
  return trace.violation ? Math.min(trace.violation.step, trace.steps.length) : 0;
}

/** Keeps a step inside a trace: 0 (the initial state) to its last step. */
export function clampStep(trace: Trace, step: number): number {
  if (!Number.isFinite(step)) return 0;
  return Math.max(0, Math.min(trace.steps.length, Math.trunc(step)));
}

/** Replaces the sample trace of one run (a new seed) and keeps everything else. */
export function withSample(traces: readonly PreviewTrace[], sample: PreviewTrace): PreviewTrace[] {
  const out = [...traces];
  const same = out.findIndex((t) => t.id === sample.id);
  if (same >= 0) {
    out[same] = sample;
    return out;
  }
  // After the run's other traces, or at the end for a run not shown yet.
  let end = out.findIndex((t) => t.run === sample.run);
  if (end < 0) end = out.length;
  else while (end < out.length && out[end]!.run === sample.run) end++;
  out.splice(end, 0, sample);
  return out;
}
