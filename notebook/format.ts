import type { JsonValue } from '../engine/trace.js';
import { LineIndex } from '../language/span.js';
import type { JsonEntry, JsonNode } from './json.js';
import { jsonValueOf, parseJson, printJson, printScalar } from './json.js';

/**
 * The `.ftpnb` file: a pretty-printed JSON document, one line per source line,
 * keys in a fixed order, so a notebook reads well in a diff and in review.
 *
 * ```json
 * {
 *   "format": "faultline-notebook",
 *   "version": 1,
 *   "metadata": {},
 *   "cells": [
 *     { "kind": "markdown", "language": "markdown", "source": ["# Two-phase commit"] },
 *     {
 *       "kind": "code", "language": "ftp", "source": ["protocol TwoPhaseCommit", "..."],
 *       "execution": { "order": 1, "success": true, "startTime": 0, "endTime": 12 },
 *       "outputs": [{ "items": [{ "mime": "application/vnd.faultline.verdicts+json", "data": {} }] }]
 *     }
 *   ]
 * }
 * ```
 *
 * `parseNotebook` never throws and never guesses: a text that is not a whole,
 * valid notebook is refused with the position of the first problem, so an
 * editor never opens a damaged file as an empty (or shorter) notebook and then
 * saves that over it. `serializeNotebook(parseNotebook(t))` is `t` for every
 * text it wrote, and `parseNotebook(serializeNotebook(n))` equals `n`.
 */

export const notebookFormat = 'faultline-notebook';
export const notebookVersion = 1;

export type CellKind = 'markdown' | 'code';

/** How an output item's data is kept in the file. */
export type OutputEncoding = 'text' | 'json' | 'base64';

/**
 * One representation of an output. `text` is kept as an array of lines, `json`
 * as the JSON value itself (readable and diffable), `base64` for bytes that are
 * not UTF-8 text.
 */
export type OutputItem =
  | { mime: string; encoding: 'text'; data: string }
  | { mime: string; encoding: 'json'; data: JsonValue }
  | { mime: string; encoding: 'base64'; data: string };

/** One output of a cell: the same result in several MIME types, the richest first. */
export interface CellOutput {
  items: OutputItem[];
  metadata: Record<string, JsonValue>;
}

/** When a cell last ran and how it ended (VS Code's execution summary). Times are milliseconds since the epoch. */
export interface ExecutionSummary {
  order?: number;
  success?: boolean;
  startTime?: number;
  endTime?: number;
}

export interface NotebookCell {
  kind: CellKind;
  /** `ftp` for protocol cells, `markdown` for prose. */
  language: string;
  source: string;
  metadata: Record<string, JsonValue>;
  execution: ExecutionSummary | null;
  outputs: CellOutput[];
}

export interface Notebook {
  metadata: Record<string, JsonValue>;
  cells: NotebookCell[];
}

/** Why a text is not a notebook, and where (line and column are 1-based). */
export interface NotebookError {
  message: string;
  offset: number;
  line: number;
  column: number;
}

export type NotebookParse = { ok: true; notebook: Notebook } | { ok: false; error: NotebookError };

/** `line 3, column 7: expected ...` */
export function describeNotebookError(error: NotebookError): string {
  return `line ${error.line}, column ${error.column}: ${error.message}`;
}

/** MIME types whose data is JSON, kept in the file as the JSON value. */
export function isJsonMime(mime: string): boolean {
  return mime === 'application/json' || mime.endsWith('+json');
}

/** How an item of this MIME type is kept when the file does not say. */
export function defaultEncoding(mime: string): 'text' | 'json' {
  return isJsonMime(mime) ? 'json' : 'text';
}

export function emptyNotebook(): Notebook {
  return { metadata: {}, cells: [] };
}

// ---- reading --------------------------------------------------------------

class SchemaError {
  constructor(
    readonly message: string,
    readonly offset: number,
  ) {}
}

type ObjectNode = Extract<JsonNode, { type: 'object' }>;

