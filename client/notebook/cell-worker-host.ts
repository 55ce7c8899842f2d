import { Worker } from 'node:worker_threads';
import type { CellRun, KernelCell, RunLimits } from '../../notebook/run.js';
import type { CellJob, CellWorkerData, CellWorkerMessage } from './worker-messages.js';

/** How a cell's job ended. */
export type CellJobEnd =
  | { kind: 'done'; run: CellRun }
  /** Stopped before it started. */
  | { kind: 'cancelled' }
  /** Stopped, and the worker did not answer within the grace period: it was terminated. */
  | { kind: 'killed' }
  /** The worker died (out of memory, a native crash) or the runner threw. */
  | { kind: 'crashed'; reason: string };

export interface CellWorkerHostOptions {
  /** The worker script (`notebook-worker.cjs` in the extension; `cell-worker.js` under tsc). */
  script: string | URL;
  /** Heap limit of the worker, in MB. */
  maxMemoryMb: number;
  /** Milliseconds a stopped job may take to notice before its worker is terminated. */
  killAfterMs: number;
  log: (message: string) => void;
}

export interface CellJobRequest {
  cells: KernelCell[];
  index: number;
  timeBudgetMs: number;
  limits: RunLimits;
}

export interface RunningCellJob {
  ended: Promise<CellJobEnd>;
  /** Asks the job to stop (the worker answers with what it has); terminates the worker if it does not. */
  stop(): void;
}

/**
 * One worker thread for the notebook controller, running one cell at a time,
 * so the extension host stays responsive while a cell explores. Stopping raises
 * a shared flag the engine's StopSignal reads; a worker that ignores it is
 * terminated, and a dead worker is replaced by the next job.
 */
export class CellWorkerHost {
  private worker: Worker | null = null;
  private readonly stopBuffer = new SharedArrayBuffer(4);
  private readonly stopFlag = new Int32Array(this.stopBuffer);
  private nextId = 1;
  private current: { id: number; finish: (end: CellJobEnd) => void; killTimer: ReturnType<typeof setTimeout> | null } | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private disposed = false;

  constructor(private readonly options: CellWorkerHostOptions) {}

  /** Runs a cell once the jobs before it have ended. */
  run(request: CellJobRequest): RunningCellJob {
    const id = this.nextId++;
    let stopped = false;
    const ended = (this.queue = this.queue.then(
      () => (stopped || this.disposed ? Promise.resolve<CellJobEnd>({ kind: 'cancelled' }) : this.start(id, request)),
      () => undefined,
    )) as Promise<CellJobEnd>;
    return {
      ended,
      stop: () => {
        stopped = true;
        this.stop(id);
      },
    };
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    Atomics.store(this.stopFlag, 0, this.nextId);
    this.current?.finish({ kind: 'killed' });
    const worker = this.worker;
    this.worker = null;
    if (worker) await worker.terminate();
  }

  private start(id: number, request: CellJobRequest): Promise<CellJobEnd> {
    return new Promise<CellJobEnd>((resolve) => {
      let settled = false;
      this.current = {
        id,
        killTimer: null,
        finish: (end) => {
          if (settled) return;
          settled = true;
          if (this.current?.killTimer) clearTimeout(this.current.killTimer);
          this.current = null;
          resolve(end);
        },
      };
      const job: CellJob = { type: 'run', id, ...request };
      try {
        this.ensureWorker().postMessage(job);
      } catch (error) {
        this.current.finish({ kind: 'crashed', reason: error instanceof Error ? error.message : String(error) });
      }
    });
  }

  private stop(id: number): void {
    const current = this.current;
    // A queued job is dropped when its turn comes; only the running one is stopped through the flag
    // (raising it to a later id would stop the running job too).
    if (current === null || current.id !== id || current.killTimer !== null) return;
    Atomics.store(this.stopFlag, 0, Math.max(Atomics.load(this.stopFlag, 0), id));
    current.killTimer = setTimeout(() => {
      if (this.current?.id !== id) return;
      this.options.log(`notebook worker ignored a stop for ${this.options.killAfterMs} ms: terminating it`);
      const worker = this.worker;
      this.worker = null;
      current.finish({ kind: 'killed' });
      void worker?.terminate();
    }, this.options.killAfterMs);
  }

  private ensureWorker(): Worker {
    if (this.worker !== null) return this.worker;
    const data: CellWorkerData = { stop: this.stopBuffer };
    const worker = new Worker(this.options.script, { workerData: data, resourceLimits: { maxOldGenerationSizeMb: this.options.maxMemoryMb } });
    worker.on('message', (message: CellWorkerMessage) => {
      const current = this.current;
      if (worker !== this.worker || current === null || message.id !== current.id) return;
      if (message.type === 'done') current.finish({ kind: 'done', run: message.run });
      else current.finish({ kind: 'crashed', reason: message.message });
    });
    const died = (reason: string): void => {
      if (worker !== this.worker) return;
      this.worker = null;
      this.options.log(`notebook worker died: ${reason}`);
      this.current?.finish({ kind: 'crashed', reason });
    };
    worker.on('error', (error) => died(error instanceof Error ? error.message : String(error)));
    worker.on('exit', (code) => died(`exited with code ${code}`));
    this.worker = worker;
    return worker;
  }
}
