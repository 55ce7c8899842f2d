import type { ExploreStatus, StopSignal, Violation, ViolationKind } from './explore.js';
import { Rng, runSeed } from './rng.js';
import type { Successor } from './steps.js';
import { failuresAtEnd, failuresInState } from './properties.js';
import { initialStates, isTerminal, successors } from './steps.js';
import type { State, TransitionSystem } from './system.js';
import type { RandomWalker } from './random-walk.js';
import { randomWalker } from './random-walk.js';

export interface SimulateOptions {
  runs: number;
  steps: number;
  seed: number;
  deadline: number;
  now: () => number;
  stop?: StopSignal;
}

/** A violation found by simulation, with the seed of the run that found it. */
export interface SimulatedViolation extends Violation {
  seed: number;
}

export interface SimulateResult {
  status: ExploreStatus;
  runs: number;
  steps: number;
  elapsedMs: number;
  /** Runs that ended in a terminal state (rather than the step bound or a violation). */
  terminated: number;
  violations: SimulatedViolation[];
  scriptFired: number;
}

/**
 * Random runs: from a random initial state, repeatedly take a random step. Fault
 * steps are taken with a lower probability than protocol steps, so a run does not
 * spend its whole budget in its first steps. Runs are taken by the `RandomWalker`
 * (one mutable state, one handler run per step) where it covers the model, and by
 * the interpreter (`randomWalk`, every successor built) where it does not.
 */
export function simulateRuns(sys: TransitionSystem, options: SimulateOptions): SimulateResult {
  const started = options.now();
  const violations = new Map<string, SimulatedViolation>();
  const inits = initialStates(sys);
  const walker = randomWalker(sys);
  let steps = 0;
  let terminated = 0;
  let scriptFired = 0;
  let status: ExploreStatus = 'complete';
  let run = 0;
  // The clock is read before every run that starts `clockSteps` steps or more after the last
  // reading (and before the first): a run of the fast walk takes a microsecond or two, about
  // what reading a CPU clock costs.
  const clockSteps = walker ? WALKER_CLOCK_STEPS : CLOCK_STEPS;
  let stepsAtClock = -clockSteps;
  for (; run < options.runs; run++) {
    if (options.stop?.stopped) {
      status = 'stopped';
      break;
    }
    if (steps - stepsAtClock >= clockSteps) {
      stepsAtClock = steps;
      if (options.now() > options.deadline) {
        status = 'limit-time';
        break;
      }
    }
    const seed = runSeed(options.seed, run);
    let one: SeedRun;
    if (walker) {
      const end = walker.walk(inits, seed, options.steps);
      steps += walker.steps;
      if (end === 'terminal') terminated++;
      if (walker.findings.length === 0 && end !== 'error') continue;
      one = foundByWalker(walker, inits, seed, options.steps);
    } else {
      one = simulateSeed(sys, inits, seed, options.steps);
      steps += one.steps;
      if (one.terminated) terminated++;
      scriptFired |= one.scriptFired;
    }
    for (const v of one.violations) {
      const prior = violations.get(v.property);
      if (!prior || prior.path.length > v.path.length) violations.set(v.property, v);
    }
  }
  const ordered = sys.properties.map((p) => violations.get(p.name)).filter((v): v is SimulatedViolation => v !== undefined);
  const err = violations.get('handler error');
  if (err) ordered.push(err);
  return { status, runs: run, steps, elapsedMs: options.now() - started, terminated, violations: ordered, scriptFired };
}

/** Steps between two readings of the clock in `simulateRuns`. */
const CLOCK_STEPS = 2000;
/**
 * The same for the fast walk: at 5-7 M steps per second, 2,000 steps took less than half
 * a millisecond and reading the CPU clock about 2 % of the time; 10,000 take 2 ms or less.
 */
const WALKER_CLOCK_STEPS = 10_000;

/** What one seeded run found: per property its first violation (a handler error is the property `handler error`). */
export interface SeedRun {
  steps: number;
  terminated: boolean;
  scriptFired: number;
  violations: SimulatedViolation[];
}

