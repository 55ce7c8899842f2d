import { analyzeText } from '../language/analyze.js';
import { compileSystem, runSources } from './compile.js';
import type { ExploreLimits, ExploreResult, ExploreStatus, Violation, ViolationKind } from './explore.js';
import { exploreStates } from './explore.js';
import { unboundedEventuallyBits } from './properties.js';
import type { TransitionSystem } from './system.js';
import { SharedFingerprintTable } from './shared-fingerprint-table.js';
import { SharedLevelQueue } from './shared-level-queue.js';
import { WordSuccessors } from './word-successors.js';

/**
 * Exhaustive exploration on several threads: level-synchronous breadth-first
 * search over one visited set that every thread shares.
 *
 * The visited set is a `SharedFingerprintTable`: an open-addressing table of
 * fingerprints in a growable SharedArrayBuffer, inserted into with a
 * compare-and-swap, so a successor is new to exactly one worker. That worker
 * writes it into its own share of the next level (a `SharedLevelQueue`) and keeps
 * its parent link. A level is expanded in chunks of states that the workers take
 * from every worker's share through a shared cursor each, so none waits long for
 * another at the level's end. A level ends when every worker has found no chunk
 * left; the coordinator (the caller's thread) then sums the next level and lets
 * the workers go on. When the table must double, every worker stops inserting
 * where it is and meets the others at a barrier (see the worker's `joinGrowth`).
 *
 * Why one shared table and not one per worker with the states hash-partitioned
 * (the first design): with a table per worker, half of all successors belong to
 * another worker and cross to it through a ring, and the sender waits for the
 * answer before it can drop or write the successor. Two workers then spent 1.5x
 * the CPU time of one thread and ran 1.07-1.24x as fast as it (2PC, N = 6). A
 * shared table needs one compare-and-swap per new state and a barrier per
 * doubling, and no successor crosses: 1.46-1.65x at N = 6, 1.56-1.86x at N = 7.
 *
 * What is the same as `exploreStates`, every run: the states of each BFS level,
 * hence the state count, transitions, depth, terminal states and deadlocks of a
 * search that completes or stops at its depth bound; which properties are
 * violated and each first violation's length (levels are explored one at a time,
 * so the first violation any worker finds is at the shallowest level). Which of
 * several shortest counterexamples is returned depends on which worker stored a
 * state first (any of them replays to a violating state); so does, with symmetry,
 * which member of an orbit stands for it. A `maxStates` bound stops after exactly
 * `maxStates` states (a shared counter hands out the last one), but which states
 * those are, and so the transitions and violations seen before the cut, depend on
 * the interleaving, as do time, memory and stop bounds. After every property is
 * violated a search stops (unless `exhaustive`): its counts depend on order, as
 * on the interpreter and word paths of `exploreStates`; a handler error found in
 * the same level as the last property violation is kept (the single-threaded
 * search keeps it or not by the order within that level).
 *
 * Not covered, explored by `exploreStates` on the caller's thread: models the
 * word-level generator does not cover, `eventually` properties on infinite runs
 * (their cycle search needs the whole graph's edges in one place), the
 * interpreter engine, and one worker.
 */

/** What a worker needs to rebuild the transition system (closures cannot cross threads). */
export interface ParallelJob {
  /** The protocol's source text. */
  text: string;
  /** Which run of the file: an index into `runSources(model)`. */
  run: number;
  params?: [string, number][];
  symmetry?: boolean;
}

/** The job of one run of a checked file (`source` is one of `runSources(model)`). */
export function parallelJob(text: string, run: number, overrides: { params?: Map<string, number>; symmetry?: boolean } = {}): ParallelJob {
  return {
    text,
    run,
    ...(overrides.params ? { params: [...overrides.params] } : {}),
    ...(overrides.symmetry !== undefined ? { symmetry: overrides.symmetry } : {}),
  };
}

/** Compiles a job as every thread does (the same text and overrides give the same system, word for word). */
export function compileJob(job: ParallelJob): TransitionSystem | null {
  const { model } = analyzeText(job.text);
  if (model.hasErrors) return null;
  const source = runSources(model)[job.run];
  if (source === undefined) return null;
  return compileSystem(model, source, {
    ...(job.params ? { params: new Map(job.params) } : {}),
    ...(job.symmetry !== undefined ? { symmetry: job.symmetry } : {}),
  }).value;
}

