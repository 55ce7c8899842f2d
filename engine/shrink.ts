import type { Violation } from './explore.js';
import { failuresAtEnd, failuresInState } from './properties.js';
import { encodeValue } from './state.js';
import type { StepInfo, Successor } from './steps.js';
import { initialStates, isTerminal, successors } from './steps.js';
import type { State, TransitionSystem } from './system.js';

/**
 * Shortens a counterexample: drops one step at a time (last first) and keeps
 * the shorter run whenever the same steps, matched by what they do rather than
 * by position, still lead to a violation of the same property. Breadth-first
 * counterexamples are already shortest; this pays off on simulated runs.
 */
export function shrinkViolation<V extends Violation>(sys: TransitionSystem, v: V, maxReplays = 400): V {
  const inits = initialStates(sys);
  const start = inits[v.initial] ?? inits[0]!;
  const first = replayKeys(sys, start, v.path);
  if (!first) return v;
  let keys: string[] = first;
  let best = v.path.slice();
  let replays = 0;
  let changed = true;
  while (changed && replays < maxReplays) {
    changed = false;
    for (let i = keys.length - 1; i >= 0 && replays < maxReplays; i--) {
      replays++;
      const candidate: string[] = [...keys.slice(0, i), ...keys.slice(i + 1)];
      const path = matchKeys(sys, start, candidate, v);
      if (path && path.length < best.length) {
        best = path;
        keys = replayKeys(sys, start, best) ?? candidate;
        changed = true;
        break;
      }
    }
  }
  return { ...v, path: best };
}

/** A step's identity across runs: what it did and what the acting node became. */
function stepKey(step: StepInfo, after: State): string {
  const words: number[] = [step.node, step.handler ? step.handler.index : -1, step.timer, step.crashed ? 1 : 0, step.partition, step.budget, step.script];
  if (step.msg) {
    words.push(step.msg.type, step.msg.src, step.msg.dst);
    for (const f of step.msg.fields) encodeValue(f, words);
  }
  for (const s of step.sends) {
    words.push(s.msg.type, s.msg.dst, s.lost ? 1 : 0);
    for (const f of s.msg.fields) encodeValue(f, words);
  }
  if (step.node >= 0) for (const x of after.nodes[step.node]!.vars) encodeValue(x, words);
  return `${step.kind}:${words.join(',')}`;
}

function replayKeys(sys: TransitionSystem, start: State, path: readonly number[]): string[] | null {
  const keys: string[] = [];
  let s = start;
  for (const k of path) {
    const next = successors(sys, s)[k];
    if (!next) return null;
    keys.push(stepKey(next.step, next.state));
    s = next.state;
  }
  return keys;
}

/** Follows the keyed steps; returns the successor path if it ends in (or passes through) the same violation. */
function matchKeys(sys: TransitionSystem, start: State, keys: string[], v: Violation): number[] | null {
  const path: number[] = [];
  let s = start;
  const violatedHere = (state: State, succs: Successor[] | null): boolean => {
    if (v.kind === 'runtime-error') return false;
    if (failuresInState(sys, state, (name) => name !== v.property).length > 0) return true;
    if (v.kind === 'eventually' && succs && isTerminal(succs)) return failuresAtEnd(sys, state, (name) => name !== v.property).length > 0;
    return false;
  };
  for (const key of keys) {
    const succs = successors(sys, s);
    if (violatedHere(s, succs)) return path;
    const k = succs.findIndex((x) => stepKey(x.step, x.state) === key);
    if (k < 0) return null;
    path.push(k);
    if (succs[k]!.step.error) return v.kind === 'runtime-error' ? path : null;
    s = succs[k]!.state;
  }
  return violatedHere(s, successors(sys, s)) ? path : null;
}
