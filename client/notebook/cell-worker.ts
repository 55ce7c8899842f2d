import { performance } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';
import type { StopSignal } from '../../engine/explore.js';
import { runCell } from '../../notebook/run.js';
import type { CellJob, CellWorkerData, CellWorkerMessage } from './worker-messages.js';

/**
 * The notebook's worker thread: runs one cell at a time with the core runner
 * (synchronously: this thread exists so the extension host's does not), and
 * posts the plain-JSON result back. A job stops once the host raises the shared
 * flag to its id.
 */

const port = parentPort;
const flag = new Int32Array((workerData as CellWorkerData | null)?.stop ?? new SharedArrayBuffer(4));

function stopSignal(id: number): StopSignal {
  return {
    get stopped() {
      return Atomics.load(flag, 0) >= id;
    },
  };
}

function post(message: CellWorkerMessage): void {
  port?.postMessage(message);
}

port?.on('message', (job: CellJob) => {
  try {
    const run = runCell(job.cells, job.index, {
      now: () => performance.now(),
      timeBudgetMs: job.timeBudgetMs,
      limits: job.limits,
      stop: stopSignal(job.id),
      memoryUsed: () => {
        const m = process.memoryUsage();
        return m.heapUsed + m.arrayBuffers;
      },
    });
    post({ type: 'done', id: job.id, run });
  } catch (error) {
    post({ type: 'error', id: job.id, message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  }
});
