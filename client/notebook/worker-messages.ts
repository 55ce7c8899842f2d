import type { CellRun, KernelCell, RunLimits } from '../../notebook/run.js';

/**
 * Messages between the notebook controller (through `CellWorkerHost`) and the
 * cell worker. Plain JSON: the worker re-analyses the cells' text itself.
 */

/** Given to the worker when it starts: a shared flag the host raises to the id of the job to stop. */
export interface CellWorkerData {
  stop: SharedArrayBuffer;
}

export interface CellJob {
  type: 'run';
  id: number;
  cells: KernelCell[];
  index: number;
  timeBudgetMs: number;
  limits: RunLimits;
}

export type CellWorkerMessage =
  /** The cell ran (or was stopped part way: `run.stopped`). */
  | { type: 'done'; id: number; run: CellRun }
  /** The runner failed: a bug, reported as such. */
  | { type: 'error'; id: number; message: string };