const typeNames: Record<JsonNode['type'], string> = {
  object: 'an object',
  array: 'an array',
  string: 'a string',
  number: 'a number',
  boolean: 'true or false',
  null: 'null',
};

function expectType<T extends JsonNode['type']>(node: JsonNode, type: T, what: string): Extract<JsonNode, { type: T }> {
  if (node.type !== type) throw new SchemaError(`${what} must be ${typeNames[type]}, not ${typeNames[node.type]}`, node.start);
  return node as Extract<JsonNode, { type: T }>;
}

/** The entries of an object by key; a key outside `allowed` is refused rather than dropped. */
function entriesOf(node: ObjectNode, what: string, allowed: readonly string[]): Map<string, JsonEntry> {
  const out = new Map<string, JsonEntry>();
  for (const e of node.entries) {
    if (!allowed.includes(e.key)) {
      throw new SchemaError(`${what} has an unknown key ${JSON.stringify(e.key)} (known: ${allowed.join(', ')}); extra data belongs under "metadata"`, e.keyStart);
    }
    out.set(e.key, e);
  }
  return out;
}

function required(entries: Map<string, JsonEntry>, key: string, node: ObjectNode, what: string): JsonNode {
  const e = entries.get(key);
  if (!e) throw new SchemaError(`${what} has no ${JSON.stringify(key)}`, node.start);
  return e.value;
}

function readMetadata(node: JsonNode | undefined, what: string): Record<string, JsonValue> {
  if (!node) return {};
  return jsonValueOf(expectType(node, 'object', `the metadata of ${what}`)) as Record<string, JsonValue>;
}

/** A string kept as an array of lines (or, when written by hand, as one string). */
function readLines(node: JsonNode, what: string): string {
  if (node.type === 'string') return node.value;
  const arr = expectType(node, 'array', `${what} (a list of lines, or one string)`);
  return arr.items.map((item, k) => expectType(item, 'string', `line ${k + 1} of ${what}`).value).join('\n');
}

function readWhole(node: JsonNode, what: string): number {
  const n = expectType(node, 'number', what).value;
  if (!Number.isSafeInteger(n)) throw new SchemaError(`${what} must be a whole number`, node.start);
  return n;
}

function readExecution(node: JsonNode, what: string): ExecutionSummary {
  const obj = expectType(node, 'object', what);
  const entries = entriesOf(obj, what, ['order', 'success', 'startTime', 'endTime']);
  const out: ExecutionSummary = {};
  const order = entries.get('order');
  if (order) out.order = readWhole(order.value, `the execution order of ${what}`);
  const success = entries.get('success');
  if (success) out.success = expectType(success.value, 'boolean', `"success" of ${what}`).value;
  const startTime = entries.get('startTime');
  if (startTime) out.startTime = expectType(startTime.value, 'number', `"startTime" of ${what}`).value;
  const endTime = entries.get('endTime');
  if (endTime) out.endTime = expectType(endTime.value, 'number', `"endTime" of ${what}`).value;
  return out;
}

function readItem(node: JsonNode, what: string): OutputItem {
  const obj = expectType(node, 'object', what);
  const entries = entriesOf(obj, what, ['mime', 'encoding', 'data']);
  const mime = expectType(required(entries, 'mime', obj, what), 'string', `the MIME type of ${what}`).value;
  const enc = entries.get('encoding');
  let encoding: OutputEncoding = defaultEncoding(mime);
  if (enc) {
    const v = expectType(enc.value, 'string', `the encoding of ${what}`).value;
    if (v !== 'text' && v !== 'json' && v !== 'base64') throw new SchemaError(`the encoding of ${what} must be "text", "json" or "base64", not ${JSON.stringify(v)}`, enc.value.start);
    encoding = v;
  }
  const data = required(entries, 'data', obj, what);
  switch (encoding) {
    case 'json':
      return { mime, encoding, data: jsonValueOf(data) };
    case 'text':
      return { mime, encoding, data: readLines(data, `the data of ${what}`) };
    case 'base64': {
      const s = expectType(data, 'string', `the data of ${what}`).value;
      if (!/^[A-Za-z0-9+/]*={0,2}$/.test(s) || s.length % 4 !== 0) throw new SchemaError(`the data of ${what} is not base64`, data.start);
      return { mime, encoding, data: s };
    }
  }
}

