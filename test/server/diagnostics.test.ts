import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { DiagnosticSeverity, type Diagnostic } from 'vscode-languageserver/node.js';
import { runSources } from '../../engine/compile.js';
import { compileJob, parallelJob, parallelUnsupported } from '../../engine/explore-parallel.js';
import { analyzeText } from '../../language/analyze.js';
import { LineIndex } from '../../language/span.js';
import { unlimited } from '../support/analyze.js';
import { LspClient } from '../support/lsp-client.js';
import { sampleText } from '../support/samples.js';

/**
 * Diagnostics through a real connection: a spawned server, `didOpen` /
 * `didChange`, and the `publishDiagnostics` of each version.
 */

let client: LspClient;
before(async () => {
  client = await LspClient.start();
});
after(async () => {
  await client.stop();
});

const errors = (list: Diagnostic[]): Diagnostic[] => list.filter((d) => d.severity === DiagnosticSeverity.Error);

/** Waits until exploration of a version is over and returns that version's last diagnostics. */
async function finalDiagnostics(uri: string, version: number): Promise<Diagnostic[]> {
  const status = await client.waitForStatus(uri, version, ['done', 'skipped', 'failed', 'cancelled']);
  assert.notEqual(status.state, 'cancelled', `version ${version} was cancelled`);
  return client.lastDiagnostics(uri, version)?.diagnostics ?? [];
}

test('open a sample: no errors, fast or slow; an error appears, then clears when fixed', async () => {
  const uri = 'file:///test/two-phase-commit.ftp';
  const text = sampleText('two-phase-commit');
  await client.open(uri, text);
  const fast = await client.waitForDiagnostics(uri, 1);
  assert.deepEqual(errors(fast.diagnostics), []);
  const final = await finalDiagnostics(uri, 1);
  assert.deepEqual(errors(final).map((d) => d.message), []);

  // Misspell a message in a send: FTP202 on the word, with a link to its documentation.
  const lines = new LineIndex(text);
  const at = text.indexOf('send Vote(true)') + 5;
  const version = await client.change(uri, [{ range: { start: lines.positionAt(at), end: lines.positionAt(at + 4) }, text: 'Vot' }]);
  const broken = await client.waitForDiagnostics(uri, version);
  const unknown = errors(broken.diagnostics).find((d) => d.code === 'FTP202');
  assert.ok(unknown, JSON.stringify(broken.diagnostics));
  assert.deepEqual(unknown.range.start, lines.positionAt(at));
  assert.match(unknown.message, /unknown message 'Vot'/);
  assert.equal(unknown.codeDescription?.href, 'https://faultline.dev/docs/diagnostics#ftp202');
  assert.equal(unknown.source, 'faultline');
  assert.equal((await client.waitForStatus(uri, version, ['skipped'])).state, 'skipped');

  // Fix it again: the error is gone.
  const fixed = await client.change(uri, text);
  assert.deepEqual(errors((await client.waitForDiagnostics(uri, fixed)).diagnostics), []);
  assert.deepEqual(errors(await finalDiagnostics(uri, fixed)), []);
  await client.close(uri);
});

test('break an invariant: a violation on the invariant with the counterexample as related locations', async () => {
  const uri = 'file:///test/two-phase-commit-broken.ftp';
  // A participant that commits on its own when asked to vote: some other participant may abort.
  const original = sampleText('two-phase-commit');
  const anchor = 'choose {\n      phase = READY';
  assert.ok(original.includes(anchor), 'the sample still has the READY branch this test edits');
  const text = original.replace(anchor, 'choose {\n      phase = COMMIT');
  await client.open(uri, text);
  const final = await finalDiagnostics(uri, 1);
  const violation = final.find((d) => d.code === 'FTP401' && d.severity === DiagnosticSeverity.Error);
  assert.ok(violation, JSON.stringify(final.map((d) => d.message)));
  assert.match(violation.message, /^Atomicity is violated in (check|scenario) \w+: a \d+-step counterexample/);
  const lines = new LineIndex(text);
  const name = text.indexOf('invariant Atomicity') + 'invariant '.length;
  assert.deepEqual(violation.range, { start: lines.positionAt(name), end: lines.positionAt(name + 'Atomicity'.length) });
  const related = violation.relatedInformation ?? [];
  assert.ok(related.length >= 2, 'the counterexample has steps');
  for (const r of related) {
    assert.equal(r.location.uri, uri);
    assert.match(text.slice(lines.offsetAt(r.location.range.start), lines.offsetAt(r.location.range.end)), /^(on|crash|drop|recover|partition|byzantine)\b/);
  }
  assert.ok(
    related.some((r) => text.slice(lines.offsetAt(r.location.range.start)).startsWith('on VoteRequest from c when phase == INIT')),
    'the handler that commits on its own ran in the counterexample',
  );
  // The expectation that was not met is flagged too.
  const unmet = final.find((d) => d.code === 'FTP403');
  assert.ok(unmet);
  assert.match(text.slice(lines.offsetAt(unmet.range.start), lines.offsetAt(unmet.range.end)), /^expect Atomicity holds/);
  await client.close(uri);
});