/** Why a parallel search can run on one thread only (null: it can run on several). */
export function parallelUnsupported(sys: TransitionSystem, limits: ExploreLimits): string | null {
  if (limits.engine === 'interpreter') return 'the interpreter engine';
  if (unboundedEventuallyBits(sys) !== 0) return '`eventually` properties on infinite runs';
  if (!WordSuccessors.create(sys)) return 'a model the word-level successor generator does not cover';
  return null;
}

/** A started worker thread, as the host gives it to the coordinator. */
export interface ParallelWorkerPort {
  onMessage(listener: (message: ParallelWorkerMessage) => void): void;
  /** The worker failed (an exception outside the engine, out of memory, an exit). */
  onError(listener: (error: Error) => void): void;
  terminate(): void;
}

/**
 * What the core needs from the platform to run threads (in Node,
 * `threads/explore-parallel.ts`): the core itself imports no `worker_threads`.
 */
export interface ParallelHost {
  /** Starts a worker that calls `runParallelWorker(init, ...)`. */
  spawn(init: ParallelWorkerInit): ParallelWorkerPort;
  /** Calls `tick` every `ms` milliseconds until the returned function is called. */
  every(ms: number, tick: () => void): () => void;
  /** Milliseconds on a clock every thread shares (`Date.now`): `limits.now` may be a per-thread clock. */
  wallClock(): number;
}

export interface ParallelOptions {
  workers: number;
  host: ParallelHost;
  /**
   * Whether `limits.memoryUsed` measures the whole process, the worker threads
   * included (a resident set size does): then each worker measures the process
   * too (`ParallelWorkerEnv.processMemoryUsed`) and the largest recent figure is
   * what the budget is held to. Default false: it measures the caller's thread
   * only (a heap), and each worker's own heap and arrays are added to it.
   */
  memoryUsedCoversWorkers?: boolean;
}

/**
 * The share of the memory budget a parallel search may fill (as `exploreStates`
 * without bitstate mode): memory is looked at every 1024 expansions per worker,
 * and the frontier's arrays may double in between.
 */
export const EXACT_SHARE = 0.85;

/** What a worker is started with (structured-cloneable; the buffers are shared). */
export interface ParallelWorkerInit {
  job: ParallelJob;
  workers: number;
  index: number;
  control: SharedArrayBuffer;
  /** The visited set every worker stores into (`SharedFingerprintTable`); its capacity is in the control buffer. */
  table: SharedArrayBuffer;
  /** Per worker, its share of the even and the odd levels: the words and the index buffer of each (`SharedLevelQueue`). */
  queues: [SharedArrayBuffer, SharedArrayBuffer][][];
  maxDepth: number;
  maxStates: number;
  /** On the wall clock. */
  deadline: number;
  /** 0: no memory budget. */
  maxMemoryBytes: number;
  /** What each thread's memory figure covers: itself, or the whole process (see `ParallelOptions.memoryUsedCoversWorkers`). */
  memoryGauge: 'thread' | 'process';
  exhaustive: boolean;
}

/** A violation as a worker found it: the state by global id, and where in the search. */
export interface FoundViolation {
  property: string;
  kind: ViolationKind;
  message: string;
  /** Global id of the violating state (of the expanded state, for a handler error). */
  state: number;
  /** For a handler error: the successor index that failed (-1: none). */
  extra: number;
  /** The path's length (its BFS level, plus one for a handler error). */
  length: number;
  /**
   * The level whose expansion the interpreter would have recorded it in (-1: the
   * initial states): a state's invariants when its parent stored it, a run's end
   * and a handler error when the state itself was expanded.
   */
  moment: number;
}

export interface WorkerResult {
  /** States this worker stored and counted. */
  states: number;
  /** Under symmetry: the states those stand for (their orbit sizes summed; NaN when one was too large to count). */
  rawStates: number;
  transitions: number;
  terminal: number;
  deadlocks: number;
  /** Some state of the last level has successors (the depth bound cut the search). */
  depthLimited: boolean;
  /** Bytes of this worker's parent links (the shared visited set is counted once, by the coordinator). */
  bytes: number;
  violations: FoundViolation[];
  /** Per local state: the parent's global id (-1: an initial state) and the successor index (the initial index for roots). */
  parents: Int32Array;
  via: Int32Array;
}

