import type { CheckedModel } from '../language/check/model.js';
import type { RunOverrides } from './compile.js';
import { compileSystem } from './compile.js';
import { runSeed } from './rng.js';
import { randomWalk } from './simulate.js';
import { initialStates } from './steps.js';
import type { RunSource } from './system.js';
import type { Trace } from './trace.js';
import { buildTrace } from './trace.js';

/** One seeded random run of a check or scenario, as a trace: what a diagram shows when nothing is violated. */
export function sampleTrace(model: CheckedModel, source: RunSource, overrides: RunOverrides, seed: number, maxSteps: number): Trace | null {
  const sys = compileSystem(model, source, overrides).value;
  if (!sys) return null;
  const walk = randomWalk(sys, initialStates(sys), runSeed(seed, 0), maxSteps, () => false);
  return buildTrace(sys, walk.initial, walk.path, null);
}