test('closing a document clears its diagnostics', async () => {
  const uri = 'file:///test/closing.ftp';
  await client.open(uri, 'protocol P\nnode A { state x: bool = y }\n');
  const open = await client.waitForDiagnostics(uri, 1);
  assert.ok(errors(open.diagnostics).length > 0);
  const cleared = client.waitForCleared(uri);
  await client.close(uri);
  assert.deepEqual((await cleared).diagnostics, []);
});

test('a sample with a teaching violation reports it as a hint, not an error', async () => {
  const uri = 'file:///test/2pc-hints.ftp';
  await client.open(uri, sampleText('two-phase-commit'));
  const final = await finalDiagnostics(uri, 1);
  const hints = final.filter((d) => d.severity === DiagnosticSeverity.Hint && d.code === 'FTP402');
  assert.ok(hints.some((d) => /Termination is violated in check CoordinatorCrashStop, as expected/.test(d.message)));
  await client.close(uri);
});

test('with faultline.explore.workers at 2 the server explores on threads: the same counts and violations as on one', async () => {
  // Two checks hold, two are violated (as the sample expects).
  const text = sampleText('quorum-register');
  // Every run of the sample is one two threads cover (otherwise it would quietly run on one).
  const { model } = analyzeText(text);
  runSources(model).forEach((_, run) => {
    const sys = compileJob(parallelJob(text, run));
    assert.ok(sys);
    assert.equal(parallelUnsupported(sys, unlimited), null);
  });
  const threaded = await LspClient.start({ settings: { explore: { workers: 2 } } });
  try {
    const outcome = async (c: LspClient, uri: string) => {
      await c.open(uri, text);
      const status = await c.waitForStatus(uri, 1, ['done', 'skipped', 'failed', 'cancelled']);
      const diagnostics = c.lastDiagnostics(uri, 1)?.diagnostics ?? [];
      await c.close(uri);
      return { state: status.state, summary: status.summary, diagnostics: diagnostics.map((d) => `${d.code} ${d.message}`).sort() };
    };
    const one = await outcome(client, 'file:///test/one-thread.ftp');
    const two = await outcome(threaded, 'file:///test/two-threads.ftp');
    assert.equal(two.state, 'done');
    // The violations, each with a counterexample of the same length.
    assert.ok(two.diagnostics.some((d) => /^FTP401 ReadSeesLastWrite is violated/.test(d)), JSON.stringify(two.diagnostics));
    assert.deepEqual(two.diagnostics, one.diagnostics);
    // Every run says it ran on two threads; where the search went to the end, with the same states (a search that
    // stops at its violations stops where its threads were).
    assert.equal(two.summary.length, 4);
    for (const line of two.summary) assert.match(line, /^\w+: [\d,]+ states on 2 threads, complete: ok$/);
    assert.ok(one.summary.every((line) => !line.includes('threads')));
    const holding = (summary: string[]) => summary.filter((line) => /^(Intersecting|Majorities5): /.test(line)).map((line) => line.replace(' on 2 threads', ''));
    assert.equal(holding(two.summary).length, 2, two.summary.join('\n'));
    assert.deepEqual(holding(two.summary), holding(one.summary));
  } finally {
    await threaded.stop();
  }
});
