/**
 * Run-time values. Scalars (bool as 0/1, whole numbers, enum labels as label
 * ids, node ids) are plain numbers; sets are sorted duplicate-free arrays, maps
 * dense arrays over their key domain, sequences arrays. Arrays are never mutated
 * once built, so states can share them.
 */
export type Value = number | readonly Value[];

/** A type with params evaluated: what the engine needs to enumerate and check values. */
export type RtType =
  | { k: 'bool' }
  | { k: 'int'; low: number; high: number }
  | { k: 'enum'; labels: number[] }
  | { k: 'node'; nodes: number[] }
  | { k: 'set'; element: RtType }
  | { k: 'map'; key: RtType; value: RtType; keys: Value[] }
  | { k: 'seq'; element: RtType }
  | { k: 'any' };

export function compareValues(a: Value, b: Value): number {
  if (typeof a === 'number') {
    if (typeof b === 'number') return a - b;
    return -1;
  }
  if (typeof b === 'number') return 1;
  if (a.length !== b.length) return a.length - b.length;
  for (let i = 0; i < a.length; i++) {
    const c = compareValues(a[i]!, b[i]!);
    if (c !== 0) return c;
  }
  return 0;
}

export function equalValues(a: Value, b: Value): boolean {
  if (a === b) return true;
  if (typeof a === 'number' || typeof b === 'number') return false;
  return compareValues(a, b) === 0;
}

export function setHas(set: readonly Value[], v: Value): boolean {
  if (typeof v === 'number') {
    let lo = 0;
    let hi = set.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const m = set[mid]!;
      const c = typeof m === 'number' ? m - v : 1;
      if (c === 0) return true;
      if (c < 0) lo = mid + 1;
      else hi = mid - 1;
    }
    return false;
  }
  return set.some((x) => equalValues(x, v));
}

export function setAdd(set: readonly Value[], v: Value): readonly Value[] {
  if (setHas(set, v)) return set;
  const out = set.slice();
  let i = out.length;
  while (i > 0 && compareValues(out[i - 1]!, v) > 0) i--;
  out.splice(i, 0, v);
  return out;
}

export function setRemove(set: readonly Value[], v: Value): readonly Value[] {
  if (!setHas(set, v)) return set;
  return set.filter((x) => !equalValues(x, v));
}

export function setFrom(values: Iterable<Value>): readonly Value[] {
  const out = [...values].sort(compareValues);
  const uniq: Value[] = [];
  for (const v of out) if (uniq.length === 0 || compareValues(uniq[uniq.length - 1]!, v) !== 0) uniq.push(v);
  return uniq;
}

export function setUnion(a: readonly Value[], b: readonly Value[]): readonly Value[] {
  return setFrom([...a, ...b]);
}

export function setIntersect(a: readonly Value[], b: readonly Value[]): readonly Value[] {
  return a.filter((x) => setHas(b, x));
}

export function setMinus(a: readonly Value[], b: readonly Value[]): readonly Value[] {
  return a.filter((x) => !setHas(b, x));
}

/** The default value of a type: false, the low end, the first label, empty collections, a map of defaults. */
export function defaultValue(t: RtType): Value {
  switch (t.k) {
    case 'bool':
      return 0;
    case 'int':
      return Number.isFinite(t.low) ? t.low : 0;
    case 'enum':
      return t.labels[0] ?? 0;
    case 'node':
      return t.nodes[0] ?? 0;
    case 'set':
    case 'seq':
      return [];
    case 'map':
      return t.keys.map(() => defaultValue(t.value));
    case 'any':
      return 0;
  }
}

/** Every value of a finite type, in a fixed order; null when the type is not finite or too large. */
export function enumerateValues(t: RtType, limit = 4096): Value[] | null {
  switch (t.k) {
    case 'bool':
      return [0, 1];
    case 'int': {
      if (!Number.isFinite(t.low) || !Number.isFinite(t.high) || t.high - t.low + 1 > limit) return null;
      const out: number[] = [];
      for (let v = t.low; v <= t.high; v++) out.push(v);
      return out;
    }
    case 'enum':
      return t.labels.slice();
    case 'node':
      return t.nodes.slice();
    case 'set': {
      const elems = enumerateValues(t.element, limit);
      if (!elems || elems.length > 12 || 2 ** elems.length > limit) return null;
      const out: Value[] = [];
      for (let mask = 0; mask < 1 << elems.length; mask++) {
        out.push(elems.filter((_, i) => (mask >> i) & 1));
      }
      return out;
    }
    case 'map': {
      const vals = enumerateValues(t.value, limit);
      if (!vals) return null;
      let out: Value[][] = [[]];
      for (let i = 0; i < t.keys.length; i++) {
        if (out.length * vals.length > limit) return null;
        const next: Value[][] = [];
        for (const prefix of out) for (const v of vals) next.push([...prefix, v]);
        out = next;
      }
      return out;
    }
    case 'seq':
    case 'any':
      return null;
  }
}

/** Whether a value belongs to a type (ranges and domains); collections are checked element-wise. */
export function inType(t: RtType, v: Value): boolean {
  switch (t.k) {
    case 'bool':
      return v === 0 || v === 1;
    case 'int':
      return typeof v === 'number' && v >= t.low && v <= t.high;
    case 'enum':
    case 'node':
    case 'any':
      return true;
    case 'set':
    case 'seq':
      return typeof v !== 'number' && v.every((x) => inType(t.element, x));
    case 'map':
      return typeof v !== 'number' && v.length === t.keys.length && v.every((x) => inType(t.value, x));
  }
}

/** Position of a key in a map's dense key domain; -1 when outside it. */
export function mapKeyIndex(t: { keys: Value[] }, key: Value): number {
  for (let i = 0; i < t.keys.length; i++) if (equalValues(t.keys[i]!, key)) return i;
  return -1;
}
