import type { CheckedModel } from '../language/check/model.js';
import type { RunTrace, RunTraces } from '../protocol/lsp.js';
import type { RunOptions } from './run-check.js';
import { runCheck } from './run-check.js';
import { sampleTrace } from './sample-trace.js';
import type { RunSource } from './system.js';

/**
 * One run with everything a timeline needs: its verdicts, the trace of every
 * violation, and — when nothing was violated — a seeded sample run to look at.
 * The language server's worker and the extension's fallback both answer
 * `faultline/traces` with this.
 */
export function runWithTraces(model: CheckedModel, source: RunSource, options: RunOptions, seed: number, sampleSteps: number): RunTraces {
  const report = runCheck(model, source, options);
  const traces: RunTrace[] = report.verdicts.flatMap((v) => (v.trace ? [{ property: v.property, ok: v.ok, message: v.message, trace: v.trace }] : []));
  if (traces.length === 0 && report.runKind !== 'none') {
    const sample = sampleTrace(model, source, options.overrides ?? {}, seed, sampleSteps);
    if (sample) traces.push({ property: null, ok: report.ok, message: `a sample run (seed ${seed}): no property was violated`, trace: sample });
  }
  return {
    run: report.run,
    runKind: report.runKind,
    mode: report.mode,
    status: report.status,
    states: report.explore?.states ?? report.simulate?.runs ?? null,
    ok: report.ok,
    verdicts: report.verdicts.map((v) => ({ property: v.property, kind: v.kind, outcome: v.outcome, expected: v.expected, ok: v.ok, message: v.message })),
    traces,
  };
}
