import type { JsonValue } from '../../engine/trace.js';
import type { CellOutput, ExecutionSummary, Notebook, NotebookCell, OutputItem } from '../../notebook/format.js';
import { isJsonMime } from '../../notebook/format.js';
import { parseJsonValue } from '../../notebook/json.js';

/**
 * Between the `.ftpnb` model and VS Code's `NotebookData`, without importing
 * `vscode`: the shapes below are the parts of `vscode.NotebookCellData` and
 * `vscode.NotebookCellOutput` the serializer fills, so this conversion is tested
 * in Node and the serializer only wraps it. Nothing is dropped on the way:
 * output bytes that are not valid JSON (for a JSON MIME type) stay text, and
 * bytes that are not UTF-8 stay bytes (base64).
 */

/** `vscode.NotebookCellKind`: Markup = 1, Code = 2. */
export const markupKind = 1;
export const codeKind = 2;

export interface OutputItemShape {
  mime: string;
  data: Uint8Array;
}

export interface OutputShape {
  items: OutputItemShape[];
  metadata?: Record<string, unknown>;
}

export interface ExecutionSummaryShape {
  executionOrder?: number;
  success?: boolean;
  timing?: { startTime: number; endTime: number };
}

export interface CellDataShape {
  kind: number;
  value: string;
  languageId: string;
  metadata?: Record<string, unknown>;
  outputs?: OutputShape[];
  executionSummary?: ExecutionSummaryShape;
}

export interface NotebookDataShape {
  cells: CellDataShape[];
  metadata?: Record<string, unknown>;
}

const utf8 = new TextEncoder();

/** Strict UTF-8: bytes that are not UTF-8 are reported, never replaced. */
function decodeUtf8(bytes: Uint8Array): string | null {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return null;
  }
}

function base64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

function fromBase64(text: string): Uint8Array {
  const s = atob(text);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

/** Metadata as plain JSON (VS Code's is `any`): what JSON cannot hold was never saved anyway. */
function jsonRecord(metadata: Record<string, unknown> | undefined): Record<string, JsonValue> {
  if (!metadata) return {};
  const text = JSON.stringify(metadata);
  if (text === undefined) return {};
  const r = parseJsonValue(text);
  return r.ok && r.value !== null && typeof r.value === 'object' && !Array.isArray(r.value) ? r.value : {};
}

export function itemToBytes(item: OutputItem): Uint8Array {
  switch (item.encoding) {
    case 'text':
      return utf8.encode(item.data);
    case 'json':
      return utf8.encode(JSON.stringify(item.data));
    case 'base64':
      return fromBase64(item.data);
  }
}

export function itemFromBytes(mime: string, bytes: Uint8Array): OutputItem {
  const text = decodeUtf8(bytes);
  if (text === null) return { mime, encoding: 'base64', data: base64(bytes) };
  if (isJsonMime(mime)) {
    const v = parseJsonValue(text);
    if (v.ok) return { mime, encoding: 'json', data: v.value };
  }
  return { mime, encoding: 'text', data: text };
}

export function outputToShape(output: CellOutput): OutputShape {
  return { items: output.items.map((i) => ({ mime: i.mime, data: itemToBytes(i) })), metadata: output.metadata };
}

export function outputFromShape(output: OutputShape): CellOutput {
  return { items: output.items.map((i) => itemFromBytes(i.mime, i.data)), metadata: jsonRecord(output.metadata) };
}

function executionToShape(e: ExecutionSummary): ExecutionSummaryShape {
  return {
    ...(e.order !== undefined ? { executionOrder: e.order } : {}),
    ...(e.success !== undefined ? { success: e.success } : {}),
    ...(e.startTime !== undefined && e.endTime !== undefined ? { timing: { startTime: e.startTime, endTime: e.endTime } } : {}),
  };
}

function executionFromShape(e: ExecutionSummaryShape | undefined): ExecutionSummary | null {
  if (!e) return null;
  const out: ExecutionSummary = {};
  if (typeof e.executionOrder === 'number' && Number.isSafeInteger(e.executionOrder)) out.order = e.executionOrder;
  if (typeof e.success === 'boolean') out.success = e.success;
  if (e.timing && Number.isFinite(e.timing.startTime) && Number.isFinite(e.timing.endTime)) {
    out.startTime = e.timing.startTime;
    out.endTime = e.timing.endTime;
  }
  return Object.keys(out).length > 0 ? out : null;
}

export function cellToShape(cell: NotebookCell): CellDataShape {
  const shape: CellDataShape = {
    kind: cell.kind === 'markdown' ? markupKind : codeKind,
    value: cell.source,
    languageId: cell.language,
    metadata: cell.metadata,
    outputs: cell.outputs.map(outputToShape),
  };
  if (cell.execution) shape.executionSummary = executionToShape(cell.execution);
  return shape;
}

export function cellFromShape(cell: CellDataShape): NotebookCell {
  return {
    kind: cell.kind === markupKind ? 'markdown' : 'code',
    language: cell.languageId,
    source: cell.value,
    metadata: jsonRecord(cell.metadata),
    execution: executionFromShape(cell.executionSummary),
    outputs: (cell.outputs ?? []).map(outputFromShape),
  };
}

export function notebookToShape(notebook: Notebook): NotebookDataShape {
  return { cells: notebook.cells.map(cellToShape), metadata: notebook.metadata };
}

export function notebookFromShape(data: NotebookDataShape): Notebook {
  return { metadata: jsonRecord(data.metadata), cells: data.cells.map(cellFromShape) };
}
