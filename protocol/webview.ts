/**
 * Messages between the extension host and the timeline preview's webview.
 * Types only: both sides switch exhaustively on `type`. The webview receives
 * data (traces, state machines), never HTML; it renders every label itself,
 * through `render/mermaid.ts` and DOM text nodes.
 */
import type { Trace } from '../engine/trace.js';
import type { Span } from '../language/span.js';
import type { RunTraces } from './lsp.js';
import type { StateMachine } from '../render/state-machine.js';

/** The document a preview shows. */
export interface PreviewDocument {
  uri: string;
  /** The file's base name, for titles and export file names. */
  name: string;
  version: number;
}

/** One trace the picker offers: a counterexample of a property, or a sample run. */
export interface PreviewTrace {
  /** Stable across re-runs of the same document: `run` + property (or `sample`), so a selection survives edits. */
  id: string;
  run: string;
  runKind: RunTraces['runKind'];
  /** The violated property; null for a sample run. */
  property: string | null;
  /** Whether this outcome is what the file expects. */
  ok: boolean;
  /** The verdict's wording. */
  message: string;
  /** The seed of a sample run; null for a counterexample. */
  seed: number | null;
  trace: Trace;
}

/** A run of the document, for the picker's groups and the seed box. */
export interface PreviewRun {
  run: string;
  runKind: RunTraces['runKind'];
  mode: 'explore' | 'simulate';
  /** `complete`, `limit-time`, ... */
  status: string;
  ok: boolean;
  /** One line per property: `Atomicity: holds`. */
  verdicts: string[];
}

export type ExportFormat = 'svg' | 'markdown';

/** What the preview should look at when it gets new traces. */
export interface PreviewSelection {
  /** A `PreviewTrace.id`, or null to keep the current one (or the first). */
  trace: string | null;
  /** A run name: its first trace is chosen when `trace` is not found. */
  run: string | null;
}

export type HostToWebview =
  /** The traces of a document: shown at once, keeping the current choice and step where they still exist. */
  | {
      type: 'show';
      document: PreviewDocument;
      runs: PreviewRun[];
      traces: PreviewTrace[];
      stateMachines: StateMachine[];
      select: PreviewSelection;
      /** Why there is nothing to show (errors in the file, a failed run); null when all went well. */
      error: string | null;
    }
  /** Traces for the document are being computed. */
  | { type: 'busy'; document: PreviewDocument }
  /** Move to a step of the current trace (0 = the initial state). */
  | { type: 'selectStep'; step: number }
  /** Send back the current diagram in this format (`export` answer); SVG draws the whole trace first, reporting `exportProgress`. */
  | { type: 'requestExport'; format: ExportFormat }
  /** The user cancelled an export in progress (VS Code's progress notification). */
  | { type: 'cancelExport' };

/**
 * `show` as it crosses into the webview: the traces as one JSON text. A webview
 * message is copied by structured clone, which takes ~100 ms (~500 ms on a busy
 * machine) for the objects of a 10,000-step trace; one string is copied at once
 * and `JSON.parse` reads it in ~25 ms. The other messages cross as they are.
 */
export type HostToWebviewWire = Exclude<HostToWebview, { type: 'show' }> | (Omit<Extract<HostToWebview, { type: 'show' }>, 'traces'> & { traces: string });

export type WebviewToHost =
  /** The page has loaded and listens: send it the current document. */
  | { type: 'ready' }
  /** The user clicked a message or note: show this source range. */
  | { type: 'revealSource'; uri: string; version: number; span: Span }
  /** The user asked for a sample run of `run` with this seed. */
  | { type: 'requestSample'; uri: string; run: string; seed: number }
  /** The step shown changed: the host marks the handler in the editor. */
  | { type: 'stepChanged'; uri: string; version: number; step: number; handler: Span | null }
  /** The diagram to save (SVG text or a Markdown document with a mermaid block). */
  | { type: 'export'; format: ExportFormat; fileName: string; content: string }
  /** An SVG export drawing the whole trace: `done` of `total` chunks; the host shows it with a Cancel button. */
  | { type: 'exportProgress'; state: 'running' | 'done' | 'cancelled' | 'failed'; done: number; total: number }
  /** A problem the page met (a Mermaid error): logged by the host. */
  | { type: 'log'; level: 'info' | 'error'; message: string };

export const webviewMessageTypes: readonly WebviewToHost['type'][] = ['ready', 'revealSource', 'requestSample', 'stepChanged', 'export', 'exportProgress', 'log'];
export const hostMessageTypes: readonly HostToWebview['type'][] = ['show', 'busy', 'selectStep', 'requestExport', 'cancelExport'];