/** One random run with the walk seed `seed`; `simulateRuns` is many of these, a shard's seed range is another. */
export function simulateSeed(sys: TransitionSystem, inits: State[], seed: number, maxSteps: number): SeedRun {
  const walker = randomWalker(sys);
  if (walker) {
    walker.walk(inits, seed, maxSteps);
    return foundByWalker(walker, inits, seed, maxSteps);
  }
  const violations = new Map<string, SimulatedViolation>();
  let path: number[] = [];
  let initial = 0;
  const found = (property: string, kind: ViolationKind, message: string) => {
    if (!violations.has(property)) violations.set(property, { property, kind, message, initial, path: path.slice(), seed });
  };
  const walk = randomWalk(sys, inits, seed, maxSteps, (s, succs, walkPath, walkInitial) => {
    path = walkPath;
    initial = walkInitial;
    if (succs === null) {
      const failures = failuresInState(sys, s, () => false);
      for (const f of failures) found(f.property, f.kind, f.message);
      return failures.length > 0;
    }
    for (const f of failuresAtEnd(sys, s, () => false)) found(f.property, f.kind, f.message);
    return false;
  });
  if (walk.error) {
    path = walk.path;
    found('handler error', 'runtime-error', walk.error);
  }
  return { steps: walk.path.length, terminated: walk.ended === 'terminal', scriptFired: walk.scriptFired, violations: [...violations.values()] };
}

/**
 * What the walker's last run (`walker.walk(inits, seed, maxSteps)`) found, with paths
 * in the interpreter's successor indices: the run is walked again to find them, which
 * only runs that violate something need.
 */
function foundByWalker(walker: RandomWalker, inits: State[], seed: number, maxSteps: number): SeedRun {
  const steps = walker.steps;
  const terminated = walker.ended === 'terminal';
  const error = walker.error;
  const initial = walker.initial;
  const findings = walker.findings.slice();
  if (findings.length === 0 && error === null) return { steps, terminated, scriptFired: 0, violations: [] };
  let longest = error === null ? 0 : steps;
  for (const f of findings) longest = Math.max(longest, f.at);
  const path = walker.interpreterPath(inits, seed, maxSteps, longest);
  const violations: SimulatedViolation[] = findings.map((f) => ({ property: f.property, kind: f.kind, message: f.message, initial, path: path.slice(0, f.at), seed }));
  if (error !== null && !findings.some((f) => f.property === 'handler error')) {
    violations.push({ property: 'handler error', kind: 'runtime-error', message: error, initial, path, seed });
  }
  return { steps, terminated, scriptFired: 0, violations };
}

export interface Walk {
  initial: number;
  path: number[];
  ended: 'terminal' | 'bound' | 'stopped' | 'error';
  error: string | null;
  scriptFired: number;
}

/**
 * One seeded random run. `visit` sees every state (with `succs` null) and every
 * terminal state (with its successors); returning true ends the run there.
 */
export function randomWalk(
  sys: TransitionSystem,
  inits: State[],
  seed: number,
  maxSteps: number,
  visit: (s: State, succs: Successor[] | null, path: number[], initial: number) => boolean,
): Walk {
  const rng = new Rng(seed);
  const initial = rng.below(inits.length);
  let s: State = inits[initial]!;
  const path: number[] = [];
  let scriptFired = 0;
  if (visit(s, null, path, initial)) return { initial, path, ended: 'stopped', error: null, scriptFired };
  for (let k = 0; k < maxSteps; k++) {
    const succs = successors(sys, s);
    if (isTerminal(succs)) {
      if (visit(s, succs, path, initial) || succs.length === 0) return { initial, path, ended: 'terminal', error: null, scriptFired };
    }
    const pick = pickSuccessor(succs, rng);
    const next = succs[pick]!;
    path.push(pick);
    if (next.step.script >= 0) scriptFired |= 1 << next.step.script;
    if (next.step.error) return { initial, path, ended: 'error', error: next.step.error.message, scriptFired };
    s = next.state;
    if (visit(s, null, path, initial)) return { initial, path, ended: 'stopped', error: null, scriptFired };
  }
  return { initial, path, ended: 'bound', error: null, scriptFired };
}

function pickSuccessor(succs: Successor[], rng: Rng): number {
  let faults = 0;
  for (const x of succs) if (x.step.fault) faults++;
  const normal = succs.length - faults;
  if (faults === 0 || normal === 0) return rng.below(succs.length);
  const wantFault = rng.next() < 0.15;
  let k = rng.below(wantFault ? faults : normal);
  for (let i = 0; i < succs.length; i++) {
    if (succs[i]!.step.fault === wantFault) {
      if (k === 0) return i;
      k--;
    }
  }
  return 0;
}

