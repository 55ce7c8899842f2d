import type { ViolationKind } from './explore.js';
import type { FoundViolation, ParallelWorkerInit, ParallelWorkerMessage, WorkerResult } from './explore-parallel.js';
import { compileJob, ControlLayout, EXACT_SHARE, Ring, Stop } from './explore-parallel.js';
import { FingerprintSet, hashWords } from './fingerprint-set.js';
import { failuresInState } from './properties.js';
import { PropertyMemo } from './property-memo.js';
import { RecentFingerprints } from './recent-fingerprints.js';
import { decodeState, encodeState } from './state.js';
import { initialStates, successors } from './steps.js';
import { canonicalWords } from './symmetry.js';
import type { RuntimeFault, State } from './system.js';
import { LevelQueue, grown, PendingQueue, RingReader, RingWriter } from './word-ring.js';
import { WordBuffer } from './word-buffer.js';
import { WordSuccessors } from './word-successors.js';

/** What the thread a worker runs on gives it. */
export interface ParallelWorkerEnv {
  post(message: ParallelWorkerMessage, transfer: ArrayBuffer[]): void;
  /** Bytes this thread uses (absent: no memory budget is checked here). */
  memoryUsed?: () => number;
  /** Bytes the whole process uses, every thread's included (used when `init.memoryGauge` is `process`). */
  processMemoryUsed?: () => number;
  /** The clock the deadline is on (`Date.now`). */
  wallClock(): number;
}

