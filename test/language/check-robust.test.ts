import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import type * as ast from '../../language/ast.js';
import { analyzeText } from '../../language/analyze.js';
import { repoRoot } from '../support/repo.js';

// The checker runs on every keystroke, on whatever half-typed text the parser recovers.

const dir = join(repoRoot(), 'test', 'golden', 'broken');
const corpus = readdirSync(dir)
  .filter((name) => name.endsWith('.ftp'))
  .sort()
  .map((name) => readFileSync(join(dir, name), 'utf8'));

const exprKinds = new Set([
  'IntLit', 'BoolLit', 'NameExpr', 'SelfExpr', 'FieldExpr', 'IndexExpr', 'CallExpr', 'UnaryExpr', 'BinaryExpr',
  'SetLit', 'SeqLit', 'SizeExpr', 'QuantExpr', 'CountExpr', 'CondExpr', 'RangeExpr', 'MissingExpr',
]);

/** Every expression of the tree (RangeExpr only where the parser allows one: domains). */
function expressions(file: ast.ProtocolFile): ast.Expr[] {
  const out: ast.Expr[] = [];
  const go = (value: unknown): void => {
    if (value === null || typeof value !== 'object') return;
    if (Array.isArray(value)) {
      for (const v of value) go(v);
      return;
    }
    const kind = (value as { kind?: unknown }).kind;
    if (typeof kind === 'string' && exprKinds.has(kind)) out.push(value as ast.Expr);
    for (const [key, v] of Object.entries(value)) if (key !== 'span') go(v);
  };
  go(file);
  return out;
}

function analyzeAndCheckTypes(text: string): void {
  const { file, model } = analyzeText(text);
  for (const expr of expressions(file)) {
    assert.ok(model.types.has(expr), `no type for ${expr.kind} at ${expr.span.start} in:\n${text}`);
  }
}

test('every expression of every broken golden file is typed', () => {
  for (const text of corpus) analyzeAndCheckTypes(text);
});

test('every prefix of the broken files checks without throwing', () => {
  for (const text of corpus) {
    for (let end = 0; end <= text.length; end += 3) analyzeAndCheckTypes(text.slice(0, end));
  }
});

test('random cuts, duplications and swaps of lines never make the checker throw', () => {
  const lines = corpus.flatMap((text) => text.split('\n'));
  fc.assert(
    fc.property(
      fc.array(fc.integer({ min: 0, max: lines.length - 1 }), { minLength: 1, maxLength: 40 }),
      fc.integer({ min: 0, max: 200 }),
      (picks, cut) => {
        const text = picks.map((i) => lines[i]!).join('\n');
        analyzeAndCheckTypes(text.slice(0, text.length - Math.min(cut, text.length)));
      },
    ),
    { numRuns: 300, seed: 20240607 },
  );
});

test('random token soup never makes the checker throw', () => {
  const tokens = [
    'protocol P', 'param', 'N', '=', '3', 'message', 'M', '{', '}', '(', ')', '[', ']', ':', ',', 'node', 'A',
    'state', 'x', 'bool', 'int', '0..3', 'set<A>', 'map<A, bool>', 'seq<int>', 'on', 'start', 'timeout', 't', 'from',
    'when', 'send', 'broadcast', 'to', 'set timer', 'after', 'cancel timer', 'choose', 'or', 'in', 'decide', 'deliver',
    'let', 'if', 'else', 'then', 'forall', 'exists', 'count', 'where', '|', '+', '-', '*', '==', '!=', '<', 'and', 'not',
    'self', 'invariant', 'eventually', 'within', 'check', 'explore', 'simulate', 'scenario', 'crash', 'up', 'of',
    'byzantine', 'drop', 'expect', 'holds', 'violated', 'with', 'quorum', 'read', 'write', 'network', 'sync', 'async',
    'fifo', 'lossy', 'any', 'stable', 'type', 'V', 'INIT', 'DONE', 'p.x', 'A[1]', 'min(', 'index(', '\n',
  ];
  fc.assert(
    fc.property(fc.array(fc.constantFrom(...tokens), { maxLength: 120 }), (picked) => {
      analyzeAndCheckTypes(picked.join(' '));
    }),
    { numRuns: 400, seed: 7 },
  );
});
