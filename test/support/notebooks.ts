import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import type { JsonValue } from '../../engine/trace.js';
import type { CellOutput, ExecutionSummary, Notebook, NotebookCell, OutputItem } from '../../notebook/format.js';
import { repoRoot } from './repo.js';

/** Every sample notebook's file name (`samples/*.ftpnb`), sorted. */
export function sampleNotebookNames(): string[] {
  return readdirSync(join(repoRoot(), 'samples'))
    .filter((f) => f.endsWith('.ftpnb'))
    .sort();
}

export function sampleNotebookText(name: string): string {
  return readFileSync(join(repoRoot(), 'samples', name), 'utf8');
}

/** Any UTF-16 string: lone surrogates, control characters, line breaks of every kind. */
export const anyText = fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)), maxLength: 40 });
/** Text shaped like source code: several lines, some unicode. */
const lineText = fc.array(fc.oneof(anyText, fc.string({ unit: 'grapheme', maxLength: 30 }), fc.constantFrom('', ' ', '\r', '<script>alert(1)</script>', '"', '%%', ';')), { maxLength: 6 }).map((l) => l.join('\n'));

/** Records with Object.prototype, like the parser's (fast-check's default is a null prototype). */
const plain = { noNullPrototype: true } as const;

/** JSON has no negative zero: `-0` is written as `0`, so generated values use `0`. */
function withoutNegativeZero(v: unknown): JsonValue {
  if (typeof v === 'number') return (Object.is(v, -0) ? 0 : v) as JsonValue;
  if (Array.isArray(v)) return v.map(withoutNegativeZero) as JsonValue;
  if (v !== null && typeof v === 'object') {
    const out: Record<string, JsonValue> = {};
    // defineProperty, not assignment: fast-check generates `__proto__` keys on purpose.
    for (const [k, x] of Object.entries(v)) Object.defineProperty(out, k, { value: withoutNegativeZero(x), enumerable: true, writable: true, configurable: true });
    return out as JsonValue;
  }
  return v as JsonValue;
}

const json: fc.Arbitrary<JsonValue> = fc.jsonValue({ maxDepth: 4, stringUnit: 'binary' }).map(withoutNegativeZero);
const metadata = fc.dictionary(anyText, json, { maxKeys: 3, noNullPrototype: true }) as fc.Arbitrary<Record<string, JsonValue>>;
const mime = fc.oneof(fc.constantFrom('text/markdown', 'text/plain', 'application/json', 'application/vnd.faultline.trace+json', 'image/png'), anyText);

const item: fc.Arbitrary<OutputItem> = fc.oneof(
  fc.record({ mime, encoding: fc.constant('text' as const), data: lineText }, plain),
  fc.record({ mime, encoding: fc.constant('json' as const), data: json }, plain),
  fc.record({ mime, encoding: fc.constant('base64' as const), data: fc.base64String({ maxLength: 40 }) }, plain),
);

const output: fc.Arbitrary<CellOutput> = fc.record({ items: fc.array(item, { maxLength: 3 }), metadata }, plain);

const execution: fc.Arbitrary<ExecutionSummary> = fc.record(
  {
    order: fc.nat(),
    success: fc.boolean(),
    startTime: fc.double({ noNaN: true, noDefaultInfinity: true }).map((x) => (Object.is(x, -0) ? 0 : x)),
    endTime: fc.double({ noNaN: true, noDefaultInfinity: true }).map((x) => (Object.is(x, -0) ? 0 : x)),
  },
  { requiredKeys: [], noNullPrototype: true },
);

const cell: fc.Arbitrary<NotebookCell> = fc.record({
  kind: fc.constantFrom('markdown' as const, 'code' as const),
  language: fc.oneof(fc.constantFrom('ftp', 'markdown'), anyText),
  source: lineText,
  metadata,
  execution: fc.option(execution, { nil: null }),
  outputs: fc.array(output, { maxLength: 3 }),
}, plain);

/** Any notebook the model can hold. */
export const anyNotebook: fc.Arbitrary<Notebook> = fc.record({ metadata, cells: fc.array(cell, { maxLength: 5 }) }, plain);
