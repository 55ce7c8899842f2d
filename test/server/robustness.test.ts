import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { test } from 'node:test';
import fc from 'fast-check';
import { LineIndex } from '../../language/span.js';
import { LspClient } from '../support/lsp-client.js';
import { byzantineGenerals, twoPhaseCommit } from '../support/query-fixtures.js';
import { sampleText } from '../support/samples.js';

/** The server must survive any text and any edit sequence, and stay responsive while it explores. */

type EditKind = 'insert' | 'delete' | 'garbage' | 'huge' | 'replace';
interface EditSpec {
  kind: EditKind;
  at: number;
  length: number;
  text: string;
}

const fragments = ['{', '}', '(', ')', '[', ']', '|', '.', ':', ';', ',', '=', '==', '..', '\n', ' ', 'send ', 'broadcast ', 'on ', 'to ', 'node X[N] { ', 'state s: ', 'invariant I: ', 'forall p in ', 'p.', 'choose { } or { }', 'check explore { crash up to 1 }', 'scenario S { expect I holds }', '/*', '*/', '//', 'protocol Q\n', 'message M { a: bool }', '"', '0..', '99999999999999999999'];

const editArbitrary: fc.Arbitrary<EditSpec> = fc.oneof(
  fc.record({ kind: fc.constant<EditKind>('insert'), at: fc.nat(), length: fc.constant(0), text: fc.array(fc.constantFrom(...fragments), { maxLength: 6 }).map((a) => a.join('')) }),
  fc.record({ kind: fc.constant<EditKind>('delete'), at: fc.nat(), length: fc.integer({ min: 1, max: 300 }), text: fc.constant('') }),
  fc.record({ kind: fc.constant<EditKind>('garbage'), at: fc.nat(), length: fc.nat(5), text: fc.string({ unit: 'binary', maxLength: 40 }) }),
  fc.record({
    kind: fc.constant<EditKind>('huge'),
    at: fc.nat(),
    length: fc.constant(0),
    text: fc.constantFrom('x'.repeat(100_000), '('.repeat(20_000), '{'.repeat(20_000), 'a + '.repeat(25_000), `// ${'long comment '.repeat(8_000)}\n`, `${'1'.repeat(5_000)}`),
  }),
  fc.record({ kind: fc.constant<EditKind>('replace'), at: fc.nat(), length: fc.nat(), text: fc.constantFrom('', 'protocol P', twoPhaseCommit, '\u0000\u0001\u0002binary') }),
);

test('property: random edit sequences; the server answers every request and never exits', async () => {
  const client = await LspClient.start({ settings: { explore: { timeBudgetMs: 300, maxStates: 20_000 } } });
  const starts = [twoPhaseCommit, byzantineGenerals, sampleText('two-phase-commit'), ''];
  let run = 0;
  try {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...starts), fc.array(editArbitrary, { minLength: 1, maxLength: 10 }), async (start, edits) => {
        const uri = `file:///test/random/${run++}.ftp`;
        let text = start;
        await client.open(uri, text);
        await client.waitForDiagnostics(uri, 1);
        for (const edit of edits) {
          const lines = new LineIndex(text);
          let from = edit.at % (text.length + 1);
          let to = Math.min(text.length, from + edit.length);
          if (edit.kind === 'replace') {
            from = 0;
            to = text.length;
          }
          const range = { start: lines.positionAt(from), end: lines.positionAt(to) };
          const version = await client.change(uri, [{ range, text: edit.text }]);
          text = text.slice(0, from) + edit.text + text.slice(to);
          const after = new LineIndex(text);
          const position = after.positionAt(edit.at % (text.length + 1));
          const textDocument = { uri };
          const answers = await Promise.all([
            client.waitForDiagnostics(uri, version, () => true, 10_000),
            client.request('textDocument/hover', { textDocument, position }),
            client.request('textDocument/completion', { textDocument, position }),
            client.request('textDocument/definition', { textDocument, position }),
            client.request('textDocument/references', { textDocument, position, context: { includeDeclaration: true } }),
            client.request('textDocument/documentHighlight', { textDocument, position }),
            client.request('textDocument/prepareRename', { textDocument, position }).catch((e: Error) => e.message),
            client.request('textDocument/documentSymbol', { textDocument }),
            client.request('textDocument/foldingRange', { textDocument }),
            client.request('textDocument/semanticTokens/full', { textDocument }),
            client.request('textDocument/formatting', { textDocument, options: { tabSize: 2, insertSpaces: true } }),
            client.request('textDocument/codeLens', { textDocument }),
            client.request('textDocument/codeAction', { textDocument, range: { start: position, end: position }, context: { diagnostics: [] } }),
          ]);
          assert.equal(answers.length, 13);
          assert.ok(client.alive, 'the server exited');
        }
        await client.close(uri);
      }),
      { numRuns: 25 },
    );
    assert.ok(client.alive);
    assert.ok(!client.logs.join('').includes('uncaught'), client.logs.join(''));
  } finally {
    await client.stop();
  }
});

