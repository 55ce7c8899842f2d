import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli } from '../support/cli-process.js';
import { repoRoot } from '../support/repo.js';
import { unsafeProtocol as unsafe } from '../support/cli-protocols.js';

const root = repoRoot();
const dir = mkdtempSync(join(tmpdir(), 'faultline-cli-'));

const run = runCli;

function file(name: string, text: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const clean = `protocol Ping
message Ping
node A { on start { send Ping to B } }
node B { state got: bool = false
  on Ping { got = true } }
eventually Delivered: B.got
`;

const broken = `protocol Broken
message Ping
node A { on start { send Pong to B } }
node B { state got: bool = false }
`;


test('check: a clean protocol exits 0 and says what was explored', () => {
  const r = run('check', file('clean.ftp', clean));
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /: 3 states, 2 transitions.*: ok \(Delivered holds\)/);
});

test('check: errors are printed as file:line:col: severity: message [code] and exit 1', () => {
  const path = file('broken.ftp', broken);
  const r = run('check', path);
  assert.equal(r.code, 1);
  assert.match(r.stdout, new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:3:26: error: .*Pong.* \\[FTP202\\]$`, 'm'));
});

test('check: an invariant violation exits 1 and lists the counterexample steps', () => {
  const r = run('check', file('unsafe.ftp', unsafe));
  assert.equal(r.code, 1);
  assert.match(r.stdout, /error: NeverGot is violated when exploring: a 2-step counterexample \[FTP401\]/);
  assert.match(r.stdout, /step 2: B receives Ping from A/);
});

test('check --format json is valid JSON with diagnostics, verdicts and traces', () => {
  const r = run('check', '--format', 'json', file('unsafe2.ftp', unsafe));
  assert.equal(r.code, 1);
  const report = JSON.parse(r.stdout) as { ok: boolean; files: { runs: { verdicts: { property: string; outcome: string; trace: { steps: unknown[] } | null }[] }[] }[] };
  assert.equal(report.ok, false);
  const verdict = report.files[0]!.runs[0]!.verdicts[0]!;
  assert.equal(verdict.property, 'NeverGot');
  assert.equal(verdict.outcome, 'violated');
  assert.equal(verdict.trace!.steps.length, 2);
});

test('check --format sarif is SARIF 2.1.0 with one result per diagnostic', () => {
  const r = run('check', '--format', 'sarif', file('broken2.ftp', broken));
  const sarif = JSON.parse(r.stdout) as { version: string; runs: { results: { ruleId: string; locations: { physicalLocation: { region: { startLine: number } } }[] }[] }[] };
  assert.equal(sarif.version, '2.1.0');
  const result = sarif.runs[0]!.results.find((x) => x.ruleId === 'FTP202');
  assert.ok(result);
  assert.equal(result.locations[0]!.physicalLocation.region.startLine, 3);
});

test('bad input never gives a stack trace: missing file, directory, empty, binary, 10 MB', () => {
  const missing = run('check', join(dir, 'nope.ftp'));
  assert.equal(missing.code, 1);
  assert.match(missing.stdout, /nope\.ftp: error: no such file/);
  const folder = run('check', dir);
  assert.match(folder.stdout, /is a directory/);
  const empty = run('check', file('empty.ftp', ''));
  assert.equal(empty.code, 1);
  assert.match(empty.stdout, /FTP103/);
  const binary = run('check', file('garbage.ftp', Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256))));
  assert.equal(binary.code, 1);
  assert.match(binary.stdout, /FTP100/);
  const big = run('check', file('big.ftp', `protocol Big\n${'param P = 1 // padding padding padding padding\n'.repeat(220_000)}`));
  assert.ok(big.code === 0 || big.code === 1);
  for (const r of [missing, folder, empty, binary, big]) {
    assert.doesNotMatch(r.stdout + r.stderr, /\n\s+at .*\(.*:\d+:\d+\)/, 'no stack trace');
  }
});

test('usage errors exit 2 with the usage text', () => {
  const none = run();
  assert.equal(none.code, 2);
  assert.match(none.stderr, /usage: faultline/);
  assert.equal(run('frobnicate', 'x.ftp').code, 2);
  assert.equal(run('check').code, 2);
  assert.equal(run('simulate', '--runs', 'many', 'x.ftp').code, 2);
  assert.equal(run('check', '--format', 'xml', 'x.ftp').code, 2);
});

test('simulate: the same seed prints the same result; explore honours --param and --depth', () => {
  const path = file('commit.ftp', `${clean}\ncheck explore { drop up to 1; expect Delivered violated }\n`);
  const a = run('simulate', path, '--runs', '20', '--seed', '7', '--format', 'json');
  const b = run('simulate', path, '--runs', '20', '--seed', '7', '--format', 'json');
  const strip = (s: string) => s.replace(/"(elapsedMs|stepsPerSecond|peakBytes)": [\d.e+-]+/g, '');
  assert.equal(strip(a.stdout), strip(b.stdout));
  const shallow = run('explore', path, '--depth', '1');
  assert.match(shallow.stdout, /depth bound/);
});

test('diagram: a Mermaid sequence diagram of the run, to stdout or --out', () => {
  const path = file('diagram.ftp', unsafe);
  const r = run('diagram', path);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^sequenceDiagram\n/);
  assert.match(r.stdout, /participant n0 as A/);
  assert.match(r.stdout, /n0->>n1: 2\. Ping/);
  const out = join(dir, 'out.mmd');
  const w = run('diagram', path, '--out', out);
  assert.equal(w.code, 0);
  assert.match(w.stdout, /out\.mmd: 2 steps, NeverGot violated/);
});

test('explore: a memory budget stops the search with a clear message, not an out-of-memory crash', () => {
  const r = run('explore', join(root, 'bench/models/two-phase-commit.ftp'), '--param', 'N=4', '--no-symmetry', '--max-memory', '16');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /memory budget reached after [\d,]+ states, every level to depth \d+ complete/);
  assert.match(r.stdout, /\[FTP404\]/);
});

test('explore: two-phase commit with 7 participants ends cleanly under a 200 MB budget, within it', () => {
  const r = run('explore', join(root, 'bench/models/two-phase-commit.ftp'), '--param', 'N=7', '--no-symmetry', '--max-memory', '200', '--format', 'json');
  assert.equal(r.code, 0, r.stderr);
  const report = JSON.parse(r.stdout) as { memory: { budgetBytes: number; peakBytes: number }; files: { runs: { status: string; explore: { states: number; depth: number } }[] }[] };
  const run0 = report.files[0]!.runs[0]!;
  assert.equal(run0.status, 'limit-memory');
  // 36.7 M states in all: the budget holds a part of them, every level to some depth.
  assert.ok(run0.explore.states > 100_000 && run0.explore.states < 36_668_015, `${run0.explore.states} states`);
  assert.ok(run0.explore.depth >= 5);
  assert.equal(report.memory.budgetBytes, 200 * 1024 * 1024);
  // The budget is looked at every few hundred states: it may be passed by what a few hundred states take.
  assert.ok(report.memory.peakBytes < 1.1 * report.memory.budgetBytes, `peak ${report.memory.peakBytes}`);
});

test('explore --workers 2: the same states, transitions and verdicts as one thread, counterexamples as short', () => {
  const model = join(root, 'bench/models/two-phase-commit.ftp');
  const summary = (stdout: string) => {
    const report = JSON.parse(stdout) as { files: { runs: { status: string; explore: { states: number; transitions: number }; verdicts: { property: string; outcome: string; trace: { steps: unknown[] } | null }[] }[] }[] };
    return report.files[0]!.runs.map((r) => ({
      status: r.status,
      states: r.explore.states,
      transitions: r.explore.transitions,
      verdicts: r.verdicts.map((v) => `${v.property} ${v.outcome} ${v.trace?.steps.length ?? '-'}`),
    }));
  };
  const one = run('explore', model, '--param', 'N=4', '--no-symmetry', '--format', 'json');
  const two = run('explore', model, '--param', 'N=4', '--no-symmetry', '--format', 'json', '--workers', '2');
  assert.equal(two.code, one.code, two.stderr);
  assert.deepEqual(summary(two.stdout), summary(one.stdout));
  assert.equal(summary(one.stdout)[0]!.states, 24_388);
  // A violated invariant: the counterexample is as short on two threads as on one.
  const path = file('unsafe-workers.ftp', unsafe);
  const a = run('explore', path, '--format', 'json');
  const b = run('explore', path, '--format', 'json', '--workers', '2');
  assert.equal(b.code, 1, b.stderr);
  assert.deepEqual(summary(b.stdout).map((r) => r.verdicts), summary(a.stdout).map((r) => r.verdicts));
  assert.equal(run('explore', path, '--workers', '0').code, 2);
});

test('explore --bitstate: past the memory budget the search goes on to the end in bitstate mode and estimates its coverage', () => {
  const r = run('explore', join(root, 'bench/models/two-phase-commit.ftp'), '--param', 'N=5', '--no-symmetry', '--max-memory', '16', '--bitstate');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /the memory budget was reached after \d+ states; a bitstate search in \d+\.\d MB went on to the end/);
  const m = /check explore: ([\d,]+) states, .* covering about (\d+\.\d+) % of the states/.exec(r.stdout);
  assert.ok(m, r.stdout);
  const states = Number(m[1]!.replaceAll(',', ''));
  assert.ok(states > 280_000 && states <= 285_320, `${states} states`);
  assert.ok(Number(m[2]) > 99 && Number(m[2]) < 100);
  // Not proven: bitstate search may have missed states.
  assert.match(r.stdout, /Atomicity not violated/);
  assert.match(r.stdout, /\[FTP404\]/);
});
