import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { analyzeText } from '../../language/analyze.js';
import type { CheckedModel } from '../../language/check/model.js';
import type { RunOverrides } from '../../engine/compile.js';
import { compileSystem } from '../../engine/compile.js';
import type { RunOptions } from '../../engine/run-check.js';
import type { RunSource, TransitionSystem } from '../../engine/system.js';

/** Parses and checks a protocol that must be free of errors. */
export function modelOf(text: string): CheckedModel {
  const { model, diagnostics } = analyzeText(text);
  const errors = diagnostics.filter((d) => d.severity === 'error');
  assert.deepEqual(
    errors.map((d) => `${d.code} ${d.message} @${d.span.start}`),
    [],
    'the test protocol must be free of errors',
  );
  return model;
}

/** Compiles a protocol's first check (or the default run). */
export function systemOf(text: string, overrides: RunOverrides = {}, pick: (m: CheckedModel) => RunSource = (m) => m.checks[0] ?? null): TransitionSystem {
  const model = modelOf(text);
  const compiled = compileSystem(model, pick(model), overrides);
  assert.ok(compiled.value, compiled.diagnostics.map((d) => d.message).join('; '));
  return compiled.value;
}

export const unlimited = {
  maxDepth: 10_000,
  maxStates: 5_000_000,
  deadline: Number.POSITIVE_INFINITY,
  now: () => performance.now(),
  exhaustive: true,
};

export const runOptions: RunOptions = { now: () => performance.now(), timeBudgetMs: 60_000 };
