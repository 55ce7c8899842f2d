/**
 * What a protocol notebook's cells produce: the data behind the two output
 * MIME types, shared by the runner (`notebook/run.ts`), the `.ftpnb` files, the
 * VS Code controller and the notebook renderer. Types and constants only. The
 * renderer receives this data, never HTML: it builds its DOM with text nodes
 * and draws traces with `render/mermaid.ts`.
 */
import type { Trace } from '../engine/trace.js';
import type { TraceWindow } from '../render/trace-window.js';

/** The notebook type (`contributes.notebooks`) and its controller. */
export const notebookType = 'faultline-notebook';
/** The notebook renderer's id (`contributes.notebookRenderer`). */
export const notebookRendererId = 'faultline-notebook-renderer';

/** A cell's verdict table: `NotebookVerdicts`. */
export const verdictsMime = 'application/vnd.faultline.verdicts+json';
/** One trace of a cell: `NotebookTrace`. */
export const traceMime = 'application/vnd.faultline.trace+json';

/**
 * How a property came out of a run, as the table shows it:
 * `not violated` = a simulation found no violation (no proof);
 * `bound reached` = the exploration stopped at a depth, state, time or memory bound first;
 * `stopped` = the user interrupted the run.
 */
export type VerdictResult = 'holds' | 'violated' | 'not violated' | 'bound reached' | 'stopped';

export interface NotebookVerdict {
  property: string;
  kind: 'invariant' | 'eventually' | 'runtime-error';
  result: VerdictResult;
  expected: 'holds' | 'violated';
  /** Whether the result is what the notebook expects. */
  ok: boolean;
  message: string;
  /** Length of the counterexample; null when there is none. */
  steps: number | null;
}

export interface NotebookRun {
  /** `check CrashStop`, `scenario CoordinatorCrashAfterVotes`, `default exploration`. */
  title: string;
  run: string;
  kind: 'check' | 'scenario' | 'default' | 'none';
  mode: 'explore' | 'simulate';
  /** `complete`, `limit-depth`, ... */
  status: string;
  /** The status in words: `complete`, `depth bound 40 reached after 1,234 states`. */
  statusText: string;
  /** States explored (explore) or null. */
  states: number | null;
  transitions: number | null;
  depth: number | null;
  /** Random runs taken (simulate) or null. */
  simulations: number | null;
  elapsedMs: number;
  ok: boolean;
  verdicts: NotebookVerdict[];
}

/** A problem of the cell, at a 1-based line and column of its source. */
export interface CellDiagnostic {
  severity: 'error' | 'warning' | 'information' | 'hint';
  code: string;
  message: string;
  /** The 1-based number of the cell it is in, when that is a cell above this one; null for this cell. */
  cell: number | null;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

/** The data of `verdictsMime`: everything a cell's run found. */
export interface NotebookVerdicts {
  format: 'faultline-verdicts/1';
  protocol: string | null;
  diagnostics: CellDiagnostic[];
  runs: NotebookRun[];
  /** No errors and every expectation met. */
  ok: boolean;
  /** The run was interrupted. */
  stopped: boolean;
  /** Milliseconds the cell took. */
  elapsedMs: number;
}

/** Which part of the view a trace is shown at. */
export interface TraceView {
  /** The step in focus, boxed in the diagram (1-based; 0 = the initial state: none is boxed). */
  focus: number;
  /** The window of steps drawn, or null for the whole trace. */
  window: TraceWindow | null;
}

/**
 * The renderer to the extension: the user moved a trace output's window. The
 * extension keeps it (cell metadata `traceViewsKey`) and writes it into the
 * output's `view` when the notebook is saved, so the saved output keeps the
 * window the user last looked at.
 */
export interface TraceViewMessage {
  type: 'traceView';
  /**
   * Which output: a digest of its trace item's bytes (client/notebook/trace-views.ts).
   * VS Code's API gives the extension no output ids, but both sides have the bytes.
   */
  output: string;
  view: TraceView;
}

/** Cell metadata: output digest -> the view the user last looked at, until the notebook is saved. */
export const traceViewsKey = 'faultline.traceViews';

/** The data of `traceMime`: one counterexample or sample run, and how to show it. */
export interface NotebookTrace {
  format: 'faultline-notebook-trace/1';
  /** `Termination violated in check CoordinatorCrashStop (as expected)`. */
  title: string;
  run: string;
  /** The violated property; null for a sample run. */
  property: string | null;
  ok: boolean;
  message: string;
  /** In `faultline-trace/1`; its spans are offsets into the cells it was run from, joined (see `sources`). */
  trace: Trace;
  /** Which offsets of the trace's spans belong to which cell (1-based cell numbers at the time of the run). */
  sources: { cell: number; start: number; end: number }[];
  view: TraceView;
}
