import type { JsonValue } from '../engine/trace.js';

/**
 * A JSON reader that keeps where everything is, and a printer that lays JSON
 * out for people and for diffs. The reader is iterative (no recursion), so no
 * nesting depth can overflow the stack, and it never throws: a bad text gives
 * the offset of the first problem. It refuses what `JSON.parse` would silently
 * lose (a repeated key, a number too large to keep), because a notebook read
 * that way and saved again would hold less than it did.
 */

/** A parsed JSON value with the offset range `[start, end)` of its text. */
export type JsonNode =
  | { type: 'object'; start: number; end: number; entries: JsonEntry[] }
  | { type: 'array'; start: number; end: number; items: JsonNode[] }
  | { type: 'string'; start: number; end: number; value: string }
  | { type: 'number'; start: number; end: number; value: number }
  | { type: 'boolean'; start: number; end: number; value: boolean }
  | { type: 'null'; start: number; end: number };

export interface JsonEntry {
  key: string;
  keyStart: number;
  value: JsonNode;
}

/** Where and why a text is not JSON. */
export interface JsonSyntaxError {
  message: string;
  offset: number;
}

export type JsonParse = { ok: true; node: JsonNode } | { ok: false; error: JsonSyntaxError };

type ObjectNode = Extract<JsonNode, { type: 'object' }>;
type ArrayNode = Extract<JsonNode, { type: 'array' }>;

interface Frame {
  node: ObjectNode | ArrayNode;
  /** For objects: the key whose value is being read, and the keys seen so far. */
  key: string;
  keyStart: number;
  keys: Set<string> | null;
}

class Stop {
  constructor(readonly error: JsonSyntaxError) {}
}

const numberPattern = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;