export type ParallelWorkerMessage =
  | { type: 'level'; worker: number; level: number; nextSize: number; queueBytes: number }
  | { type: 'done'; worker: number; result: WorkerResult }
  | { type: 'error'; worker: number; message: string };

/** Why the search stopped, in the shared stop word; the first writer wins. */
export const Stop = {
  none: 0,
  /** The next level is empty everywhere. */
  finished: 1,
  stopped: 2,
  time: 3,
  memory: 4,
  states: 5,
  allViolated: 6,
  failed: 7,
} as const;

/** Word positions in the shared control buffer; words written by different threads sit on different cache lines. */
export class ControlLayout {
  static readonly stop = 0;
  /** The level the coordinator let the workers finish (they wait until it passes theirs). */
  static readonly go = 16;
  /** States claimed so far: the `maxStates` bound is exact across workers. */
  static readonly claimed = 32;
  /** KiB taken by a growth of the visited set that no measured figure holds yet. */
  static readonly reserved = 48;
  /** The visited set's capacity in slots, and how many it holds (added up in batches). */
  static readonly tableCapacity = 64;
  static readonly tableFilled = 80;
  /** A worker asked for the visited set to double; whether the doubling under way goes ahead; set once the budget refused one. */
  static readonly growth = 96;
  static readonly growthPlan = 97;
  static readonly growthRefused = 98;
  /** The growth barrier: workers arrived, and how many growths have been done. */
  static readonly arrived = 112;
  static readonly generation = 113;
  /** The first worker has stored the initial states. */
  static readonly started = 128;
  static readonly mask = 144;
  readonly maskWords: number;
  private readonly queueInfo: number;
  private readonly cursors: number;
  readonly memory: number;
  readonly words: number;

  constructor(
    readonly workers: number,
    properties: number,
  ) {
    this.maskWords = Math.max(1, Math.ceil(properties / 32));
    this.queueInfo = ControlLayout.mask + Math.ceil(this.maskWords / 16) * 16;
    this.cursors = this.queueInfo + workers * 16;
    this.memory = this.cursors + workers * 16;
    this.words = this.memory + Math.ceil((workers + 1) / 16) * 16;
  }

  /** States in worker `w`'s share of the levels of `parity`, as it left it when its level ended. */
  queueSize(w: number, parity: number): number {
    return this.queueInfo + w * 16 + parity * 2;
  }

  queueLength(w: number, parity: number): number {
    return this.queueInfo + w * 16 + parity * 2 + 1;
  }

  /** The next state of worker `w`'s share of this level that no worker has taken. */
  cursor(w: number): number {
    return this.cursors + w * 16;
  }

  /** Memory used by a worker (or, at `workers`, the coordinator), in KiB. */
  memorySlot(who: number): number {
    return this.memory + who;
  }
}

/** Slots the shared visited set starts with (512 KB). */
const INITIAL_TABLE_SLOTS = 1 << 16;
/** The most a shared buffer may grow to (the largest one V8 allows is 4 GB). */
const MAX_SHARED_BYTES = 2 ** 32;
/** The most one worker's share of a level may take: words and index each. */
const MAX_QUEUE_BYTES = 2 ** 31;

/**
 * `exploreStates` on `options.workers` threads, for the run `job` describes.
 * Same result shape; see the module comment for what equals the single-threaded
 * result and what depends on order. Rejects when the job does not compile or a
 * worker fails.
 */
