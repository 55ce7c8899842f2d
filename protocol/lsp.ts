/**
 * Faultline's extensions to the Language Server Protocol, shared by the server,
 * the VS Code client, the preview and the notebooks. Types and constants only:
 * no imports from `vscode*`, so every side can use them.
 *
 * Positions here are LSP positions (zero-based line and UTF-16 character), as in
 * every other LSP message; traces keep their own offset spans (`docs/trace-format.md`).
 */
import type { Trace } from '../engine/trace.js';
import type { LensAction } from '../language/queries/code-lens.js';

/** A zero-based line and character, as in LSP. */
export interface LspPosition {
  line: number;
  character: number;
}

/** How to name one `scenario` or `check` of a document. */
export interface RunRef {
  /** The run's name: a scenario's name, a check's name, or `check explore` / `check simulate` for an unnamed check. */
  name: string;
  /** Where the declaration starts; tells apart two unnamed checks of the same mode. */
  position?: LspPosition;
}

// ---------------------------------------------------------------------------
// `faultline/traces`: the traces of a scenario, a check or a counterexample.

export const tracesRequest = 'faultline/traces';

export interface TracesParams {
  uri: string;
  /** The run to trace; null = every scenario and check of the document. */
  run: RunRef | null;
  /** Seed of the sample run shown when nothing is violated (default: the run's own seed). */
  seed?: number;
  /** Run in this mode instead of the check's own (the `Explore` lens asks for `explore`). */
  mode?: 'explore' | 'simulate';
}

/** One trace of a run: a counterexample of a property, or a sample run when none was found. */
export interface RunTrace {
  /** The violated property (or `handler error`); null for a sample run. */
  property: string | null;
  /** Whether this outcome is what the file expects (`expect ... violated` makes a violation ok). */
  ok: boolean;
  /** The verdict's wording, e.g. "Atomicity does not hold". */
  message: string;
  /** The trace in `faultline-trace/1` format. */
  trace: Trace;
}

/** A property's verdict in one run, without its trace. */
export interface VerdictSummary {
  property: string;
  kind: 'invariant' | 'eventually' | 'runtime-error';
  outcome: 'holds' | 'violated' | 'unknown';
  expected: 'holds' | 'violated';
  ok: boolean;
  message: string;
}

/** How far one run got. */
export type RunStatus = 'complete' | 'bitstate' | 'stopped' | 'limit-states' | 'limit-depth' | 'limit-time' | 'limit-memory';

export interface RunTraces {
  run: string;
  /** `default`: the exploration of a file with no check or scenario. */
  runKind: 'scenario' | 'check' | 'default' | 'none';
  mode: 'explore' | 'simulate';
  status: RunStatus;
  /** Reachable states visited (explore) or runs taken (simulate). */
  states: number | null;
  ok: boolean;
  verdicts: VerdictSummary[];
  traces: RunTrace[];
}

export interface TracesResult {
  uri: string;
  /** The document version the traces were computed for. */
  version: number;
  /** Why there are no runs: the file has errors, the run is unknown, the run was cut short. */
  error: string | null;
  runs: RunTraces[];
}

// ---------------------------------------------------------------------------
// `faultline/runStatus`: what background exploration is doing for a document.

export const runStatusNotification = 'faultline/runStatus';

export type ExplorationState =
  /** A run of this version waits for the typing to pause (debounce) or for the worker. */
  | 'scheduled'
  /** The worker started exploring this version. */
  | 'running'
  /** Every run finished; the diagnostics of this version are final. */
  | 'done'
  /** A newer edit (or a closed document) stopped it; nothing was published. */
  | 'cancelled'
  /** Nothing to run: the file has errors or background exploration is off. */
  | 'skipped'
  /** The worker crashed or ran out of memory; an information diagnostic says so. */
  | 'failed';

export interface RunStatusParams {
  uri: string;
  version: number;
  state: ExplorationState;
  /** One line per run when finished: `check explore: 1,523 states, complete: ok`. */
  summary: string[];
  /** Milliseconds from the change to this notification. */
  elapsedMs: number;
}

// ---------------------------------------------------------------------------
// Commands (ids of code lenses; the client implements them).

export const commands = {
  /** Run one scenario or check in its own mode; args: [uri, RunRef]. */
  runScenario: 'faultline.run.scenario',
  /** Explore one scenario or check exhaustively; args: [uri, RunRef]. */
  explore: 'faultline.explore',
  /** Open the timeline preview of a run; args: [uri, RunRef]. */
  showPreview: 'faultline.preview.show',
} as const;

/** The command of each code-lens action of `language/queries/code-lens.ts`. */
export const lensCommands: Record<LensAction, string> = {
  run: commands.runScenario,
  explore: commands.explore,
  timeline: commands.showPreview,
};

// ---------------------------------------------------------------------------
// Settings (`faultline.*` in the client's configuration).

export const settingsSection = 'faultline';

export interface ExploreSettings {
  /** A cap on the states of one background run (the file's own `states` bound applies when lower). */
  maxStates: number;
  /** A cap on the depth of one background run. */
  maxDepth: number;
  /** Milliseconds one background run may take. */
  timeBudgetMs: number;
  /** Whether scenarios and checks run in the background as the user types. */
  background: boolean;
  /** Heap of the exploration worker, in megabytes. */
  maxMemoryMb: number;
  /** At the memory budget: stop with `limit-memory`, or go on as a bitstate search. */
  onMemoryLimit: 'stop' | 'bitstate';
  /** Threads an exhaustive exploration runs on (1: the exploration worker alone). */
  workers: number;
}

export interface FaultlineSettings {
  explore: ExploreSettings;
}

export const defaultSettings: FaultlineSettings = {
  explore: { maxStates: 1_000_000, maxDepth: 1000, timeBudgetMs: 2000, background: true, maxMemoryMb: 1024, onMemoryLimit: 'stop', workers: 1 },
};