/** Parses one JSON text into positioned nodes. Never throws. */
export function parseJson(text: string): JsonParse {
  let i = 0;
  const n = text.length;

  const fail = (message: string, offset = i): never => {
    throw new Stop({ message, offset });
  };
  const describe = (at: number): string => {
    if (at >= n) return 'the end of the file';
    const cp = text.codePointAt(at)!;
    if (cp < 0x20 || cp === 0x7f) return `a control character (U+${cp.toString(16).toUpperCase().padStart(4, '0')})`;
    return `'${String.fromCodePoint(cp)}'`;
  };
  const truncated = (what: string): never => fail(`the text ends early: ${what} is missing (is the file truncated?)`);
  const ws = () => {
    for (;;) {
      const c = text.charCodeAt(i);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09 || (c === 0xfeff && i === 0)) i++;
      else return;
    }
  };

  const readString = (): string => {
    const start = i;
    i++; // the opening quote
    let out = '';
    let run = i;
    for (;;) {
      if (i >= n) fail('the text ends inside a string (is the file truncated?)', start);
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        out += text.slice(run, i);
        i++;
        return out;
      }
      if (c < 0x20) fail(`a string may not hold ${describe(i)}: write it as an escape like \\n`);
      if (c !== 0x5c) {
        i++;
        continue;
      }
      out += text.slice(run, i);
      const e = text.charCodeAt(i + 1);
      switch (e) {
        case 0x22:
          out += '"';
          break;
        case 0x5c:
          out += '\\';
          break;
        case 0x2f:
          out += '/';
          break;
        case 0x62:
          out += '\b';
          break;
        case 0x66:
          out += '\f';
          break;
        case 0x6e:
          out += '\n';
          break;
        case 0x72:
          out += '\r';
          break;
        case 0x74:
          out += '\t';
          break;
        case 0x75: {
          const hex = text.slice(i + 2, i + 6);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) fail(i + 6 > n ? 'the text ends inside a \\u escape (is the file truncated?)' : 'a \\u escape needs four hex digits');
          out += String.fromCharCode(parseInt(hex, 16));
          i += 4;
          break;
        }
        default:
          if (i + 1 >= n) fail('the text ends inside a string (is the file truncated?)', start);
          fail(`unknown escape \\${String.fromCodePoint(text.codePointAt(i + 1)!)} in a string`);
      }
      i += 2;
      run = i;
    }
  };

  /** Reads a scalar, or opens a container (returned with `open: true`). */
  const readValue = (): { node: JsonNode; open: boolean } => {
    ws();
    const start = i;
    if (i >= n) truncated('a value');
    const c = text.charCodeAt(i);
    if (c === 0x7b) {
      i++;
      return { node: { type: 'object', start, end: -1, entries: [] }, open: true };
    }
    if (c === 0x5b) {
      i++;
      return { node: { type: 'array', start, end: -1, items: [] }, open: true };
    }
    if (c === 0x22) {
      const value = readString();
      return { node: { type: 'string', start, end: i, value }, open: false };
    }
    if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
      numberPattern.lastIndex = i;
      const m = numberPattern.exec(text);
      if (!m) fail(i + 1 >= n ? 'the text ends inside a number (is the file truncated?)' : `expected a digit, found ${describe(i + 1)}`);
      const value = Number(m![0]);
      // Past ±1.8e308 a number becomes Infinity, which JSON cannot hold: saving would write null.
      if (!Number.isFinite(value)) fail('this number is too large to keep exactly');
      i += m![0].length;
      return { node: { type: 'number', start, end: i, value }, open: false };
    }
    for (const [word, node] of [
      ['true', { type: 'boolean', start, end: start + 4, value: true }],
      ['false', { type: 'boolean', start, end: start + 5, value: false }],
      ['null', { type: 'null', start, end: start + 4 }],
    ] as const) {
      if (text.startsWith(word, i)) {
        i += word.length;
        return { node, open: false };
      }
      if (word.startsWith(text.slice(i)) && i < n) truncated(`the rest of \`${word}\``);
    }
    return fail(`expected a value, found ${describe(i)}`);
  };

  /** Reads `"key":` inside an object, ready for its value. */
  const readKey = (frame: Frame): void => {
    ws();
    if (i >= n) truncated('a key or `}`');
    if (text.charCodeAt(i) !== 0x22) fail(`expected a key in double quotes, found ${describe(i)}`);
    const keyStart = i;
    const key = readString();
    if (frame.keys!.has(key)) fail(`the key ${JSON.stringify(key)} appears twice in this object`, keyStart);
    frame.keys!.add(key);
    frame.key = key;
    frame.keyStart = keyStart;
    ws();
    if (i >= n) truncated('`:` after a key');
    if (text.charCodeAt(i) !== 0x3a) fail(`expected ':' after the key ${JSON.stringify(key)}, found ${describe(i)}`);
    i++;
  };

  try {
    const stack: Frame[] = [];
    for (;;) {
      let { node, open } = readValue();
      if (open) {
        const frame: Frame = { node: node as ObjectNode | ArrayNode, key: '', keyStart: -1, keys: node.type === 'object' ? new Set() : null };
        ws();
        const close = node.type === 'object' ? 0x7d : 0x5d;
        if (text.charCodeAt(i) === close) {
          i++;
          node.end = i;
        } else {
          stack.push(frame);
          if (node.type === 'object') readKey(frame);
          continue;
        }
      }
      // `node` is complete: hand it to its container, closing containers as they end.
      for (;;) {
        const top = stack[stack.length - 1];
        if (!top) {
          ws();
          if (i < n) fail(`unexpected ${describe(i)} after the end of the document`);
          return { ok: true, node };
        }
        if (top.node.type === 'object') top.node.entries.push({ key: top.key, keyStart: top.keyStart, value: node });
        else top.node.items.push(node);
        ws();
        const isObject = top.node.type === 'object';
        if (i >= n) truncated(isObject ? '`,` or `}`' : '`,` or `]`');
        const c = text.charCodeAt(i);
        if (c === 0x2c) {
          i++;
          if (isObject) readKey(top);
          break;
        }
        if (c === (isObject ? 0x7d : 0x5d)) {
          i++;
          top.node.end = i;
          stack.pop();
          node = top.node;
          continue;
        }
        fail(isObject ? `expected ',' or '}' after an object entry, found ${describe(i)}` : `expected ',' or ']' after an array item, found ${describe(i)}`);
      }
    }
  } catch (e) {
    if (e instanceof Stop) return { ok: false, error: e.error };
    throw e;
  }
}

