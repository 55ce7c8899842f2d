import type { ShardCoverage, ShardOptions, ShardResult, ShardRun, ShardSpec, ShardVerdict, SeedInterval, SwarmCoverage, SwarmOptions } from './shard.js';
import { shardFormat } from './shard.js';
import type { Trace } from './trace.js';

/**
 * Checks that parsed JSON is a shard result before a merge trusts it: results travel
 * between machines as artifacts and may be truncated, hand-edited or from another
 * version. Returns the result, or what is wrong with it. Traces are checked only for
 * their format tag; their contents pass through unchanged.
 */
export function readShardResult(value: unknown): ShardResult | string {
  try {
    return shardResult(value);
  } catch (e) {
    if (e instanceof ShapeError) return e.message;
    throw e;
  }
}

class ShapeError extends Error {}

type Obj = { [key: string]: unknown };

function obj(v: unknown, where: string): Obj {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new ShapeError(`${where} is not an object`);
  return v as Obj;
}

function str(o: Obj, key: string, where: string): string {
  const v = o[key];
  if (typeof v !== 'string') throw new ShapeError(`${where}.${key} is not a string`);
  return v;
}

function whole(o: Obj, key: string, where: string): number {
  const v = o[key];
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw new ShapeError(`${where}.${key} is not a whole number`);
  return v;
}

function bool(o: Obj, key: string, where: string): boolean {
  const v = o[key];
  if (typeof v !== 'boolean') throw new ShapeError(`${where}.${key} is not true or false`);
  return v;
}

function list(o: Obj, key: string, where: string): unknown[] {
  const v = o[key];
  if (!Array.isArray(v)) throw new ShapeError(`${where}.${key} is not a list`);
  return v;
}

function oneOf<T extends string>(o: Obj, key: string, where: string, allowed: readonly T[]): T {
  const v = str(o, key, where);
  const found = allowed.find((a) => a === v);
  if (found === undefined) throw new ShapeError(`${where}.${key} is "${v}", not one of ${allowed.join(', ')}`);
  return found;
}

function nullableStr(o: Obj, key: string, where: string): string | null {
  return o[key] === null ? null : str(o, key, where);
}

function interval(v: unknown, where: string): SeedInterval {
  const o = obj(v, where);
  const s = { first: whole(o, 'first', where), last: whole(o, 'last', where) };
  if (s.last < s.first) throw new ShapeError(`${where} ends before it starts`);
  return s;
}

function spec(v: unknown, where: string): ShardSpec {
  const o = obj(v, where);
  const s = { index: whole(o, 'index', where), count: whole(o, 'count', where) };
  if (s.index < 1 || s.index > s.count) throw new ShapeError(`${where} is shard ${s.index} of ${s.count}`);
  return s;
}

function options(v: unknown): ShardOptions {
  const o = obj(v, 'options');
  const p = obj(o['params'], 'options.params');
  const params: Record<string, number> = {};
  for (const [k, x] of Object.entries(p)) {
    if (typeof x !== 'number' || !Number.isSafeInteger(x)) throw new ShapeError(`options.params.${k} is not a whole number`);
    params[k] = x;
  }
  // A simulation result has no mode (results written before swarm runs existed had none either).
  const mode = o['mode'] === undefined ? 'simulate' : oneOf(o, 'mode', 'options', ['simulate', 'bitstate']);
  return {
    ...(mode === 'bitstate' ? { mode } : {}),
    params,
    steps: o['steps'] === null ? null : whole(o, 'steps', 'options'),
    scenario: nullableStr(o, 'scenario', 'options'),
    check: nullableStr(o, 'check', 'options'),
    symmetry: bool(o, 'symmetry', 'options'),
    ...(mode === 'bitstate' ? { bitstate: swarmOptions(o['bitstate']) } : {}),
  };
}

function nullableWhole(o: Obj, key: string, where: string): number | null {
  return o[key] === null ? null : whole(o, key, where);
}

