import type { ViolationKind } from './explore.js';
import type { FoundViolation, ParallelWorkerInit, ParallelWorkerMessage, WorkerResult } from './explore-parallel.js';
import { CanonicalForms } from './canonical-forms.js';
import { compileJob, ControlLayout, EXACT_SHARE, Stop } from './explore-parallel.js';
import { hashWords } from './fingerprint-set.js';
import { failuresInState } from './properties.js';
import { PropertyMemo } from './property-memo.js';
import { RecentFingerprints } from './recent-fingerprints.js';
import { SharedFingerprintTable } from './shared-fingerprint-table.js';
import { SharedLevelQueue } from './shared-level-queue.js';
import { decodeState, encodeState } from './state.js';
import { initialStates, successors } from './steps.js';
import { canonicalWords, lastOrbitSize } from './symmetry.js';
import type { RuntimeFault, State } from './system.js';
import { grown, WordBuffer } from './word-buffer.js';
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

/**
 * States a worker takes from a level at a time. Small enough that the workers
 * finish a level within a few chunks of each other, large enough that the
 * shared cursor is touched once per tens of microseconds.
 */
const CHUNK = 32;
/** New states a worker counts before adding them to the table's shared fill count. */
const FILL_BATCH = 256;

/**
 * One worker of `exploreStatesParallel`: expands states of each level, taking
 * them a chunk at a time from every worker's share, and stores what it finds new
 * in the shared visited set and its own share of the next level. Runs
 * synchronously on its thread from start to end; it waits for the others with
 * `Atomics.wait` on shared words.
 */
export function runParallelWorker(init: ParallelWorkerInit, env: ParallelWorkerEnv): void {
  const ctl = new Int32Array(init.control);
  const me = init.index;
  try {
    const result = explorePart(init, env, ctl);
    if (result) env.post({ type: 'done', worker: me, result }, [result.parents.buffer as ArrayBuffer, result.via.buffer as ArrayBuffer]);
  } catch (e) {
    // Let the others stop rather than wait for this worker at a barrier.
    Atomics.compareExchange(ctl, ControlLayout.stop, Stop.none, Stop.failed);
    wakeAll(ctl);
    env.post({ type: 'error', worker: me, message: e instanceof Error ? (e.stack ?? e.message) : String(e) }, []);
  }
}

function wakeAll(ctl: Int32Array): void {
  Atomics.notify(ctl, ControlLayout.go);
  Atomics.notify(ctl, ControlLayout.started);
  Atomics.notify(ctl, ControlLayout.generation);
}

