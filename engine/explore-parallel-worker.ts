import type { ViolationKind } from './explore.js';
import type { FoundViolation, ParallelWorkerInit, ParallelWorkerMessage, WorkerResult } from './explore-parallel.js';
import { compileJob, ControlLayout, Stop } from './explore-parallel.js';
import { FingerprintSet, hashWords } from './fingerprint-set.js';
import { failuresAtEnd, failuresInState } from './properties.js';
import { decodeState, encodeState } from './state.js';
import { initialStates, successors } from './steps.js';
import { canonicalWords } from './symmetry.js';
import type { RuntimeFault, State } from './system.js';
import { LevelQueue, grown, RingReader, RingWriter } from './word-ring.js';
import { WordBuffer } from './word-buffer.js';
import { WordSuccessors } from './word-successors.js';

/** What the thread a worker runs on gives it. */
export interface ParallelWorkerEnv {
  post(message: ParallelWorkerMessage, transfer: ArrayBuffer[]): void;
  /** Bytes this thread uses (absent: no memory budget is checked here). */
  memoryUsed?: () => number;
  /** The clock the deadline is on (`Date.now`). */
  wallClock(): number;
}

/** Words before a state's words in a ring record: its length, two hashes, its parent's global id, its successor index. */
const RECORD_HEAD = 5;
/** A ring record of this length is the end marker of a level (followed by the level). */
const LEVEL_END = -1;

/**
 * One worker of `exploreStatesParallel`: explores the states it owns, level by
 * level, and posts what it found. Runs synchronously on its thread from start to
 * end; it waits for the other workers with `Atomics.wait` on shared words.
 */
export function runParallelWorker(init: ParallelWorkerInit, env: ParallelWorkerEnv): void {
  const ctl = new Int32Array(init.control);
  const W = init.workers;
  const me = init.index;
  try {
    const result = explorePart(init, env, ctl);
    if (result) env.post({ type: 'done', worker: me, result }, [result.parents.buffer as ArrayBuffer, result.via.buffer as ArrayBuffer]);
  } catch (e) {
    // Let the others stop rather than wait for this worker's end markers.
    Atomics.compareExchange(ctl, ControlLayout.stop, Stop.none, Stop.failed);
    Atomics.notify(ctl, ControlLayout.go);
    const layout = new ControlLayout(W, 0);
    for (let w = 0; w < W; w++) Atomics.notify(ctl, layout.doorbell(w));
    env.post({ type: 'error', worker: me, message: e instanceof Error ? (e.stack ?? e.message) : String(e) }, []);
  }
}

