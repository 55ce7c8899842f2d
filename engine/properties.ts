import type { ViolationKind } from './explore.js';
import { readCtx } from './steps.js';
import type { State, TransitionSystem } from './system.js';

export interface PropertyFailure {
  property: string;
  kind: ViolationKind;
  message: string;
}

/**
 * The properties false in a state: invariants, and `eventually ... within K`
 * properties whose K steps have passed without them holding. `skip` names
 * properties already known to be violated.
 */
export function failuresInState(sys: TransitionSystem, s: State, skip: (name: string) => boolean): PropertyFailure[] {
  const out: PropertyFailure[] = [];
  const ctx = readCtx(sys, s, -1);
  for (let i = 0; i < sys.properties.length; i++) {
    const p = sys.properties[i]!;
    if (skip(p.name)) continue;
    if (p.kind === 'invariant') {
      try {
        if (p.evaluate(ctx) === 0) out.push({ property: p.name, kind: 'invariant', message: `${p.name} does not hold` });
      } catch (e) {
        out.push({ property: p.name, kind: 'invariant', message: `${p.name} cannot be evaluated: ${e instanceof Error ? e.message : String(e)}` });
      }
    } else if (p.within >= 0 && s.clock >= p.within && !((s.seen >> i) & 1)) {
      out.push({ property: p.name, kind: 'eventually', message: `${p.name} did not hold within ${p.within} steps` });
    }
  }
  return out;
}

/** The `eventually` properties false in a state where the run ends. */
export function failuresAtEnd(sys: TransitionSystem, s: State, skip: (name: string) => boolean): PropertyFailure[] {
  const out: PropertyFailure[] = [];
  const ctx = readCtx(sys, s, -1);
  for (let i = 0; i < sys.properties.length; i++) {
    const p = sys.properties[i]!;
    if (p.kind !== 'eventually' || skip(p.name) || (s.seen >> i) & 1) continue;
    let ok: boolean;
    try {
      ok = p.evaluate(ctx) !== 0;
    } catch {
      ok = false;
    }
    if (!ok) out.push({ property: p.name, kind: 'eventually', message: `${p.name} does not hold when the run ends` });
  }
  return out;
}

/** Bit i set = property i is an `eventually` without `within` (checked on infinite runs too). */
export function unboundedEventuallyBits(sys: TransitionSystem): number {
  let bits = 0;
  sys.properties.forEach((p, i) => {
    if (p.kind === 'eventually' && p.within < 0 && i < 32) bits |= 1 << i;
  });
  return bits;
}

/** Of the properties in `bits`, those false in `s`. */
export function falseProperties(sys: TransitionSystem, s: State, bits: number): number {
  let out = 0;
  const ctx = readCtx(sys, s, -1);
  for (let i = 0; i < sys.properties.length && i < 32; i++) {
    if (!((bits >> i) & 1)) continue;
    try {
      if (sys.properties[i]!.evaluate(ctx) === 0) out |= 1 << i;
    } catch {
      out |= 1 << i;
    }
  }
  return out;
}
