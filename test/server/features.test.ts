import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type {
  CodeAction,
  CodeLens,
  CompletionList,
  Diagnostic,
  DocumentSymbol,
  FoldingRange,
  Hover,
  Location,
  SemanticTokens,
  TextEdit,
  WorkspaceEdit,
} from 'vscode-languageserver/node.js';
import { CancellationTokenSource } from 'vscode-languageserver/node.js';
import { performance } from 'node:perf_hooks';
import { LineIndex } from '../../language/span.js';
import { commands, tracesRequest, type TracesResult } from '../../protocol/lsp.js';
import { cursorIn, offsetOf } from '../support/cursor.js';
import { LspClient } from '../support/lsp-client.js';
import { byzantineGenerals } from '../support/query-fixtures.js';
import { sampleText } from '../support/samples.js';

/** Every editor feature through a real connection, on the two-phase-commit sample. */

let client: LspClient;
const uri = 'file:///test/features/two-phase-commit.ftp';
const text = sampleText('two-phase-commit');
const lines = new LineIndex(text);
const position = (needle: string, delta = 0): { line: number; character: number } => lines.positionAt(offsetOf(text, needle, delta));
const doc = { uri };

before(async () => {
  client = await LspClient.start({ settings: { explore: { background: false } } });
  await client.open(uri, text);
  await client.waitForDiagnostics(uri, 1);
});
after(async () => {
  await client.stop();
});

/** Applies LSP text edits to a text. */
function apply(source: string, edits: readonly TextEdit[]): string {
  const index = new LineIndex(source);
  const sorted = [...edits].sort((a, b) => index.offsetAt(b.range.start) - index.offsetAt(a.range.start));
  let out = source;
  for (const e of sorted) out = out.slice(0, index.offsetAt(e.range.start)) + e.newText + out.slice(index.offsetAt(e.range.end));
  return out;
}

test('hover on a role and on a param', async () => {
  const role = await client.request<Hover>('textDocument/hover', { textDocument: doc, position: position('node Participant', 6) });
  const value = (role.contents as { value: string }).value;
  assert.match(value, /stable state phase: INIT \| READY \| COMMIT \| ABORT = INIT/);
  assert.match(value, /`on DecisionRequest from q`/);
  const param = await client.request<Hover>('textDocument/hover', { textDocument: doc, position: position('param N', 6) });
  assert.match((param.contents as { value: string }).value, /\*\*param\*\* `N = 2`/);
  assert.equal(await client.request('textDocument/hover', { textDocument: doc, position: { line: 0, character: 0 } }), null);
});

test('completion after send and after p.', async () => {
  const completionUri = 'file:///test/features/completion.ftp';
  const { text: edited, offset } = cursorIn(text.replace('send Vote(true) to c', 'send $0'));
  await client.open(completionUri, edited);
  const at = new LineIndex(edited).positionAt(offset);
  const list = await client.request<CompletionList>('textDocument/completion', { textDocument: { uri: completionUri }, position: at });
  assert.deepEqual(list.items.map((i) => i.label), ['VoteRequest', 'Vote', 'Decision', 'DecisionRequest']);
  assert.equal(list.items[1]!.detail, 'message Vote(commit: bool)');
  const dot = await client.request<CompletionList>('textDocument/completion', { textDocument: doc, position: position('q.phase == ABORT', 2) });
  assert.deepEqual(dot.items.map((i) => i.label).slice(0, 3), ['phase', 'asked', 'waiting']);
  await client.close(completionUri);
});

test('go to definition and find references', async () => {
  const definition = await client.request<Location[]>('textDocument/definition', { textDocument: doc, position: position('send Vote(true)', 6) });
  assert.deepEqual(definition, [{ uri, range: { start: position('message Vote {', 8), end: position('message Vote {', 12) } }]);
  const references = await client.request<Location[]>('textDocument/references', {
    textDocument: doc,
    position: position('message DecisionRequest', 8),
    context: { includeDeclaration: true },
  });
  assert.equal(references.length, 3);
  assert.ok(references.every((r) => r.uri === uri));
});