function readOutput(node: JsonNode, what: string): CellOutput {
  const obj = expectType(node, 'object', what);
  const entries = entriesOf(obj, what, ['items', 'metadata']);
  const items = expectType(required(entries, 'items', obj, what), 'array', `the items of ${what}`);
  return {
    items: items.items.map((item, k) => readItem(item, `item ${k + 1} of ${what}`)),
    metadata: readMetadata(entries.get('metadata')?.value, what),
  };
}

function readCell(node: JsonNode, index: number): NotebookCell {
  const what = `cell ${index + 1}`;
  const obj = expectType(node, 'object', what);
  const entries = entriesOf(obj, what, ['kind', 'language', 'source', 'metadata', 'execution', 'outputs']);
  const kindNode = expectType(required(entries, 'kind', obj, what), 'string', `the kind of ${what}`);
  const kind = kindNode.value;
  if (kind !== 'markdown' && kind !== 'code') throw new SchemaError(`the kind of ${what} must be "markdown" or "code", not ${JSON.stringify(kind)}`, kindNode.start);
  const lang = entries.get('language');
  const language = lang ? expectType(lang.value, 'string', `the language of ${what}`).value : kind === 'markdown' ? 'markdown' : 'ftp';
  const source = readLines(required(entries, 'source', obj, what), `the source of ${what}`);
  const exec = entries.get('execution');
  const outputs = entries.get('outputs');
  return {
    kind,
    language,
    source,
    metadata: readMetadata(entries.get('metadata')?.value, what),
    execution: exec ? readExecution(exec.value, `the execution of ${what}`) : null,
    outputs: outputs ? expectType(outputs.value, 'array', `the outputs of ${what}`).items.map((o, k) => readOutput(o, `output ${k + 1} of ${what}`)) : [],
  };
}

/**
 * Reads a `.ftpnb` text. An empty (or blank) text is a new, empty notebook;
 * anything else must be a complete notebook, or the answer is an error with
 * the line and column of the first problem. Never throws.
 */
export function parseNotebook(text: string): NotebookParse {
  if (/^[\s\uFEFF]*$/.test(text)) return { ok: true, notebook: emptyNotebook() };
  const at = (message: string, offset: number): NotebookParse => {
    const p = new LineIndex(text).positionAt(offset);
    return { ok: false, error: { message, offset, line: p.line + 1, column: p.character + 1 } };
  };
  const json = parseJson(text);
  if (!json.ok) return at(json.error.message, json.error.offset);
  try {
    const root = json.node;
    if (root.type !== 'object') throw new SchemaError(`a notebook is a JSON object with "format": "${notebookFormat}", not ${typeNames[root.type]}`, root.start);
    const formatEntry = root.entries.find((e) => e.key === 'format');
    if (!formatEntry || formatEntry.value.type !== 'string' || formatEntry.value.value !== notebookFormat) {
      throw new SchemaError(`this is not a Faultline notebook: it needs "format": "${notebookFormat}"`, formatEntry?.value.start ?? root.start);
    }
    const entries = entriesOf(root, 'the notebook', ['format', 'version', 'metadata', 'cells']);
    const versionNode = required(entries, 'version', root, 'the notebook');
    const version = readWhole(versionNode, 'the notebook version');
    if (version !== notebookVersion) {
      throw new SchemaError(
        version > notebookVersion
          ? `this notebook was written in format version ${version} by a newer Faultline; this one reads version ${notebookVersion}`
          : `unknown notebook format version ${version}`,
        versionNode.start,
      );
    }
    const cells = expectType(required(entries, 'cells', root, 'the notebook'), 'array', 'the cells of the notebook');
    return {
      ok: true,
      notebook: {
        metadata: readMetadata(entries.get('metadata')?.value, 'the notebook'),
        cells: cells.items.map((c, k) => readCell(c, k)),
      },
    };
  } catch (e) {
    if (e instanceof SchemaError) return at(e.message, e.offset);
    throw e;
  }
}