function explorePart(init: ParallelWorkerInit, env: ParallelWorkerEnv, ctl: Int32Array): WorkerResult | null {
  const sys = compileJob(init.job);
  const fast = sys ? WordSuccessors.create(sys) : null;
  if (!sys || !fast) throw new Error('the job does not compile to a system the word-level generator covers');
  const W = init.workers;
  const me = init.index;
  const layout = new ControlLayout(W, sys.properties.length);

  const table = new SharedFingerprintTable(init.table, ctl, ControlLayout.tableCapacity);
  /** Per worker, its share of the even and the odd levels. */
  const queues = init.queues.map((pair) => pair.map(([words, index]) => new SharedLevelQueue(words, index)));

  let parents = new Int32Array(1 << 12);
  let via = new Int32Array(1 << 12);
  /** States this worker stored; a state's global id is `local * W + me`. */
  let stored = 0;
  let transitions = 0;
  let terminal = 0;
  let deadlocks = 0;
  /** This worker may store no more states (a bound was reached or the search stopped). */
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
  const decodeParent = (): State => fast.parentState();
  const checkPrepared = (w: Int32Array, gid: number, level: number, atEnd: boolean) => {
    const failures = propertyMemo.failures(w, fast.parentNodesStart, fast.parentNodesEnd, fast.parentNodesHash, atEnd, decodeParent);
    for (const f of failures) if (!known(f.property)) record(f.property, f.kind, f.message, gid, -1, level, atEnd ? level : level - 1);
  };

  const stopCode = () => Atomics.load(ctl, ControlLayout.stop);
  /** Stopped for a reason other than the search having run out of states. */
  const stoppedEarly = () => {
    const code = stopCode();
    return code !== Stop.none && code !== Stop.finished;
  };
  const raise = (code: number) => {
    Atomics.compareExchange(ctl, ControlLayout.stop, Stop.none, code);
    wakeAll(ctl);
  };

  // The memory budget: the shared table asks before it doubles.
  const gauge = init.memoryGauge === 'process' ? env.processMemoryUsed : env.memoryUsed;
  const budget = init.maxMemoryBytes > 0 && gauge ? init.maxMemoryBytes * EXACT_SHARE : 0;
  const memorySlot = layout.memorySlot(me);
  /** Bytes in use as the shared slots say: summed over the threads, or the largest whole-process figure. */
  const memoryInUse = (): number => {
    let kib = 0;
    for (let w = 0; w <= W; w++) {
      const v = Atomics.load(ctl, layout.memorySlot(w));
      kib = init.memoryGauge === 'process' ? Math.max(kib, v) : kib + v;
    }
    return (kib + Atomics.load(ctl, ControlLayout.reserved)) * 1024;
  };
  const measure = () => Atomics.store(ctl, memorySlot, Math.ceil(gauge!() / 1024));
  if (budget) measure();
  /** Whether the budget has room for the next doubling of the shared table (asked by one worker while the others wait). */
  const budgetAllowsGrowth = (): boolean => {
    const extra = table.bytesToGrow() - table.buffer.byteLength;
    if (!budget || extra <= 0) return true;
    measure();
    if (memoryInUse() + extra > budget) return false;
    // Counted in the coordinator's figure from its next look; until then, here.
    Atomics.add(ctl, ControlLayout.reserved, Math.ceil(extra / 1024));
    return true;
  };

  /** New states this worker stored and has not yet added to the shared fill count. */
  let unpublished = 0;
  /** Adds this worker's new states to the table's fill; asks for a doubling past 70 %, stops past 90 % if it was refused. */
  const publishFill = () => {
    const filled = Atomics.add(ctl, ControlLayout.tableFilled, unpublished) + unpublished;
    unpublished = 0;
    const cap = table.capacity;
    if (filled * 10 <= cap * 7) return;
    if (Atomics.load(ctl, ControlLayout.growthRefused) !== 0) {
      if (filled * 10 > cap * 9) raise(Stop.memory);
      return;
    }
    if (Atomics.compareExchange(ctl, ControlLayout.growth, 0, 1) === 0) Atomics.notify(ctl, ControlLayout.go);
  };
  /**
   * Waits until every worker has arrived; the last to arrive runs `last` before
   * it lets the others go. False when the search stopped meanwhile (a worker that
   * stopped never arrives).
   */
  const barrier = (last: () => void): boolean => {
    const generation = Atomics.load(ctl, ControlLayout.generation);
    if (Atomics.add(ctl, ControlLayout.arrived, 1) + 1 === W) {
      last();
      Atomics.store(ctl, ControlLayout.arrived, 0);
      Atomics.add(ctl, ControlLayout.generation, 1);
      Atomics.notify(ctl, ControlLayout.generation);
      return true;
    }
    while (Atomics.load(ctl, ControlLayout.generation) === generation) {
      if (stoppedEarly()) return false;
      Atomics.wait(ctl, ControlLayout.generation, generation, 20);
    }
    return true;
  };
  /**
   * What every worker does when the table must double, joined wherever it
   * notices the request (between states, within an expansion, or waiting for a
   * level) and never while it holds a slot half written: one worker makes room,
   * all re-insert a share of the fingerprints, one moves the doubled table into
   * place; then all take up the new view.
   */
  const joinGrowth = () => {
    if (Atomics.load(ctl, ControlLayout.growth) === 0) return;
    if (unpublished > 0) {
      Atomics.add(ctl, ControlLayout.tableFilled, unpublished);
      unpublished = 0;
    }
    const began = barrier(() => {
      const ok = budgetAllowsGrowth() && table.beginGrowth();
      Atomics.store(ctl, ControlLayout.growthPlan, ok ? 1 : 0);
      if (ok) return;
      Atomics.store(ctl, ControlLayout.growthRefused, 1);
      Atomics.store(ctl, ControlLayout.growth, 0);
    });
    if (began && Atomics.load(ctl, ControlLayout.growthPlan) === 1) {
      table.rehashShare(me, W);
      if (
        !barrier(() => {
          table.endGrowth();
          Atomics.store(ctl, ControlLayout.growth, 0);
        })
      )
        halted = true;
    } else if (!began) halted = true;
    table.refresh();
  };

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

  /** Under symmetry: the states those this worker stored stand for (NaN once an orbit was too large to count). */
  let rawStates = 0;
  const countOrbit = (orbit: number) => {
    rawStates = orbit === 0 ? Number.NaN : rawStates + orbit;
  };
  /** The orbit size of the successor being stored, under symmetry. */
  let orbit = 1;
  /** Takes a state number for a new state; false once the `maxStates` bound is reached (the last one stops the search). */
  let lastClaim = 0;
  const claimNumber = (): boolean => {
    const n = Atomics.add(ctl, ControlLayout.claimed, 1) + 1;
    if (n > lastClaim) {
      halted = true;
      return false;
    }
    if (n === lastClaim) {
      // Counted, never expanded.
      halted = true;
      raise(Stop.states);
    }
    return true;
  };

  // Initial states: the first worker stores them all (alone: the others wait for it).
  // Every worker fingerprints them, for the state bound, which counts the distinct ones.
  const words = new WordBuffer();
  const actual = new WordBuffer();
  const initial = initialStates(sys);
  const initialHashes = new Int32Array(initial.length * 2);
  const initialOrbits = new Float64Array(initial.length);
  const distinct = new Set<string>();
  initial.forEach((s, i) => {
    words.clear();
    canonicalWords(sys, s, words);
    const h = fingerprintWords(words);
    initialHashes[i * 2] = h[0]! | 0 || 1;
    initialHashes[i * 2 + 1] = h[1]! | 0 || 1;
    initialOrbits[i] = lastOrbitSize(sys);
    distinct.add(`${initialHashes[i * 2]},${initialHashes[i * 2 + 1]}`);
  });
  // As in `exploreStates`, the bound is checked after each successor is stored, never on the initial states.
  lastClaim = Math.max(init.maxStates, distinct.size + 1);
  if (me === 0) {
    const first = queues[0]![0]!;
    first.clear();
    initial.forEach((s, i) => {
      while ((Atomics.load(ctl, ControlLayout.tableFilled) + 1) * 10 > table.capacity * 7) {
        if (!table.grow()) throw new Error('the visited set cannot hold the initial states');
      }
      if (table.add(initialHashes[i * 2]!, initialHashes[i * 2 + 1]!) !== 1) return;
      Atomics.add(ctl, ControlLayout.tableFilled, 1);
      Atomics.add(ctl, ControlLayout.claimed, 1);
      const gid = keep(-1, i);
      if (sys.symmetry) countOrbit(initialOrbits[i]!);
      actual.clear();
      encodeState(sys, s, actual);
      first.push(actual.data, 0, actual.length, gid);
      for (const f of failuresInState(sys, s, known)) record(f.property, f.kind, f.message, gid, -1, 0, -1);
    });
    Atomics.store(ctl, layout.queueSize(0, 0), first.size);
    Atomics.store(ctl, layout.queueLength(0, 0), first.length);
    Atomics.store(ctl, ControlLayout.started, 1);
    Atomics.notify(ctl, ControlLayout.started);
  } else {
    while (Atomics.load(ctl, ControlLayout.started) === 0 && !stoppedEarly()) Atomics.wait(ctl, ControlLayout.started, 0, 20);
  }

  /** Under symmetry: successors' canonical fingerprints and orbit sizes met lately. */
  const canonicalForms = sys.symmetry ? new CanonicalForms() : null;
  const canonicalFingerprint = new Int32Array(2);
  // Fingerprints this worker stored or found lately (see `RecentFingerprints`): most duplicates skip the shared table.
  const recent = new RecentFingerprints();
  let next = queues[me]![1]!;
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
    let h: ArrayLike<number>;
    if (fast.pending) h = fast.fingerprint;
    else if (sys.symmetry) {
      // Hashing uses the renamed state; the queue keeps the real one, so paths replay.
      const forms = canonicalForms!;
      forms.of(sys, out.data, out.length, words, fingerprintWords);
      orbit = forms.orbit;
      h = canonicalFingerprint;
      canonicalFingerprint[0] = forms.h1;
      canonicalFingerprint[1] = forms.h2;
    } else h = fingerprintWords(out);
    const h1 = h[0]! | 0;
    const h2 = h[1]! | 0;
    if (recent.has(h1, h2)) return;
    recent.add(h1, h2);
    const added = table.add(h1, h2);
    if (added === 0) return;
    if (added < 0) {
      halted = true;
      raise(Stop.memory);
      return;
    }
    if (++unpublished >= FILL_BATCH) {
      publishFill();
      joinGrowth();
    }
    if (!claimNumber()) return;
    if (sys.symmetry) countOrbit(orbit);
    fast.writeOut();
    if (!next.push(out.data, 0, out.length, keep(expanding, k))) {
      halted = true;
      raise(Stop.memory);
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

  /** Takes the next chunk of the level from worker `w`'s share: its first state, or -1 when none is left. */
  const takeChunk = (w: number, size: number): number => {
    if (Atomics.load(ctl, layout.cursor(w)) >= size) return -1;
    const from = Atomics.add(ctl, layout.cursor(w), CHUNK);
    return from < size ? from : -1;
  };

  let expansions = 0;
  let depth = 0;
  let depthLimited = false;
  /**
   * The search broke off within level `depth`, whose states are then checked
   * (as the interpreter checked them when they were stored): the rest of the chunk
   * this worker had, `left` (the share) from `leftFrom` to `leftTo`, and the chunks no one took.
   */
  let inLevel = false;
  let left = -1;
  let leftFrom = 0;
  let leftTo = 0;
  const leave = (w: number, from: number, to: number) => {
    left = w;
    leftFrom = from;
    leftTo = to;
  };
  /** This worker's share of the level after `depth` holds states (it may have been cut short). */
  let nextStarted = false;
  outer: for (;;) {
    const parity = depth & 1;
    for (let w = 0; w < W; w++) queues[w]![parity]!.refresh(Atomics.load(ctl, layout.queueSize(w, parity)), Atomics.load(ctl, layout.queueLength(w, parity)));
    table.refresh();
    inLevel = true;
    if (stoppedEarly()) break;
    if (depth >= init.maxDepth) {
      const mine = queues[me]![parity]!;
      for (let f = 0; f < mine.size && !depthLimited; f++) {
        depthLimited = successors(sys, decodeState(sys, mine.words, mine.start(f))).length > 0;
      }
      break;
    }
    next = queues[me]![parity ^ 1]!;
    next.clear();
    nextStarted = true;
    level = depth;
    // As each level starts too: the frontier is what grows without asking.
    checkMemory();
    for (let k = 0; k < W; k++) {
      const w = (me + k) % W;
      const frontier = queues[w]![parity]!;
      for (;;) {
        const from = takeChunk(w, frontier.size);
        if (from < 0) break;
        const to = Math.min(from + CHUNK, frontier.size);
        for (let f = from; f < to; f++) {
          if ((++expansions & 1023) === 0) periodic();
          if (Atomics.load(ctl, ControlLayout.growth) !== 0) joinGrowth();
          if (halted || stopCode() !== Stop.none) {
            leave(w, f, to);
            break outer;
          }
          const gid = frontier.id(f);
          const start = frontier.start(f);
          // Decoded only when a step or a check not seen before needs the state as objects.
          fast.prepare(null, frontier.words, start);
          // The interpreter checked this state when its parent stored it.
          checkPrepared(frontier.words, gid, depth, false);
          if (allViolated()) {
            raise(Stop.allViolated);
            leave(w, f + 1, to);
            break outer;
          }
          expanding = gid;
          successorIndex = 0;
          nonFault = 0;
          fast.expandPrepared(sink);
          transitions += successorIndex;
          if (nonFault === 0) {
            terminal++;
            if (fast.parentMessages > 0) deadlocks++;
            checkPrepared(frontier.words, gid, depth, true);
          }
          if (halted || allViolated()) {
            if (!halted) raise(Stop.allViolated);
            leave(w, f + 1, to);
            break outer;
          }
        }
      }
    }
    inLevel = false;
    if (unpublished > 0) publishFill();
    Atomics.store(ctl, layout.queueSize(me, parity ^ 1), next.size);
    Atomics.store(ctl, layout.queueLength(me, parity ^ 1), next.length);
    env.post({ type: 'level', worker: me, level: depth, nextSize: next.size, queueBytes: queues[me]![0]!.bytes + queues[me]![1]!.bytes }, []);
    while (Atomics.load(ctl, ControlLayout.go) <= depth) {
      if (stoppedEarly()) break outer;
      if (Atomics.load(ctl, ControlLayout.growth) !== 0) joinGrowth();
      else Atomics.wait(ctl, ControlLayout.go, depth, 20);
    }
    // The level is complete everywhere: its successors are the next level, whose chunks are checked if the search stops now.
    nextStarted = false;
    depth++;
    if (stopCode() !== Stop.none) {
      const p = depth & 1;
      for (let w = 0; w < W; w++) queues[w]![p]!.refresh(Atomics.load(ctl, layout.queueSize(w, p)), Atomics.load(ctl, layout.queueLength(w, p)));
      inLevel = true;
      break;
    }
  }

  // States stored but never expanded still have their properties checked, as the interpreter did when they were stored.
  const code = stopCode();
  if (code !== Stop.stopped && code !== Stop.allViolated && code !== Stop.failed) {
    const parity = depth & 1;
    const checkRange = (w: number, from: number, to: number) => {
      const q = queues[w]![parity]!;
      for (let f = from; f < to; f++) {
        fast.prepare(null, q.words, q.start(f));
        checkPrepared(q.words, q.id(f), depth, false);
      }
    };
    if (inLevel) {
      if (left >= 0) checkRange(left, leftFrom, leftTo);
      // Chunks no worker took: whoever takes one checks it.
      for (let w = 0; w < W; w++) {
        const size = queues[w]![parity]!.size;
        for (let from = takeChunk(w, size); from >= 0; from = takeChunk(w, size)) checkRange(w, from, Math.min(from + CHUNK, size));
      }
    }
    if (nextStarted) {
      for (let f = 0; f < next.size; f++) {
        fast.prepare(null, next.words, next.start(f));
        checkPrepared(next.words, next.id(f), depth + 1, false);
      }
    }
  }
  if (code === Stop.failed) return null;

  return {
    states: stored,
    rawStates,
    transitions,
    terminal,
    deadlocks,
    depthLimited,
    bytes: parents.byteLength + via.byteLength,
    violations: [...found.values()],
    parents: parents.slice(0, stored),
    via: via.slice(0, stored),
  };
}