export async function exploreStatesParallel(job: ParallelJob, limits: ExploreLimits, options: ParallelOptions): Promise<ExploreResult> {
  const sys = compileJob(job);
  if (!sys) throw new Error('the job does not compile: check and compile the file before exploring it');
  const workers = Math.max(1, Math.floor(options.workers));
  if (workers === 1 || parallelUnsupported(sys, limits) !== null) return exploreStates(sys, limits);

  const started = limits.now();
  const host = options.host;
  const layout = new ControlLayout(workers, sys.properties.length);
  const control = new SharedArrayBuffer(layout.words * 4);
  const ctl = new Int32Array(control);
  let table: SharedArrayBuffer;
  let queues: [SharedArrayBuffer, SharedArrayBuffer][][];
  try {
    table = SharedFingerprintTable.createBuffer(INITIAL_TABLE_SLOTS, MAX_SHARED_BYTES);
    queues = Array.from({ length: workers }, () => [SharedLevelQueue.createBuffers(MAX_QUEUE_BYTES), SharedLevelQueue.createBuffers(MAX_QUEUE_BYTES)]);
  } catch {
    // Growable shared buffers reserve address space up front: a host that will not reserve it gets one thread.
    return exploreStates(sys, limits);
  }
  Atomics.store(ctl, ControlLayout.tableCapacity, INITIAL_TABLE_SLOTS);
  /** Bytes of the shared buffers: no thread's heap or array figure holds them. */
  const sharedBytes = () => {
    let bytes = table.byteLength;
    for (const pair of queues) for (const [words, index] of pair) bytes += words.byteLength + index.byteLength;
    return bytes;
  };
  const wallDeadline = Number.isFinite(limits.deadline) ? host.wallClock() + (limits.deadline - limits.now()) : Number.POSITIVE_INFINITY;
  const memoryBudget = limits.maxMemoryBytes && limits.memoryUsed ? limits.maxMemoryBytes : 0;

  const raise = (code: number) => {
    Atomics.compareExchange(ctl, ControlLayout.stop, Stop.none, code);
    Atomics.notify(ctl, ControlLayout.go);
    Atomics.notify(ctl, ControlLayout.started);
    Atomics.notify(ctl, ControlLayout.generation);
  };
  const noteMemory = () => {
    if (!memoryBudget) return;
    const used = limits.memoryUsed!() + (options.memoryUsedCoversWorkers ? 0 : sharedBytes());
    Atomics.store(ctl, layout.memorySlot(workers), Math.ceil(used / 1024));
    // The figure now holds the table's last growth.
    Atomics.store(ctl, ControlLayout.reserved, 0);
  };
  noteMemory();

  const ports: ParallelWorkerPort[] = [];
  const results: (WorkerResult | null)[] = new Array<WorkerResult | null>(workers).fill(null);
  let depthDone = 0;
  let peakFrontierBytes = 0;
  const levelReports = new Map<number, { count: number; nextSize: number; bytes: number }>();

  const outcome = await new Promise<{ error: Error | null }>((resolve) => {
    let settled = false;
    let done = 0;
    const finish = (error: Error | null) => {
      if (settled) return;
      settled = true;
      stopTicking();
      resolve({ error });
    };
    const fail = (error: Error) => {
      raise(Stop.failed);
      finish(error);
    };
    const stopTicking = host.every(20, () => {
      if (limits.stop?.stopped) raise(Stop.stopped);
      else if (limits.now() > limits.deadline) raise(Stop.time);
      noteMemory();
    });
    const onMessage = (m: ParallelWorkerMessage) => {
      if (settled) return;
      if (m.type === 'error') {
        fail(new Error(`exploration worker ${m.worker} failed: ${m.message}`));
        return;
      }
      if (m.type === 'done') {
        results[m.worker] = m.result;
        if (++done === workers) finish(null);
        return;
      }
      const r = levelReports.get(m.level) ?? { count: 0, nextSize: 0, bytes: 0 };
      r.count++;
      r.nextSize += m.nextSize;
      r.bytes += m.queueBytes;
      levelReports.set(m.level, r);
      if (r.count < workers) return;
      levelReports.delete(m.level);
      peakFrontierBytes = Math.max(peakFrontierBytes, r.bytes);
      if (r.nextSize > 0) depthDone = m.level + 1;
      else raise(Stop.finished);
      if (limits.stop?.stopped) raise(Stop.stopped);
      noteMemory();
      for (let w = 0; w < workers; w++) Atomics.store(ctl, layout.cursor(w), 0);
      Atomics.store(ctl, ControlLayout.go, m.level + 1);
      Atomics.notify(ctl, ControlLayout.go);
    };
    for (let index = 0; index < workers; index++) {
      const init: ParallelWorkerInit = {
        job,
        workers,
        index,
        control,
        table,
        queues,
        maxDepth: limits.maxDepth,
        maxStates: limits.maxStates,
        deadline: wallDeadline,
        maxMemoryBytes: memoryBudget,
        memoryGauge: options.memoryUsedCoversWorkers ? 'process' : 'thread',
        exhaustive: limits.exhaustive === true,
      };
      let port: ParallelWorkerPort;
      try {
        port = host.spawn(init);
      } catch (e) {
        fail(e instanceof Error ? e : new Error(String(e)));
        break;
      }
      ports.push(port);
      port.onMessage(onMessage);
      port.onError((e) => fail(e));
    }
  });
  for (const p of ports) p.terminate();
  if (outcome.error) throw outcome.error;
  return mergeResults(sys, limits, results as WorkerResult[], Atomics.load(ctl, ControlLayout.stop), {
    tableBytes: table.byteLength,
    depthDone,
    peakFrontierBytes,
    elapsedMs: limits.now() - started,
  });
}

