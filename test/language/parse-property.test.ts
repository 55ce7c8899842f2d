import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { ftpContextualKeywords, ftpKeywords, parseFtp } from '../../language/syntax/parse.js';
import { REFERENCE, spanProblems } from './parse-fixtures.js';

// Whatever the input, parseFtp returns plain data with sane spans and never throws.

const RUNS = 2000;

/** The invariants every parse must satisfy; throws (fails the property) otherwise. */
function checkParse(text: string): void {
  const { value, diagnostics } = parseFtp(text);
  assert.deepEqual(value.span, { start: 0, end: text.length });
  for (const d of diagnostics) {
    const { start, end } = d.span;
    assert.ok(Number.isInteger(start) && Number.isInteger(end), `non-integer diagnostic span: ${d.message}`);
    assert.ok(start >= 0 && start <= end && end <= text.length, `diagnostic span ${start}..${end} outside 0..${text.length}`);
    assert.ok(!d.message.includes('internal parser error'), d.message);
    assert.ok(d.message.length > 0 && d.message.length < 400, d.message);
  }
  // Spans nest, and the tree is plain JSON-shaped data (no NaN, undefined or class instances).
  assert.deepEqual(spanProblems(value, text.length), []);
}

const punctuation = ['{', '}', '(', ')', '[', ']', ',', ':', ';', '|', '.', '..', '=', '==', '!=', '<', '<=', '>', '>=', '+', '-', '*', '/', '%', '+=', '-=', '//', '/*', '*/', '@', '#', '"'];
const words = ['p', 'N', 'Vote', 'Coordinator', 'Participant', 'x', 'phase', 'INIT', 'min', 'correct', 'statex'];
const numbers = ['0', '1', '3', '42', '2147483647', '2147483648', '99999999999999999999'];

const token = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...ftpKeywords, ...ftpContextualKeywords) },
  { weight: 3, arbitrary: fc.constantFrom(...punctuation) },
  { weight: 2, arbitrary: fc.constantFrom(...words) },
  { weight: 1, arbitrary: fc.constantFrom(...numbers) },
);
const separator = fc.constantFrom(' ', ' ', '\n', '', '\t', ' // c\n', '/* c */');

/** A random sequence of language tokens. */
const tokenSoup = fc
  .array(fc.tuple(token, separator), { maxLength: 80 })
  .map((pairs) => pairs.map(([tok, sep]) => tok + sep).join(''));

/** A small edit of a text: positions are fractions so they fit any length. */
type Edit =
  | { kind: 'delete'; at: number; length: number }
  | { kind: 'insert'; at: number; text: string }
  | { kind: 'swap'; a: number; b: number; length: number }
  | { kind: 'duplicate'; at: number; length: number };

const fraction = fc.double({ min: 0, max: 1, noNaN: true });
const edit: fc.Arbitrary<Edit> = fc.oneof(
  fc.record({ kind: fc.constant('delete' as const), at: fraction, length: fc.integer({ min: 1, max: 40 }) }),
  fc.record({ kind: fc.constant('insert' as const), at: fraction, text: fc.oneof(tokenSoup, fc.string({ maxLength: 8 })) }),
  fc.record({ kind: fc.constant('swap' as const), a: fraction, b: fraction, length: fc.integer({ min: 1, max: 30 }) }),
  fc.record({ kind: fc.constant('duplicate' as const), at: fraction, length: fc.integer({ min: 1, max: 60 }) }),
);

function applyEdit(text: string, e: Edit): string {
  const position = (f: number): number => Math.min(text.length, Math.floor(f * text.length));
  switch (e.kind) {
    case 'delete': {
      const at = position(e.at);
      return text.slice(0, at) + text.slice(at + e.length);
    }
    case 'insert': {
      const at = position(e.at);
      return text.slice(0, at) + e.text + text.slice(at);
    }
    case 'swap': {
      let [a, b] = [position(e.a), position(e.b)].sort((x, y) => x - y) as [number, number];
      const length = Math.min(e.length, b - a);
      if (length <= 0) return text;
      b = Math.min(b, text.length - length);
      return text.slice(0, a) + text.slice(b, b + length) + text.slice(a + length, b) + text.slice(a, a + length) + text.slice(b + length);
    }
    case 'duplicate': {
      const at = position(e.at);
      return text.slice(0, at) + text.slice(at, at + e.length) + text.slice(at);
    }
  }
}

const mutatedReference = fc.array(edit, { minLength: 1, maxLength: 4 }).map((edits) => edits.reduce(applyEdit, REFERENCE));

test('the reference protocol itself parses cleanly', () => {
  assert.deepEqual(parseFtp(REFERENCE).diagnostics, []);
  checkParse(REFERENCE);
});

test('random strings never make the parser throw', () => {
  fc.assert(
    fc.property(fc.oneof(fc.string({ maxLength: 200 }), fc.string({ unit: 'binary', maxLength: 200 })), (text) => {
      checkParse(text);
    }),
    { numRuns: RUNS },
  );
});

test('random token soups never make the parser throw', () => {
  fc.assert(
    fc.property(tokenSoup, fc.boolean(), (soup, header) => {
      checkParse(header ? `protocol P\n${soup}` : soup);
    }),
    { numRuns: RUNS },
  );
});

test('mutations of a valid protocol never make the parser throw', () => {
  fc.assert(
    fc.property(mutatedReference, (text) => {
      checkParse(text);
    }),
    { numRuns: RUNS },
  );
});