test('rename a message everywhere; a keyword is refused with a reason', async () => {
  const edit = await client.request<WorkspaceEdit>('textDocument/rename', { textDocument: doc, position: position('message Vote {', 8), newName: 'Ballot' });
  const renamed = apply(text, edit.changes![uri]!);
  assert.ok(renamed.includes('message Ballot { commit: bool }'));
  assert.ok(renamed.includes('on Ballot(c) from p when phase == WAIT'));
  assert.ok(!/\bVote\b/.test(renamed.replace(/VoteRequest/g, '').replace(/\/\*[^]*?\*\//g, '').replace(/\/\/.*$/gm, '')));
  await assert.rejects(
    client.request('textDocument/prepareRename', { textDocument: doc, position: position('broadcast', 2) }),
    (error: Error) => /'broadcast' is a keyword/.test(error.message),
  );
  await assert.rejects(
    client.request('textDocument/rename', { textDocument: doc, position: position('message Vote {', 8), newName: 'node' }),
    (error: Error) => /'node' is a keyword/.test(error.message),
  );
});

test('formatting returns one edit that makes the text canonical, and none for a canonical text', async () => {
  const messyUri = 'file:///test/features/messy.ftp';
  const messy = 'protocol P\nmessage M{x:bool}\nnode A{state v:bool=false;on M(x){v=x}}\n';
  await client.open(messyUri, messy);
  const edits = await client.request<TextEdit[]>('textDocument/formatting', { textDocument: { uri: messyUri }, options: { tabSize: 2, insertSpaces: true } });
  const formatted = apply(messy, edits);
  assert.equal(formatted, 'protocol P\nmessage M { x: bool }\nnode A {\n  state v: bool = false\n  on M(x) {\n    v = x\n  }\n}\n');
  await client.change(messyUri, formatted);
  assert.deepEqual(await client.request('textDocument/formatting', { textDocument: { uri: messyUri }, options: { tabSize: 2, insertSpaces: true } }), []);
  await client.close(messyUri);
});

test('code lenses: Run, Explore and Show timeline above each scenario and check, with their command ids', async () => {
  const lenses = await client.request<CodeLens[]>('textDocument/codeLens', { textDocument: doc });
  assert.equal(lenses.length, 12);
  const first = lenses.filter((l) => l.range.start.line === position('check CrashRecover').line);
  assert.deepEqual(first.map((l) => [l.command?.title, l.command?.command]), [
    ['▶ Run', commands.runScenario],
    ['Explore', commands.explore],
    ['Show timeline', commands.showPreview],
  ]);
  assert.deepEqual(first[0]!.command!.arguments, [uri, { name: 'CrashRecover', position: position('check CrashRecover') }]);
});

test('code action: raise N to 3f+1 from the lint the server published', async () => {
  const fixUri = 'file:///test/features/generals.ftp';
  await client.open(fixUri, byzantineGenerals);
  const published = await client.waitForDiagnostics(fixUri, 1);
  const lint = published.diagnostics.find((d: Diagnostic) => d.code === 'FTP305');
  assert.ok(lint);
  const actions = await client.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri: fixUri }, range: lint.range, context: { diagnostics: [lint] } });
  assert.deepEqual(actions.map((a) => [a.title, a.kind, a.isPreferred]), [
    ['Raise N to 4 (3f+1)', 'quickfix', true],
    ['Run with N = 4 here (3f+1)', 'quickfix', false],
  ]);
  const fixed = apply(byzantineGenerals, actions[0]!.edit!.changes![fixUri]!);
  assert.ok(fixed.includes('param N = 4\n'));
  const version = await client.change(fixUri, fixed);
  const after = await client.waitForDiagnostics(fixUri, version);
  assert.ok(!after.diagnostics.some((d) => d.code === 'FTP305'));
  await client.close(fixUri);
});

test('document symbols, folding ranges and semantic tokens', async () => {
  const symbols = await client.request<DocumentSymbol[]>('textDocument/documentSymbol', { textDocument: doc });
  const participant = symbols.find((s) => s.name === 'Participant');
  assert.ok(participant?.children?.some((c) => c.name === 'on DecisionRequest from q'));
  const folds = await client.request<FoldingRange[]>('textDocument/foldingRange', { textDocument: doc });
  assert.ok(folds.some((f) => f.kind === 'comment' && f.startLine === 0));
  assert.ok(folds.some((f) => f.startLine === position('node Participant').line));
  const tokens = await client.request<SemanticTokens>('textDocument/semanticTokens/full', { textDocument: doc });
  assert.ok(tokens.data.length > 100 && tokens.data.length % 5 === 0);
});

test('faultline/traces returns the counterexample of a scenario in trace JSON', async () => {
  const result = await client.request<TracesResult>(tracesRequest, { uri, run: { name: 'CoordinatorCrashAfterVotes' } });
  assert.equal(result.error, null);
  assert.equal(result.version, 1);
  assert.equal(result.runs.length, 1);
  const run = result.runs[0]!;
  assert.equal(run.run, 'CoordinatorCrashAfterVotes');
  assert.equal(run.ok, true);
  const termination = run.traces.find((t) => t.property === 'Termination');
  assert.ok(termination);
  assert.equal(termination.trace.format, 'faultline-trace/1');
  assert.equal(termination.trace.violation?.property, 'Termination');
  assert.ok(termination.trace.steps.some((s) => s.crashed && s.node === 'Coordinator' && s.fault !== null));
  const all = await client.request<TracesResult>(tracesRequest, { uri, run: null, seed: 3 });
  assert.equal(all.runs.length, 4);
  assert.ok(all.runs.every((r) => r.traces.length > 0));
  const unknown = await client.request<TracesResult>(tracesRequest, { uri, run: { name: 'Nope' } });
  assert.match(unknown.error ?? '', /no scenario or check named 'Nope'/);
});

test('faultline/traces is cancellable: a cancelled request answers at once', async () => {
  const endlessUri = 'file:///test/features/endless.ftp';
  await client.open(endlessUri, 'protocol Endless\nnode C[4] {\n  state x: 0..100000 = 0\n  on start { set timer t after 1 }\n  on timeout t { x = (x + 1) % 100000; set timer t after 1 }\n}\ninvariant I: forall p in C: p.x >= 0\ncheck explore { depth 1000000; states 1000000000 }\n');
  const source = new CancellationTokenSource();
  const start = performance.now();
  const pending = client.connection.sendRequest(tracesRequest, { uri: endlessUri, run: null }, source.token) as Promise<TracesResult>;
  source.cancel();
  const result = await pending;
  assert.equal(result.error, 'cancelled');
  assert.ok(performance.now() - start < 5000, 'the request ran to its time budget');
  // The traces worker takes the next request.
  const next = await client.request<TracesResult>(tracesRequest, { uri, run: { name: 'CooperativeTermination' } });
  assert.equal(next.error, null);
  await client.close(endlessUri);
});