function mergeResults(
  sys: TransitionSystem,
  limits: ExploreLimits,
  results: WorkerResult[],
  stop: number,
  extra: { tableBytes: number; depthDone: number; peakFrontierBytes: number; elapsedMs: number },
): ExploreResult {
  const workers = results.length;
  let status: ExploreStatus;
  switch (stop) {
    case Stop.stopped:
      status = 'stopped';
      break;
    case Stop.time:
      status = 'limit-time';
      break;
    case Stop.memory:
      status = 'limit-memory';
      break;
    case Stop.states:
      status = 'limit-states';
      break;
    default:
      status = results.some((r) => r.depthLimited) ? 'limit-depth' : 'complete';
  }

  // Each property's first violation: the shortest any worker found (workers report in level order).
  const first = new Map<string, FoundViolation>();
  for (const r of results) {
    for (const v of r.violations) {
      const had = first.get(v.property);
      if (!had || v.length < had.length) first.set(v.property, v);
    }
  }
  const allViolated = () => !limits.exhaustive && sys.properties.length > 0 && sys.properties.every((p) => first.has(p.name));
  /** The interpreter stops after the expansion that recorded the last property; a handler error found after it, it never saw. */
  const stopEarly = () => {
    const err = first.get('handler error');
    if (!err) return;
    let recordedBy = -1;
    for (const p of sys.properties) recordedBy = Math.max(recordedBy, first.get(p.name)?.moment ?? -1);
    if (err.moment > recordedBy) first.delete('handler error');
  };
  if (stop === Stop.allViolated) stopEarly();
  else if (status !== 'complete' && status !== 'stopped' && allViolated()) {
    // The checks of the unexpanded states completed the violations: the interpreter would have stopped there.
    status = 'complete';
    stopEarly();
  }

  const pathTo = (gid: number): { initial: number; path: number[] } => {
    const path: number[] = [];
    let cur = gid;
    for (;;) {
      const r = results[cur % workers]!;
      const local = Math.floor(cur / workers);
      const parent = r.parents[local]!;
      if (parent < 0) return { initial: r.via[local]!, path: path.reverse() };
      path.push(r.via[local]!);
      cur = parent;
    }
  };
  const toViolation = (v: FoundViolation): Violation => {
    const where = pathTo(v.state);
    if (v.extra >= 0) where.path.push(v.extra);
    return { property: v.property, kind: v.kind, message: v.message, ...where };
  };
  const ordered = sys.properties.map((p) => first.get(p.name)).filter((v): v is FoundViolation => v !== undefined).map(toViolation);
  const err = first.get('handler error');
  if (err) ordered.push(toViolation(err));

  const states = results.reduce((n, r) => n + r.states, 0);
  const rawStates = results.reduce((n, r) => n + r.rawStates, 0);
  const bytes = extra.tableBytes + results.reduce((n, r) => n + r.bytes, 0);
  return {
    status,
    stats: {
      states,
      transitions: results.reduce((n, r) => n + r.transitions, 0),
      depth: extra.depthDone,
      terminal: results.reduce((n, r) => n + r.terminal, 0),
      deadlocks: results.reduce((n, r) => n + r.deadlocks, 0),
      elapsedMs: extra.elapsedMs,
      bytesPerState: states > 0 ? bytes / states : 0,
      peakFrontierBytes: extra.peakFrontierBytes,
      collisionProbability: Math.min(1, (states * (states - 1)) / 2 / 2 ** 64),
      symmetry: sys.symmetry,
      ...(sys.symmetry && !Number.isNaN(rawStates) ? { rawStates } : {}),
      workers,
    },
    violations: ordered,
    scriptFired: 0,
  };
}