test('an expression thousands of terms deep: diagnostics still arrive and requests are answered', async () => {
  const client = await LspClient.start();
  try {
    const uri = 'file:///test/deep.ftp';
    const deep = `protocol Deep\nparam N = ${'1 + '.repeat(5_000)}1\nnode A[N] { state x: bool = false }\n`;
    await client.open(uri, deep);
    const published = await client.waitForDiagnostics(uri, 1);
    assert.ok(Array.isArray(published.diagnostics));
    const position = { line: 1, character: 6 };
    await client.request('textDocument/hover', { textDocument: { uri }, position });
    await client.request('textDocument/completion', { textDocument: { uri }, position });
    await client.request('textDocument/formatting', { textDocument: { uri }, options: { tabSize: 2, insertSpaces: true } });
    await client.request('textDocument/semanticTokens/full', { textDocument: { uri } });
    assert.ok(client.alive);
  } finally {
    await client.stop();
  }
});

/** A model whose state space would take hours: six independent counters. */
const endless = `protocol Endless
param N = 6
message Tick
node Counter[N] {
  state x: 0..100000 = 0
  on start { set timer t after 1 }
  on timeout t {
    if x < 100000 { x = x + 1 }
    set timer t after 1
  }
}
invariant Bounded: forall p in Counter: p.x <= 100000
check explore { depth 1000000; states 1000000000 }
`;

test('an exploration that would run for minutes is cancelled by an edit; the next diagnostics come within debounce + parse time', async () => {
  const client = await LspClient.start({ settings: { explore: { timeBudgetMs: 600_000, maxStates: 1_000_000_000, maxDepth: 1_000_000, maxMemoryMb: 512 } } });
  const uri = 'file:///test/endless.ftp';
  try {
    await client.open(uri, endless);
    await client.waitForStatus(uri, 1, ['running']);
    const edited = `${endless}// an edit\n`;
    const sent = performance.now();
    const version = await client.change(uri, [{ range: { start: { line: 13, character: 0 }, end: { line: 13, character: 0 } }, text: '// an edit\n' }]);
    const fast = await client.waitForDiagnostics(uri, version);
    const fastMs = performance.now() - sent;
    assert.deepEqual(fast.diagnostics.filter((d) => d.severity === 1), []);
    assert.ok(fastMs < 300 + 200, `fast diagnostics took ${fastMs.toFixed(0)} ms`);
    // The old run is stopped (or its worker terminated), and the new version starts exploring.
    const cancelled = await client.waitForStatus(uri, 1, ['cancelled', 'done', 'failed']);
    assert.equal(cancelled.state, 'cancelled');
    await client.waitForStatus(uri, version, ['running']);
    const restartMs = performance.now() - sent;
    assert.ok(restartMs < 300 + 1000 + 500, `the next exploration started after ${restartMs.toFixed(0)} ms`);
    assert.ok(!client.diagnostics.some((p) => p.version === 1 && p.diagnostics.some((d) => String(d.code).startsWith('FTP4'))), 'the stale run published nothing');
    const hover = await client.request('textDocument/hover', { textDocument: { uri }, position: { line: 3, character: 7 } });
    assert.notEqual(hover, null);
    assert.equal(edited.length, endless.length + '// an edit\n'.length);
  } finally {
    await client.stop();
  }
  assert.ok(!client.alive);
});

test('a worker that dies (out of memory) is replaced, and the failure is reported as information', async () => {
  // Valid but heavy: the worker cannot even re-parse it within a 48 MB heap.
  let heavy = 'protocol Heavy\nmessage Ping\nnode A[2] {\n  state x: bool = false\n  on start { broadcast Ping to A }\n  on Ping { x = true }\n}\n';
  for (let i = 0; i < 50_000; i++) heavy += `param P${i} = ${i}\n`;
  const client = await LspClient.start({ settings: { explore: { maxMemoryMb: 48 } } });
  const uri = 'file:///test/heavy.ftp';
  try {
    await client.open(uri, heavy);
    const status = await client.waitForStatus(uri, 1, ['done', 'failed'], 120_000);
    assert.equal(status.state, 'failed');
    const last = client.lastDiagnostics(uri, 1)?.diagnostics ?? [];
    const note = last.find((d) => d.code === 'FTP404');
    assert.ok(note, JSON.stringify(last.slice(0, 3)));
    assert.equal(note.severity, 3);
    assert.match(note.message, /the worker ran out of memory/);
    // A new worker takes the next version.
    const version = await client.change(uri, 'protocol Tiny\nnode A {\n  state x: bool = false\n  on start { x = true }\n}\n');
    assert.equal((await client.waitForStatus(uri, version, ['done', 'failed'])).state, 'done');
    assert.ok(client.alive);
  } finally {
    await client.stop();
  }
});
