import { assertNever } from '../../language/ast.js';
import type { Span } from '../../language/span.js';
import type { ExportFormat, HostToWebview, HostToWebviewWire, WebviewToHost } from '../../protocol/webview.js';
import { hostMessageTypes, webviewMessageTypes } from '../../protocol/webview.js';

/**
 * Checking and routing of the messages between the extension host and the
 * preview. No `vscode` import: the host's panel and the tests both use it.
 * A webview is a web page, so what it sends is checked field by field before
 * the host acts on it.
 */

type Fields = Record<string, unknown>;

function isFields(v: unknown): v is Fields {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isCount(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0;
}

function isSpan(v: unknown): v is Span {
  return isFields(v) && isCount(v.start) && isCount(v.end) && v.start <= v.end;
}

function isFormat(v: unknown): v is ExportFormat {
  return v === 'svg' || v === 'markdown';
}

/** A message from the webview, or null when it is not one we know (wrong type, missing or mistyped fields). */
export function parseWebviewMessage(data: unknown): WebviewToHost | null {
  if (!isFields(data) || typeof data.type !== 'string') return null;
  const type = data.type as WebviewToHost['type'];
  if (!webviewMessageTypes.includes(type)) return null;
  switch (type) {
    case 'ready':
      return { type };
    case 'revealSource':
      return typeof data.uri === 'string' && isCount(data.version) && isSpan(data.span)
        ? { type, uri: data.uri, version: data.version, span: { start: data.span.start, end: data.span.end } }
        : null;
    case 'requestSample':
      return typeof data.uri === 'string' && typeof data.run === 'string' && isCount(data.seed) && data.seed <= 0xffffffff
        ? { type, uri: data.uri, run: data.run, seed: data.seed }
        : null;
    case 'stepChanged':
      return typeof data.uri === 'string' && isCount(data.version) && isCount(data.step) && (data.handler === null || isSpan(data.handler))
        ? { type, uri: data.uri, version: data.version, step: data.step, handler: data.handler === null ? null : { start: data.handler.start, end: data.handler.end } }
        : null;
    case 'export':
      return isFormat(data.format) && typeof data.fileName === 'string' && typeof data.content === 'string'
        ? { type, format: data.format, fileName: data.fileName, content: data.content }
        : null;
    case 'exportProgress':
      return (data.state === 'running' || data.state === 'done' || data.state === 'cancelled' || data.state === 'failed') && isCount(data.done) && isCount(data.total)
        ? { type, state: data.state, done: data.done, total: data.total }
        : null;
    case 'log':
      return (data.level === 'info' || data.level === 'error') && typeof data.message === 'string' ? { type, level: data.level, message: data.message } : null;
    default:
      return assertNever(type);
  }
}

/**
 * A message from the host. The host is trusted (it is our own extension), so
 * only the tag and the top-level shape are checked; anything else a page might
 * receive (another frame's message) is ignored.
 */
export function parseHostMessage(data: unknown): HostToWebview | null {
  if (!isFields(data) || typeof data.type !== 'string') return null;
  const type = data.type as HostToWebview['type'];
  if (!hostMessageTypes.includes(type)) return null;
  switch (type) {
    case 'show': {
      // The host sends the traces as JSON text (HostToWebviewWire); an array is taken as it is.
      const traces = typeof data.traces === 'string' ? parseJson(data.traces) : data.traces;
      return isFields(data.document) && Array.isArray(traces) && Array.isArray(data.runs) && Array.isArray(data.stateMachines) && isFields(data.select)
        ? ({ ...data, traces } as unknown as HostToWebview)
        : null;
    }
    case 'cancelExport':
      return { type };
    case 'busy':
      return isFields(data.document) ? (data as unknown as HostToWebview) : null;
    case 'selectStep':
      return isCount(data.step) ? { type, step: data.step } : null;
    case 'requestExport':
      return isFormat(data.format) ? { type, format: data.format } : null;
    default:
      return assertNever(type);
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

/** A host message as it is posted to the webview (see `HostToWebviewWire`). */
export function encodeHostMessage(message: HostToWebview): HostToWebviewWire {
  return message.type === 'show' ? { ...message, traces: JSON.stringify(message.traces) } : message;
}

/** What the host does with each message from the webview. */
export interface WebviewMessageHandlers {
  ready(): Promise<void> | void;
  revealSource(uri: string, version: number, span: Span): Promise<void> | void;
  requestSample(uri: string, run: string, seed: number): Promise<void> | void;
  stepChanged(uri: string, version: number, step: number, handler: Span | null): Promise<void> | void;
  exportDiagram(format: ExportFormat, fileName: string, content: string): Promise<void> | void;
  exportProgress(state: 'running' | 'done' | 'cancelled' | 'failed', done: number, total: number): Promise<void> | void;
  log(level: 'info' | 'error', message: string): Promise<void> | void;
  /** Something that is not a message we know. */
  rejected(data: unknown): Promise<void> | void;
}

/** Checks a message from the webview and hands it to its handler. */
export async function routeWebviewMessage(data: unknown, handlers: WebviewMessageHandlers): Promise<void> {
  const msg = parseWebviewMessage(data);
  if (msg === null) {
    await handlers.rejected(data);
    return;
  }
  switch (msg.type) {
    case 'ready':
      return handlers.ready();
    case 'revealSource':
      return handlers.revealSource(msg.uri, msg.version, msg.span);
    case 'requestSample':
      return handlers.requestSample(msg.uri, msg.run, msg.seed);
    case 'stepChanged':
      return handlers.stepChanged(msg.uri, msg.version, msg.step, msg.handler);
    case 'export':
      return handlers.exportDiagram(msg.format, msg.fileName, msg.content);
    case 'exportProgress':
      return handlers.exportProgress(msg.state, msg.done, msg.total);
    case 'log':
      return handlers.log(msg.level, msg.message);
    default:
      return assertNever(msg);
  }
}

/** A file name made only of safe characters, for export defaults. */
export function safeFileName(text: string): string {
  const cleaned = text.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[-.]+|-+$/g, '');
  return cleaned.length > 0 ? cleaned.slice(0, 80) : 'diagram';
}