/** Answers to a request (see `Ring`). */
const SEEN = 0;
const NEW = 1;
const END = 2;
/** Words before a state's words in a state record: its length (-1 ends a level), its parent's global id, its successor index. */
const RECORD_HEAD = 3;

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
  /** Writes the successors kept as recipes once their owner says they are new (see `readReplies`). */
  const writer = fast.recipeWriter();
  const W = init.workers;
  const me = init.index;
  const layout = new ControlLayout(W, sys.properties.length);
  const doorbell = layout.doorbell(me);

  const ringTo = (kind: number, p: number) => (p === me ? null : new RingWriter(init.rings, ControlLayout.ringOffset(W, init.ringWords, kind, me, p), init.ringWords));
  const ringFrom = (kind: number, p: number) => (p === me ? null : new RingReader(init.rings, ControlLayout.ringOffset(W, init.ringWords, kind, p, me), init.ringWords));
  const peers: number[] = [];
  for (let p = 0; p < W; p++) if (p !== me) peers.push(p);
  const requestsOut = peers.map((p) => ringTo(Ring.request, p)!);
  const repliesOut = peers.map((p) => ringTo(Ring.reply, p)!);
  const statesOut = peers.map((p) => ringTo(Ring.state, p)!);
  const requestsIn = peers.map((p) => ringFrom(Ring.request, p)!);
  const repliesIn = peers.map((p) => ringFrom(Ring.reply, p)!);
  const statesIn = peers.map((p) => ringFrom(Ring.state, p)!);
  const allOut = [...requestsOut, ...repliesOut, ...statesOut];
  /** Per worker, its position in `peers` (-1: this worker). */
  const slotOf = new Int32Array(W).fill(-1);
  peers.forEach((p, i) => (slotOf[p] = i));
  /** Per peer, the successors asked about and not yet answered. */
  const pending = peers.map(() => new PendingQueue());

  const seen = new FingerprintSet(1 << 14, false);
  let parents = new Int32Array(1 << 12);
  let via = new Int32Array(1 << 12);
  /** States whose fingerprint this worker stored and counted. */
  let count = 0;
  /** States whose words and parent link this worker holds; a state's global id is `local * W + me`. */
  let stored = 0;
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
  // Properties read only node blocks: checked from the words `fast` has prepared, by the memo (as `exploreStates` does).
  const propertyMemo = new PropertyMemo(sys);
  const decodeParent = (): State => fast!.parentState();
  const checkPrepared = (w: Int32Array, gid: number, level: number, atEnd: boolean) => {
    const failures = propertyMemo.failures(w, fast!.parentNodesStart, fast!.parentNodesEnd, fast!.parentNodesHash, atEnd, decodeParent);
    for (const f of failures) if (!known(f.property)) record(f.property, f.kind, f.message, gid, -1, level, atEnd ? level : level - 1);
  };

  const stopCode = () => Atomics.load(ctl, ControlLayout.stop);
  const raise = (code: number) => {
    Atomics.compareExchange(ctl, ControlLayout.stop, Stop.none, code);
    Atomics.notify(ctl, ControlLayout.go);
    for (let w = 0; w < W; w++) Atomics.notify(ctl, layout.doorbell(w));
  };
  const ring = (p: number) => {
    Atomics.add(ctl, layout.doorbell(p), 1);
    Atomics.notify(ctl, layout.doorbell(p));
  };

  // The memory budget: this worker's share of it, and its visited set asks before it doubles.
  const gauge = init.memoryGauge === 'process' ? env.processMemoryUsed : env.memoryUsed;
  const budget = init.maxMemoryBytes > 0 && gauge ? init.maxMemoryBytes * EXACT_SHARE : 0;
  const memorySlot = layout.memorySlot(me);
  /** KiB this worker reserved for a doubling not yet in its measured figure. */
  let reservedKiB = 0;
  /** Bytes in use as the shared slots say: summed over the threads, or the largest whole-process figure. */
  const memoryInUse = (): number => {
    let kib = 0;
    for (let w = 0; w <= W; w++) {
      const v = Atomics.load(ctl, layout.memorySlot(w));
      kib = init.memoryGauge === 'process' ? Math.max(kib, v) : kib + v;
    }
    return (kib + Atomics.load(ctl, ControlLayout.reserved)) * 1024;
  };
  const measure = () => {
    Atomics.store(ctl, memorySlot, Math.ceil(gauge!() / 1024));
    if (reservedKiB > 0) {
      Atomics.sub(ctl, ControlLayout.reserved, reservedKiB);
      reservedKiB = 0;
    }
  };
  if (budget) {
    measure();
    seen.mayGrow = (bytesAfter) => {
      // The old table is still counted, as `exploreStates` counts it; the reservation keeps two workers from both taking the last room.
      const kib = Math.ceil((bytesAfter + parents.byteLength + via.byteLength) / 1024);
      Atomics.add(ctl, ControlLayout.reserved, kib);
      if (memoryInUse() <= budget) {
        reservedKiB += kib;
        return true;
      }
      Atomics.sub(ctl, ControlLayout.reserved, kib);
      return false;
    };
  }

  // Without symmetry and FIFO channels a successor is fingerprinted from its
  // parent's, and its words are written only when needed (as in `exploreStates`);
  // every state of the search is then fingerprinted that way.
  const incremental = !sys.symmetry && !sys.fifo;
  fast.incremental = incremental;
  const fingerprint = new Int32Array(2);
  const fingerprintWords = (w: WordBuffer): ArrayLike<number> => {
    if (!incremental) return hashWords(w.data, w.length);
    fast.fingerprintOf(w.data, 0, fingerprint);
    return fingerprint;
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
    const h = fingerprintWords(words);
    const h1 = h[0]! | 0;
    const h2 = h[1]! | 0 || 1;
    distinct.add(`${h1},${h2}`);
    if ((h2 >>> 0) % W !== me || seen.addOrGet(h1, h2, 0) >= 0) return;
    Atomics.add(ctl, ControlLayout.claimed, 1);
    count++;
    const gid = keep(-1, i);
    actual.clear();
    encodeState(sys, s, actual);
    frontier.push(actual.data, 0, actual.length, -1, gid);
    for (const f of failuresInState(sys, s, known)) record(f.property, f.kind, f.message, gid, -1, 0, -1);
  });
  // As in `exploreStates`, the bound is checked after each successor is stored, never on the initial states.
  const lastClaim = Math.max(init.maxStates, distinct.size + 1);

  function keep(parent: number, index: number): number {
    const local = stored++;
    if (local >= parents.length) {
      parents = grown(parents, local + 1);
      via = grown(via, local + 1);
    }
    parents[local] = parent;
    via[local] = index;
    return local * W + me;
  }

  let next = new LevelQueue();
  /** Stores a fingerprint this worker owns and claims a state number for it; returns whether it is new (and counted). */
  // Fingerprints this worker stored or found lately (see `RecentFingerprints`): most duplicates skip the probe.
  const recent = new RecentFingerprints();
  const claim = (h1: number, h2: number): boolean => {
    if (halted || recent.has(h1, h2)) return false;
    const known = seen.addOrGet(h1, h2, 0) >= 0;
    recent.add(h1, h2);
    if (known) return false;
    const n = Atomics.add(ctl, ControlLayout.claimed, 1) + 1;
    if (n > lastClaim) {
      halted = true;
      return false;
    }
    count++;
    if (n === lastClaim) {
      // Counted, never expanded.
      halted = true;
      raise(Stop.states);
    }
    return true;
  };

  /** Per peer: this level's end seen in its answers (and sent on in its state ring), and in its state ring. */
  const answered = new Uint8Array(peers.length);
  const received = new Uint8Array(peers.length);
  /** Peers to wake once what was written to them is published (a level's end). */
  const wake = new Uint8Array(peers.length);
  /** The states peer `i` found new here: stored with their parent links, into the next level. */
  const readStates = (i: number): number => {
    const r = statesIn[i]!;
    let avail = r.available();
    if (avail === 0) return 0;
    const total = avail;
    while (avail > 0) {
      const n = r.at(0);
      if (n < 0) {
        received[i] = 1;
        r.skip(1);
        avail--;
        continue;
      }
      const gid = keep(r.at(1), r.at(2));
      next.push(r.data, (r.tail + RECORD_HEAD) | 0, n, r.mask, gid);
      r.skip(RECORD_HEAD + n);
      avail -= RECORD_HEAD + n;
    }
    r.release();
    return total;
  };
  /** Peer `i`'s answers to this worker's requests: each new state's words go to it. Stops at a full ring. */
  const readReplies = (i: number): number => {
    const r = repliesIn[i]!;
    let avail = r.available();
    if (avail === 0) return 0;
    const out = statesOut[i]!;
    const queue = pending[i]!;
    let read = 0;
    while (avail > 0) {
      const v = r.at(0);
      if (v === END) {
        if (!out.fits(1)) break;
        out.put(-1);
        answered[i] = 1;
        wake[i] = 1;
      } else {
        if (v === NEW) {
          const at = queue.head;
          const q = queue.words;
          let n = q[at + 2]!;
          let words: Int32Array = q;
          let from = at + 3;
          if (n < 0) {
            // A recipe over a parent of this level (the frontier is kept until every request is answered).
            writer.writeRecipe(frontier.words, q[at + 3]!, q, at + 4, -n);
            n = writer.out.length;
            words = writer.out.data;
            from = 0;
          }
          if (!out.fits(RECORD_HEAD + n)) break;
          out.put(n);
          out.put(q[at]!);
          out.put(q[at + 1]!);
          out.putAll(words, from, n);
        }
        queue.shift();
      }
      r.skip(1);
      avail--;
      read++;
    }
    if (read > 0) r.release();
    return read;
  };
  /** Peer `i`'s requests: each fingerprint stored here or found stored, answered in order. Stops at a full ring. */
  const readRequests = (i: number): number => {
    const r = requestsIn[i]!;
    let avail = r.available();
    if (avail === 0) return 0;
    const out = repliesOut[i]!;
    let read = 0;
    while (avail > 0) {
      if (!out.fits(1)) break;
      const h2 = r.at(1);
      if (h2 === 0) {
        out.put(END);
        wake[i] = 1;
      } else out.put(claim(r.at(0), h2) ? NEW : SEEN);
      r.skip(2);
      avail -= 2;
      read += 2;
    }
    if (read > 0) r.release();
    return read;
  };
  const publishAll = () => {
    for (const w of allOut) w.publish();
  };
  /** Reads every ring as far as it can; returns the words read. */
  const drain = (): number => {
    let total = 0;
    for (let i = 0; i < peers.length; i++) {
      total += readStates(i);
      total += readReplies(i);
      total += readRequests(i);
    }
    publishAll();
    for (let i = 0; i < peers.length; i++) {
      if (wake[i] === 0) continue;
      wake[i] = 0;
      ring(peers[i]!);
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
  /** Makes room for `n` words in `w` (to peer `p`); false when the search stopped meanwhile. */
  const room = (w: RingWriter, p: number, n: number): boolean => {
    if (w.fits(n)) return true;
    w.publish();
    ring(p);
    return waitUntil(() => w.fits(n));
  };

  /**
   * Fingerprints this worker asked about lately (direct-mapped, 512 KB: it stays in
   * the core's caches). A duplicate costs a request written, read and probed; on 2PC
   * N = 5 this skips 17 % of them (four times the size: 17.5 %, most duplicates are
   * not close together).
   */
  const sentMask = (1 << 16) - 1;
  const sent = new Int32Array(2 << 16);
  let expanding = -1;
  /** Where the state being expanded starts in the frontier's words. */
  let expandingAt = 0;
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
    let h: ArrayLike<number>;
    if (fast.pending) h = fast.fingerprint;
    else if (sys.symmetry) {
      // Hashing uses the renamed state; the frontier keeps the real one, so paths replay.
      words.clear();
      canonicalWords(sys, decodeState(sys, out.data, 0), words);
      h = fingerprintWords(words);
    } else h = fingerprintWords(out);
    const h1 = h[0]! | 0;
    const h2 = h[1]! | 0 || 1;
    const owner = (h2 >>> 0) % W;
    if (owner === me) {
      if (claim(h1, h2) && !halted) {
        fast.writeOut();
        next.push(out.data, 0, out.length, -1, keep(expanding, k));
      }
      return;
    }
    // Asked before (this level or an earlier one): its owner has it or will.
    const slot = (h1 & sentMask) << 1;
    if (sent[slot] === h1 && sent[slot + 1] === h2) return;
    sent[slot] = h1;
    sent[slot + 1] = h2;
    const i = slotOf[owner]!;
    const w = requestsOut[i]!;
    if (!room(w, owner, 2)) {
      halted = true;
      return;
    }
    w.put(h1);
    w.put(h2);
    // Most such successors are states the owner has seen: kept as a recipe over the parent, written only if new.
    const recipe = fast.durableOut();
    if (recipe >= 0) pending[i]!.pushRecipe(expanding, k, expandingAt, fast.recipeWords, recipe, fast.recipeLength(recipe));
    else {
      fast.writeOut();
      pending[i]!.push(expanding, k, out.data, out.length);
    }
  };

  const checkMemory = () => {
    if (!budget) return;
    measure();
    if (memoryInUse() > budget) raise(Stop.memory);
  };
  /** The checks `exploreStates` makes every 1024 expansions. */
  const periodic = () => {
    if (env.wallClock() > init.deadline) raise(Stop.time);
    checkMemory();
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
    answered.fill(0);
    received.fill(0);
    // As each level starts too: the frontier is what grows without asking.
    checkMemory();
    for (let f = 0; f < frontier.size; f++) {
      if ((++expansions & 1023) === 0) periodic();
      // The visited set was refused a doubling (in this worker's stores or its answers to others).
      if (seen.growthRefused) raise(Stop.memory);
      if (halted || stopCode() !== Stop.none) break outer;
      const gid = frontier.ids[f]!;
      const start = frontier.starts[f]!;
      // Decoded only when a step or a check not seen before needs the state as objects.
      fast.prepare(null, frontier.words, start);
      // The interpreter checked this state when its parent stored it.
      checkPrepared(frontier.words, gid, depth, false);
      checkedThrough = f + 1;
      if (allViolated()) {
        raise(Stop.allViolated);
        break outer;
      }
      expanding = gid;
      expandingAt = start;
      successorIndex = 0;
      nonFault = 0;
      fast.expandPrepared(sink);
      transitions += successorIndex;
      if (nonFault === 0) {
        terminal++;
        if (fast.parentMessages > 0) deadlocks++;
        checkPrepared(frontier.words, gid, depth, true);
      }
      if (halted) break outer;
      if (allViolated()) {
        raise(Stop.allViolated);
        break outer;
      }
      if ((f & 7) === 7) drain();
    }
    // The end of this level, to every peer; then every answer to this worker's
    // requests (so every state it found new elsewhere is sent), and every state found new here.
    publishAll();
    for (let i = 0; i < peers.length; i++) {
      const w = requestsOut[i]!;
      if (!room(w, peers[i]!, 2)) break outer;
      w.put(depth);
      w.put(0);
      w.publish();
      ring(peers[i]!);
    }
    if (!waitUntil(() => answered.every((a) => a === 1) && received.every((r) => r === 1))) break;
    if (seen.growthRefused) raise(Stop.memory);
    if (halted || (stopCode() !== Stop.none && stopCode() !== Stop.finished)) break;
    let queued = frontier.bytes + next.bytes;
    for (const q of pending) queued += q.bytes;
    env.post({ type: 'level', worker: me, level: depth, nextSize: next.size, queueBytes: queued }, []);
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
      fast.prepare(null, frontier.words, frontier.starts[f]!);
      checkPrepared(frontier.words, frontier.ids[f]!, depth, false);
    }
    if (nextStarted) {
      for (let f = 0; f < next.size; f++) {
        fast.prepare(null, next.words, next.starts[f]!);
        checkPrepared(next.words, next.ids[f]!, depth + 1, false);
      }
    }
  }
  if (code === Stop.failed) return null;
  if (reservedKiB > 0) Atomics.sub(ctl, ControlLayout.reserved, reservedKiB);

  return {
    states: count,
    transitions,
    terminal,
    deadlocks,
    depthLimited,
    bytes: seen.bytes + parents.byteLength + via.byteLength,
    violations: [...found.values()],
    parents: parents.slice(0, stored),
    via: via.slice(0, stored),
  };
}
