import { Worker } from 'node:worker_threads';
import type { ExploreLimits, ExploreResult } from '../engine/explore.js';
import type { ParallelHost, ParallelJob, ParallelWorkerInit, ParallelWorkerMessage, ParallelWorkerPort } from '../engine/explore-parallel.js';
import { exploreStatesParallel } from '../engine/explore-parallel.js';

/**
 * The Node side of parallel exploration: the core (`engine/explore-parallel.ts`)
 * may not import `worker_threads`, so it is given a host that runs its workers.
 *
 * Threads are pooled: starting one costs about a second of loading the parser and
 * engine modules on this machine class, more than exploring most models takes,
 * so a thread that finished its part of a search waits for the next one. Idle
 * threads are unreferenced and never keep the process alive.
 */
export class ExploreThreadPool implements ParallelHost {
  private readonly idle: Worker[] = [];
  private readonly all = new Set<Worker>();

  constructor(private readonly script: URL = new URL('./explore-parallel-worker.js', import.meta.url)) {}

  spawn(init: ParallelWorkerInit): ParallelWorkerPort {
    const worker = this.idle.pop() ?? this.start();
    worker.ref();
    let onMessage: ((m: ParallelWorkerMessage) => void) | null = null;
    let onError: ((e: Error) => void) | null = null;
    let finished = false;
    let exited = false;
    const message = (m: ParallelWorkerMessage) => {
      if (m.type !== 'level') finished = true;
      onMessage?.(m);
    };
    const error = (e: unknown) => onError?.(e instanceof Error ? e : new Error(String(e)));
    const exit = (code: number) => {
      exited = true;
      this.all.delete(worker);
      onError?.(new Error(`exploration worker ${init.index} exited with code ${code}`));
    };
    worker.on('message', message);
    worker.on('error', error);
    worker.on('exit', exit);
    worker.postMessage(init);
    return {
      onMessage: (listener) => {
        onMessage = listener;
      },
      onError: (listener) => {
        onError = listener;
      },
      terminate: () => {
        worker.off('message', message);
        worker.off('error', error);
        worker.off('exit', exit);
        if (exited) return;
        if (finished) {
          // It answered: its search is over and it waits for the next.
          worker.unref();
          this.idle.push(worker);
        } else {
          this.all.delete(worker);
          void worker.terminate();
        }
      },
    };
  }

  every(ms: number, tick: () => void): () => void {
    const timer = setInterval(tick, ms);
    return () => clearInterval(timer);
  }

  wallClock(): number {
    return Date.now();
  }

  /** Ends every thread of the pool. */
  async dispose(): Promise<void> {
    const workers = [...this.all];
    this.all.clear();
    this.idle.length = 0;
    await Promise.all(workers.map((w) => w.terminate()));
  }

  private start(): Worker {
    const worker = new Worker(this.script);
    worker.unref();
    this.all.add(worker);
    return worker;
  }
}

let shared: ExploreThreadPool | null = null;

/** The pool `exploreOnThreads` uses unless given one. */
export function sharedThreadPool(): ExploreThreadPool {
  shared ??= new ExploreThreadPool();
  return shared;
}

export interface ThreadOptions {
  workers: number;
  /** Threads to run on (default: `sharedThreadPool()`). */
  pool?: ExploreThreadPool;
  /** `limits.memoryUsed` measures the whole process (say so for `process.memoryUsage.rss`): see `ParallelOptions`. */
  memoryUsedCoversWorkers?: boolean;
}

/** `exploreStatesParallel` on Node worker threads. */
export function exploreOnThreads(job: ParallelJob, limits: ExploreLimits, options: ThreadOptions): Promise<ExploreResult> {
  return exploreStatesParallel(job, limits, {
    workers: options.workers,
    host: options.pool ?? sharedThreadPool(),
    ...(options.memoryUsedCoversWorkers !== undefined ? { memoryUsedCoversWorkers: options.memoryUsedCoversWorkers } : {}),
  });
}