/** The plain value of a node. Iterative, like the reader. */
export function jsonValueOf(root: JsonNode): JsonValue {
  const convert = (node: JsonNode): { value: JsonValue; pending: boolean } => {
    switch (node.type) {
      case 'object':
        return { value: {}, pending: true };
      case 'array':
        return { value: [], pending: true };
      case 'null':
        return { value: null, pending: false };
      default:
        return { value: node.value, pending: false };
    }
  };
  const first = convert(root);
  const work: { node: JsonNode; value: JsonValue }[] = first.pending ? [{ node: root, value: first.value }] : [];
  while (work.length > 0) {
    const { node, value } = work.pop()!;
    if (node.type === 'object') {
      const target = value as Record<string, JsonValue>;
      for (const e of node.entries) {
        const c = convert(e.value);
        setKey(target, e.key, c.value);
        if (c.pending) work.push({ node: e.value, value: c.value });
      }
    } else if (node.type === 'array') {
      const target = value as JsonValue[];
      for (const item of node.items) {
        const c = convert(item);
        target.push(c.value);
        if (c.pending) work.push({ node: item, value: c.value });
      }
    }
  }
  return first.value;
}

/** Sets an own property, even one named `__proto__` (plain assignment would change the prototype). */
export function setKey(target: Record<string, JsonValue>, key: string, value: JsonValue): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

/** Parses a JSON text to a plain value, refusing what would not survive being written again. */
export function parseJsonValue(text: string): { ok: true; value: JsonValue } | { ok: false; error: JsonSyntaxError } {
  const r = parseJson(text);
  return r.ok ? { ok: true, value: jsonValueOf(r.node) } : r;
}

/** Lines no longer than this are kept on one line. */
export const printWidth = 100;

/**
 * Prints a value with two-space indentation; an array or object that fits in
 * the remaining width stays on one line (`{"a": 1, "b": [2, 3]}`), so small
 * records read as one line and long ones diff line by line. Deterministic:
 * keys keep their order, so the same value always prints the same text.
 */
export function printJson(value: JsonValue, indent = '', used = 0): string {
  if (value === null || typeof value !== 'object') return printScalar(value);
  const inline = compact(value, printWidth - indent.length - used);
  if (inline !== null) return inline;
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    return `[\n${value.map((v) => `${inner}${printJson(v, inner)}`).join(',\n')}\n${indent}]`;
  }
  const lines = Object.keys(value).map((k) => {
    const key = `${JSON.stringify(k)}: `;
    return `${inner}${key}${printJson(value[k]!, inner, key.length)}`;
  });
  return `{\n${lines.join(',\n')}\n${indent}}`;
}

/** A scalar as JSON; `-0` keeps its sign (`JSON.stringify` writes `0`). */
export function printScalar(value: string | number | boolean | null): string {
  return Object.is(value, -0) ? '-0' : JSON.stringify(value);
}

/** The one-line form of a value, or null once it is longer than `budget`. */
function compact(value: JsonValue, budget: number): string | null {
  if (value === null || typeof value !== 'object') {
    const s = printScalar(value);
    return s.length <= budget ? s : null;
  }
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    let out = '[';
    for (let k = 0; k < value.length; k++) {
      const sep = k > 0 ? ', ' : '';
      const part = compact(value[k]!, budget - out.length - sep.length - 1);
      if (part === null) return null;
      out += sep + part;
      if (out.length + 1 > budget) return null;
    }
    return `${out}]`;
  }
  const keys = Object.keys(value);
  if (keys.length === 0) return '{}';
  let out = '{';
  for (let k = 0; k < keys.length; k++) {
    const key = `${k > 0 ? ', ' : ''}${JSON.stringify(keys[k])}: `;
    if (out.length + key.length > budget) return null;
    const part = compact(value[keys[k]!]!, budget - out.length - key.length - 1);
    if (part === null) return null;
    out += key + part;
  }
  return out.length + 1 <= budget ? `${out}}` : null;
}