function swarmOptions(v: unknown): SwarmOptions {
  const o = obj(v, 'options.bitstate');
  return {
    filterBytes: whole(o, 'filterBytes', 'options.bitstate'),
    depth: nullableWhole(o, 'depth', 'options.bitstate'),
    maxStates: nullableWhole(o, 'maxStates', 'options.bitstate'),
  };
}

function num(o: Obj, key: string, where: string, min: number, max: number): number {
  const v = o[key];
  if (typeof v !== 'number' || !(v >= min && v <= max)) throw new ShapeError(`${where}.${key} is not a number from ${min} to ${max}`);
  return v;
}

function swarmCoverage(v: unknown, where: string): SwarmCoverage {
  const o = obj(v, where);
  return {
    states: whole(o, 'states', where),
    bestCoverage: num(o, 'bestCoverage', where, 0, 1),
    bestSeed: nullableWhole(o, 'bestSeed', where),
    log2MissedByAll: num(o, 'log2MissedByAll', where, -Number.MAX_VALUE, 0),
    missedByAll: num(o, 'missedByAll', where, 0, 1),
    limited: whole(o, 'limited', where),
    unfinished: whole(o, 'unfinished', where),
    deepest: whole(o, 'deepest', where),
  };
}

function trace(v: unknown, where: string): Trace | null {
  if (v === null) return null;
  const o = obj(v, where);
  if (o['format'] !== 'faultline-trace/1') throw new ShapeError(`${where} is not a faultline-trace/1 trace`);
  return o as unknown as Trace;
}

function verdict(v: unknown, where: string): ShardVerdict {
  const o = obj(v, where);
  return {
    property: str(o, 'property', where),
    kind: oneOf(o, 'kind', where, ['invariant', 'eventually', 'runtime-error']),
    outcome: oneOf(o, 'outcome', where, ['violated', 'unknown']),
    expected: oneOf(o, 'expected', where, ['holds', 'violated']),
    ok: bool(o, 'ok', where),
    message: str(o, 'message', where),
    seed: o['seed'] === null ? null : whole(o, 'seed', where),
    trace: trace(o['trace'], `${where}.trace`),
  };
}

function coverage(v: unknown, where: string): ShardCoverage {
  const o = obj(v, where);
  return {
    runs: whole(o, 'runs', where),
    steps: whole(o, 'steps', where),
    terminated: whole(o, 'terminated', where),
    ...(o['bitstate'] !== undefined ? { bitstate: swarmCoverage(o['bitstate'], `${where}.bitstate`) } : {}),
  };
}

function run(v: unknown, where: string): ShardRun {
  const o = obj(v, where);
  return {
    run: str(o, 'run', where),
    kind: oneOf(o, 'kind', where, ['check', 'scenario', 'default']),
    maxSteps: whole(o, 'maxSteps', where),
    seeds: list(o, 'seeds', where).map((s, i) => interval(s, `${where}.seeds[${i}]`)),
    verdicts: list(o, 'verdicts', where).map((x, i) => verdict(x, `${where}.verdicts[${i}]`)),
    coverage: coverage(o['coverage'], `${where}.coverage`),
  };
}

function shardResult(value: unknown): ShardResult {
  const o = obj(value, 'the result');
  if (o['format'] !== shardFormat) throw new ShapeError(`not a ${shardFormat} result (format: ${JSON.stringify(o['format'] ?? null)})`);
  return {
    format: shardFormat,
    version: str(o, 'version', 'result'),
    file: str(o, 'file', 'result'),
    contentHash: str(o, 'contentHash', 'result'),
    protocol: str(o, 'protocol', 'result'),
    options: options(o['options']),
    seedRange: interval(o['seedRange'], 'seedRange'),
    shards: list(o, 'shards', 'result').map((s, i) => spec(s, `shards[${i}]`)),
    runs: list(o, 'runs', 'result').map((r, i) => run(r, `runs[${i}]`)),
    ok: bool(o, 'ok', 'result'),
    elapsedMs: typeof o['elapsedMs'] === 'number' ? o['elapsedMs'] : 0,
  };
}