function explorePart(init: ParallelWorkerInit, env: ParallelWorkerEnv, ctl: Int32Array): WorkerResult | null {
  const sys = compileJob(init.job);
  const fast = sys ? WordSuccessors.create(sys) : null;
  if (!sys || !fast) throw new Error('the job does not compile to a system the word-level generator covers');
  const W = init.workers;
  const me = init.index;
  const layout = new ControlLayout(W, sys.properties.length);
  const doorbell = layout.doorbell(me);

  const writers: (RingWriter | null)[] = [];
  const readers: (RingReader | null)[] = [];
  for (let p = 0; p < W; p++) {
    writers.push(p === me ? null : new RingWriter(init.rings, ControlLayout.ringOffset(W, init.ringWords, me, p), init.ringWords));
    readers.push(p === me ? null : new RingReader(init.rings, ControlLayout.ringOffset(W, init.ringWords, p, me), init.ringWords));
  }

  const seen = new FingerprintSet(1 << 14, false);
  let parents = new Int32Array(1 << 12);
  let via = new Int32Array(1 << 12);
  /** States stored and counted here; a state's global id is `local * W + me`. */
  let count = 0;
  let transitions = 0;
  let terminal = 0;
  let deadlocks = 0;
  /** This worker may store no more states (the `maxStates` bound was reached). */
  let halted = false;

  const propertyIndex = new Map(sys.properties.map((p, i) => [p.name, i]));
  const found = new Map<string, FoundViolation>();
  const fullMask: number[] = [];
  for (let i = 0; i < layout.maskWords; i++) {
    const bits = Math.min(32, Math.max(0, sys.properties.length - i * 32));
    fullMask.push(bits === 32 ? -1 : (1 << bits) - 1);
  }
  const allViolated = (): boolean => {
    if (init.exhaustive || sys.properties.length === 0) return false;
    for (let i = 0; i < fullMask.length; i++) if (Atomics.load(ctl, ControlLayout.mask + i) !== fullMask[i]) return false;
    return true;
  };
  const record = (property: string, kind: ViolationKind, message: string, state: number, extra: number, length: number, moment: number) => {
    if (found.has(property)) return;
    found.set(property, { property, kind, message, state, extra, length, moment });
    const i = propertyIndex.get(property);
    if (i !== undefined) Atomics.or(ctl, ControlLayout.mask + (i >> 5), 1 << (i & 31));
  };
  // Only this worker's own findings are skipped: another worker's violation may be deeper than one here.
  const known = (name: string) => found.has(name);
  const checkState = (s: State, gid: number, level: number) => {
    for (const f of failuresInState(sys, s, known)) record(f.property, f.kind, f.message, gid, -1, level, level - 1);
  };
  const checkEnd = (s: State, gid: number, level: number) => {
    for (const f of failuresAtEnd(sys, s, known)) record(f.property, f.kind, f.message, gid, -1, level, level);
  };

  const stopCode = () => Atomics.load(ctl, ControlLayout.stop);
  const raise = (code: number) => {
    Atomics.compareExchange(ctl, ControlLayout.stop, Stop.none, code);
    Atomics.notify(ctl, ControlLayout.go);
    for (let w = 0; w < W; w++) Atomics.notify(ctl, layout.doorbell(w));
  };

  // Initial states: every worker computes them all and keeps those it owns, in the same order.
  const words = new WordBuffer();
  const actual = new WordBuffer();
  const initial = initialStates(sys);
  const distinct = new Set<string>();
  let frontier = new LevelQueue();
  initial.forEach((s, i) => {
    words.clear();
    canonicalWords(sys, s, words);
    const h = hashWords(words.data, words.length);
    const h1 = h[0]!;
    const h2 = h[1]!;
    distinct.add(`${h1},${h2}`);
    if (h2 % W !== me || seen.addOrGet(h1, h2, 0) >= 0) return;
    Atomics.add(ctl, ControlLayout.claimed, 1);
    const gid = keep(-1, i);
    actual.clear();
    encodeState(sys, s, actual);
    frontier.push(actual.data, 0, actual.length, -1, gid);
    checkState(s, gid, 0);
  });
  // As in `exploreStates`, the bound is checked after each successor is stored, never on the initial states.
  const lastClaim = Math.max(init.maxStates, distinct.size + 1);

  function keep(parent: number, index: number): number {
    const local = count++;
    if (local >= parents.length) {
      parents = grown(parents, local + 1);
      via = grown(via, local + 1);
    }
    parents[local] = parent;
    via[local] = index;
    return local * W + me;
  }

  let next = new LevelQueue();
  /** Stores a state this worker owns; returns whether it was new and counted. */
  const store = (h1: number, h2: number, parent: number, index: number, from: Int32Array, start: number, n: number, mask: number): void => {
    if (seen.addOrGet(h1, h2, 0) >= 0) return;
    const claim = Atomics.add(ctl, ControlLayout.claimed, 1) + 1;
    if (claim > lastClaim) {
      halted = true;
      return;
    }
    const gid = keep(parent, index);
    if (claim === lastClaim) {
      halted = true;
      raise(Stop.states);
      return;
    }
    next.push(from, start, n, mask, gid);
  };

  /** End markers received for the level being finished, per peer. */
  const ended = new Int32Array(W).fill(-1);
  /** Reads every ring to what its writer published; returns the words read. */
  const drain = (): number => {
    let total = 0;
    for (let p = 0; p < W; p++) {
      const r = readers[p];
      if (!r) continue;
      let avail = r.available();
      if (avail === 0) continue;
      total += avail;
      while (avail > 0) {
        const n = r.at(0);
        if (n === LEVEL_END) {
          ended[p] = r.at(1);
          r.skip(2);
          avail -= 2;
          continue;
        }
        if (!halted) store(r.at(1), r.at(2), r.at(3), r.at(4), r.data, (r.tail + RECORD_HEAD) | 0, n, r.mask);
        r.skip(RECORD_HEAD + n);
        avail -= RECORD_HEAD + n;
      }
      r.release();
    }
    return total;
  };
  /** Waits, reading the rings meanwhile, until `ready` holds or the search stops; false when it stopped. */
  const waitUntil = (ready: () => boolean): boolean => {
    let idle = 0;
    for (;;) {
      if (ready()) return true;
      if (stopCode() !== Stop.none && stopCode() !== Stop.finished) return false;
      // Spinning would take the core from whatever else the machine runs (the lagging
      // worker, on a loaded machine): sleep soon, woken by an end marker or a stop.
      if (drain() > 0) idle = 0;
      else if (++idle > 4) Atomics.wait(ctl, doorbell, Atomics.load(ctl, doorbell), 1);
    }
  };
  const ring = (p: number) => writers[p]!;
  /** Makes room for `n` words to peer `p`; false when the search stopped meanwhile. */
  const room = (p: number, n: number): boolean => {
    const w = ring(p);
    if (w.fits(n)) return true;
    w.publish();
    return waitUntil(() => w.fits(n));
  };
  const publishAll = () => {
    for (let p = 0; p < W; p++) writers[p]?.publish();
  };

  /**
   * Fingerprints this worker sent lately (direct-mapped, 512 KB: it stays in the
   * core's caches). A duplicate costs a ring record written, read and probed; on 2PC
   * N = 5 this skips 17 % of the records (four times the size: 17.5 %, most
   * duplicates are not close together).
   */
  const sentMask = (1 << 16) - 1;
  const sent = new Int32Array(2 << 16);
  let expanding = -1;
  let level = 0;
  let successorIndex = 0;
  let nonFault = 0;
  const out = fast.out;
  const sink = (fault: boolean, error: RuntimeFault | null): void => {
    const k = successorIndex++;
    if (!fault) nonFault++;
    if (halted) return;
    if (error) {
      record('handler error', 'runtime-error', error.message, expanding, k, level + 1, level);
      return;
    }
    let hashed = out;
    if (sys.symmetry) {
      // Hashing uses the renamed state; the frontier keeps the real one, so paths replay.
      words.clear();
      canonicalWords(sys, decodeState(sys, out.data, 0), words);
      hashed = words;
    }
    const h = hashWords(hashed.data, hashed.length);
    const h1 = h[0]!;
    const h2 = h[1]!;
    const owner = h2 % W;
    if (owner === me) {
      store(h1, h2, expanding, k, out.data, 0, out.length, -1);
      return;
    }
    // Sent before (this level or an earlier one): its owner has it or will, and would only discard it.
    const slot = (h1 & sentMask) << 1;
    if (sent[slot] === h1 && sent[slot + 1] === h2) return;
    sent[slot] = h1;
    sent[slot + 1] = h2;
    const n = out.length;
    if (!room(owner, RECORD_HEAD + n)) {
      halted = true;
      return;
    }
    const w = ring(owner);
    w.put(n);
    w.put(h1);
    w.put(h2);
    w.put(expanding);
    w.put(k);
    w.putAll(out.data, 0, n);
  };

  const memorySlot = layout.memorySlot(me);
  let memoryKiB = 0;
  /** The checks `exploreStates` makes every 1024 expansions. */
  const periodic = () => {
    if (env.wallClock() > init.deadline) raise(Stop.time);
    if (init.maxMemoryBytes > 0 && env.memoryUsed) {
      Atomics.store(ctl, memorySlot, Math.ceil(env.memoryUsed() / 1024));
      memoryKiB = 0;
      for (let w = 0; w <= W; w++) memoryKiB += Atomics.load(ctl, layout.memorySlot(w));
      if (memoryKiB * 1024 > init.maxMemoryBytes) raise(Stop.memory);
    }
  };

  let expansions = 0;
  let depth = 0;
  /** The frontier's states before this position were checked; `next` holds the level after it (null: none started). */
  let checkedThrough = 0;
  let nextStarted = false;
  let depthLimited = false;
  outer: for (;;) {
    if (depth >= init.maxDepth) {
      for (let f = 0; f < frontier.size && !depthLimited; f++) {
        depthLimited = successors(sys, decodeState(sys, frontier.words, frontier.starts[f]!)).length > 0;
      }
      break;
    }
    // Sized like the level before: doubling up from small for every level cost more than the copying it avoids.
    next = new LevelQueue(frontier.words.length, frontier.starts.length);
    nextStarted = true;
    checkedThrough = 0;
    level = depth;
    for (let f = 0; f < frontier.size; f++) {
      if ((++expansions & 1023) === 0) periodic();
      if (halted || stopCode() !== Stop.none) break outer;
      const gid = frontier.ids[f]!;
      const start = frontier.starts[f]!;
      const state = decodeState(sys, frontier.words, start);
      // The interpreter checked this state when its parent stored it.
      checkState(state, gid, depth);
      checkedThrough = f + 1;
      if (allViolated()) {
        raise(Stop.allViolated);
        break outer;
      }
      expanding = gid;
      successorIndex = 0;
      nonFault = 0;
      fast.expand(state, frontier.words, start, sink);
      transitions += successorIndex;
      if (nonFault === 0) {
        terminal++;
        if (state.msgs.length > 0) deadlocks++;
        checkEnd(state, gid, depth);
      }
      if (halted) break outer;
      if (allViolated()) {
        raise(Stop.allViolated);
        break outer;
      }
      if ((f & 7) === 7) {
        publishAll();
        drain();
      }
    }
    // The end of this level, to every peer, then every peer's end of it.
    publishAll();
    for (let p = 0; p < W; p++) {
      if (p === me) continue;
      if (!room(p, 2)) break outer;
      ring(p).put(LEVEL_END);
      ring(p).put(depth);
      ring(p).publish();
      Atomics.add(ctl, layout.doorbell(p), 1);
      Atomics.notify(ctl, layout.doorbell(p));
    }
    const lvl = depth;
    if (!waitUntil(() => ended.every((e, p) => p === me || e === lvl))) break;
    if (halted) break;
    env.post({ type: 'level', worker: me, level: depth, nextSize: next.size, queueBytes: frontier.bytes + next.bytes }, []);
    while (Atomics.load(ctl, ControlLayout.go) <= depth) {
      if (stopCode() !== Stop.none && stopCode() !== Stop.finished) break;
      Atomics.wait(ctl, ControlLayout.go, depth, 5);
    }
    frontier = next;
    nextStarted = false;
    checkedThrough = 0;
    depth++;
    if (stopCode() !== Stop.none) break;
  }

  // States stored but never expanded still have their properties checked, as the interpreter did when it stored them.
  const code = stopCode();
  if (code !== Stop.stopped && code !== Stop.allViolated && code !== Stop.failed) {
    for (let f = checkedThrough; f < frontier.size; f++) {
      checkState(decodeState(sys, frontier.words, frontier.starts[f]!), frontier.ids[f]!, depth);
    }
    if (nextStarted) {
      for (let f = 0; f < next.size; f++) checkState(decodeState(sys, next.words, next.starts[f]!), next.ids[f]!, depth + 1);
    }
  }
  if (code === Stop.failed) return null;

  return {
    states: count,
    transitions,
    terminal,
    deadlocks,
    depthLimited,
    bytes: seen.bytes + parents.byteLength + via.byteLength,
    violations: [...found.values()],
    parents: parents.slice(0, count),
    via: via.slice(0, count),
  };
}