// ---- writing --------------------------------------------------------------

/** Lines of a string, one JSON string per line of the file. */
function printLines(text: string, indent: string): string {
  const inner = `${indent}  `;
  return `[\n${text
    .split('\n')
    .map((l) => `${inner}${JSON.stringify(l)}`)
    .join(',\n')}\n${indent}]`;
}

/** An object whose members are already printed: `[key, printed value]`, skipped when null. */
function printObject(members: [string, string | null][], indent: string): string {
  const inner = `${indent}  `;
  const lines = members.filter((m): m is [string, string] => m[1] !== null).map(([k, v]) => `${inner}${JSON.stringify(k)}: ${v}`);
  return `{\n${lines.join(',\n')}\n${indent}}`;
}

function printList<T>(list: readonly T[], indent: string, print: (x: T, indent: string) => string): string {
  if (list.length === 0) return '[]';
  const inner = `${indent}  `;
  return `[\n${list.map((x) => `${inner}${print(x, inner)}`).join(',\n')}\n${indent}]`;
}

function printMetadata(metadata: Record<string, JsonValue>, indent: string): string | null {
  return Object.keys(metadata).length === 0 ? null : printJson(metadata, indent, '"metadata": '.length);
}

function printExecution(e: ExecutionSummary): string {
  const parts: string[] = [];
  if (e.order !== undefined) parts.push(`"order": ${printScalar(e.order)}`);
  if (e.success !== undefined) parts.push(`"success": ${printScalar(e.success)}`);
  if (e.startTime !== undefined) parts.push(`"startTime": ${printScalar(e.startTime)}`);
  if (e.endTime !== undefined) parts.push(`"endTime": ${printScalar(e.endTime)}`);
  return `{${parts.join(', ')}}`;
}

function printItem(item: OutputItem, indent: string): string {
  const encoding = item.encoding === defaultEncoding(item.mime) ? null : JSON.stringify(item.encoding);
  const inner = `${indent}  `;
  let data: string;
  switch (item.encoding) {
    case 'json':
      data = printJson(item.data, inner, '"data": '.length);
      break;
    case 'text':
      data = printLines(item.data, inner);
      break;
    case 'base64':
      data = JSON.stringify(item.data);
      break;
  }
  return printObject(
    [
      ['mime', JSON.stringify(item.mime)],
      ['encoding', encoding],
      ['data', data],
    ],
    indent,
  );
}

function printOutput(output: CellOutput, indent: string): string {
  const inner = `${indent}  `;
  return printObject(
    [
      ['items', printList(output.items, inner, printItem)],
      ['metadata', printMetadata(output.metadata, inner)],
    ],
    indent,
  );
}

function printCell(cell: NotebookCell, indent: string): string {
  const inner = `${indent}  `;
  return printObject(
    [
      ['kind', JSON.stringify(cell.kind)],
      ['language', JSON.stringify(cell.language)],
      ['source', printLines(cell.source, inner)],
      ['metadata', printMetadata(cell.metadata, inner)],
      ['execution', cell.execution ? printExecution(cell.execution) : null],
      ['outputs', cell.kind === 'code' || cell.outputs.length > 0 ? printList(cell.outputs, inner, printOutput) : null],
    ],
    indent,
  );
}

/** The `.ftpnb` text of a notebook: deterministic, ends with a newline. */
export function serializeNotebook(notebook: Notebook): string {
  return `${printObject(
    [
      ['format', JSON.stringify(notebookFormat)],
      ['version', String(notebookVersion)],
      ['metadata', printMetadata(notebook.metadata, '  ')],
      ['cells', printList(notebook.cells, '  ', printCell)],
    ],
    '',
  )}\n`;
}
