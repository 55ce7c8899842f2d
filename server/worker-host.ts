import { Worker } from 'node:worker_threads';
import type { JobRequest, WorkerData, WorkerJob, WorkerMessage } from './worker-messages.js';

/** How a job ended. */
export type JobEnd =
  /** The worker answered `done` (or `traces`, or reported an error). */
  | { kind: 'finished' }
  /** Stopped through the flag, and the worker acknowledged. */
  | { kind: 'stopped' }
  /** Ignored the stop for too long and was terminated. */
  | { kind: 'killed' }
  /** The worker died (out of memory, a native crash). */
  | { kind: 'crashed'; reason: string };

/** A job handed to the worker. */
export interface RunningJob {
  id: number;
  /** Resolves once, when the job is over; the worker is free again then. */
  ended: Promise<JobEnd>;
  /** Asks the job to stop; terminates the worker if it has not stopped within the grace period. */
  stop(): void;
}

export interface WorkerHostOptions {
  /** The worker script (compiled `explore-worker.js`). */
  script: URL;
  /** Hard heap limit of the worker, in MB (`resourceLimits.maxOldGenerationSizeMb`). */
  maxMemoryMb: number;
  /** Milliseconds a stopped job may take to notice before its worker is terminated. */
  killAfterMs: number;
  log: (message: string) => void;
}

/**
 * One worker thread running one job at a time. A job is stopped by raising a
 * shared flag (the worker's StopSignal reads it with Atomics); a worker that
 * does not acknowledge within `killAfterMs` is terminated, and a worker that
 * dies is replaced on the next job.
 */
export class WorkerHost {
  private worker: Worker | null = null;
  private readonly stopBuffer = new SharedArrayBuffer(4);
  private readonly stopFlag = new Int32Array(this.stopBuffer);
  private nextId = 1;
  private current: {
    id: number;
    onMessage: (message: WorkerMessage) => void;
    finish: (end: JobEnd) => void;
    killTimer: NodeJS.Timeout | null;
  } | null = null;
  private disposed = false;

  constructor(private readonly options: WorkerHostOptions) {}

  /** Whether a job is running. */
  get busy(): boolean {
    return this.current !== null;
  }

  /** Starts a job; `onMessage` sees its messages until it ends. Only one job runs at a time. */
  run(request: JobRequest, onMessage: (message: WorkerMessage) => void): RunningJob {
    if (this.current !== null) throw new Error('the worker is busy');
    if (this.disposed) throw new Error('the worker host is disposed');
    const id = this.nextId++;
    let finish: (end: JobEnd) => void = () => {};
    const ended = new Promise<JobEnd>((resolve) => {
      finish = resolve;
    });
    let settled = false;
    this.current = {
      id,
      onMessage,
      finish: (end) => {
        if (settled) return;
        settled = true;
        if (this.current?.killTimer) clearTimeout(this.current.killTimer);
        this.current = null;
        finish(end);
      },
      killTimer: null,
    };
    const job = { ...request, id } as WorkerJob;
    try {
      this.ensureWorker().postMessage(job);
    } catch (error) {
      this.current.finish({ kind: 'crashed', reason: error instanceof Error ? error.message : String(error) });
    }
    return { id, ended, stop: () => this.stop(id) };
  }

  /** Starts the worker ahead of the first job, so that job does not wait for the engine to load. */
  warm(): void {
    if (!this.disposed && this.worker === null) this.ensureWorker();
  }

  /** Terminates the worker for good. */
  async dispose(): Promise<void> {
    this.disposed = true;
    Atomics.store(this.stopFlag, 0, this.nextId);
    this.current?.finish({ kind: 'stopped' });
    const worker = this.worker;
    this.worker = null;
    if (worker) await worker.terminate();
  }

  private stop(id: number): void {
    const current = this.current;
    if (current === null || current.id !== id) return;
    Atomics.store(this.stopFlag, 0, Math.max(Atomics.load(this.stopFlag, 0), id));
    if (current.killTimer !== null) return;
    current.killTimer = setTimeout(() => {
      if (this.current?.id !== id) return;
      this.options.log(`exploration worker ignored a stop for ${this.options.killAfterMs} ms: terminating it`);
      const worker = this.worker;
      this.worker = null;
      current.finish({ kind: 'killed' });
      void worker?.terminate();
    }, this.options.killAfterMs);
  }

  private ensureWorker(): Worker {
    if (this.worker !== null) return this.worker;
    const data: WorkerData = { stop: this.stopBuffer };
    const worker = new Worker(this.options.script, {
      workerData: data,
      resourceLimits: { maxOldGenerationSizeMb: this.options.maxMemoryMb },
      stdout: false,
      stderr: false,
    });
    worker.on('message', (message: WorkerMessage) => {
      const current = this.current;
      if (worker !== this.worker || current === null || message.id !== current.id) return;
      current.onMessage(message);
      if (message.type === 'done') current.finish({ kind: message.stopped ? 'stopped' : 'finished' });
      else if (message.type === 'traces' || message.type === 'error') current.finish({ kind: 'finished' });
    });
    const died = (reason: string): void => {
      if (worker !== this.worker) return;
      this.worker = null;
      this.options.log(`exploration worker died: ${reason}`);
      this.current?.finish({ kind: 'crashed', reason });
    };
    worker.on('error', (error) => died(error instanceof Error ? error.message : String(error)));
    worker.on('exit', (code) => died(`exited with code ${code}`));
    this.worker = worker;
    return worker;
  }
}
