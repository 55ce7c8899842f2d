import type { Diagnostic } from '../language/diagnostic.js';
import type { RunTraces } from '../protocol/lsp.js';

/**
 * Messages between the server and its exploration worker. Plain JSON: the
 * worker re-parses the text instead of receiving a model (a CheckedModel holds
 * maps and closures and never leaves the thread that built it).
 */

/** Bounds of one job, from the `faultline.explore.*` settings. */
export interface JobLimits {
  timeBudgetMs: number;
  /** Caps on the file's own `states` and `depth` bounds (the lower one wins). */
  maxStates: number;
  maxDepth: number;
  /** Stop with `limit-memory` above this heap size (below the worker's hard limit). */
  maxMemoryBytes: number;
  /** Past that, go on as a bitstate search instead of stopping. */
  bitstate: boolean;
  /** Threads an exhaustive exploration runs on (`exploreOnThreads`); 1: this worker alone. */
  workers: number;
}

/** Run every check and scenario of a text, reporting each run's diagnostics as it finishes. */
export interface ExploreJob {
  type: 'explore';
  id: number;
  text: string;
  limits: JobLimits;
}

/** Trace one run (or all) of a text. */
export interface TracesJob {
  type: 'traces';
  id: number;
  text: string;
  /** The run's name, and the offset where its declaration starts when known; null = every run. */
  run: { name: string; start: number | null } | null;
  seed: number | null;
  mode: 'explore' | 'simulate' | null;
  limits: JobLimits;
}

export type WorkerJob = ExploreJob | TracesJob;

/** A job without its id: what callers hand to the worker host. */
export type JobRequest = Omit<ExploreJob, 'id'> | Omit<TracesJob, 'id'>;

/** One run of an explore job finished. */
export interface RunDoneMessage {
  type: 'run';
  id: number;
  run: string;
  /** Diagnostics of this run (`reportDiagnostics`). */
  diagnostics: Diagnostic[];
  /** One line: `check explore: 1,523 states, complete: ok`. */
  summary: string;
}

/** The job is over: every run finished, or the stop flag cut it short. */
export interface JobDoneMessage {
  type: 'done';
  id: number;
  stopped: boolean;
}

export interface TracesMessage {
  type: 'traces';
  id: number;
  error: string | null;
  runs: RunTraces[];
}

/** The job threw (a bug in the core, reported rather than crashing the worker). */
export interface JobErrorMessage {
  type: 'error';
  id: number;
  message: string;
}

export type WorkerMessage = RunDoneMessage | JobDoneMessage | TracesMessage | JobErrorMessage;

/** Data every worker starts with. */
export interface WorkerData {
  /** One Int32: the id of the newest job told to stop; a job stops when this reaches its id. */
  stop: SharedArrayBuffer;
}
