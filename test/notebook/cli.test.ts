import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { Notebook } from '../../notebook/format.js';
import { parseNotebook, serializeNotebook } from '../../notebook/format.js';
import { verdictsMime } from '../../protocol/notebook.js';
import { repoRoot } from '../support/repo.js';

/** `faultline notebook run`, as a user (or CI) runs it: the real binary on real files. */

const root = repoRoot();
const bin = join(root, 'bin/faultline.mjs');
const dir = mkdtempSync(join(tmpdir(), 'faultline-nb-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function run(...args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: root, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

function notebook(expect: 'violated' | 'holds'): Notebook {
  return {
    metadata: {},
    cells: [
      { kind: 'markdown', language: 'markdown', source: '# Ping', metadata: {}, execution: null, outputs: [] },
      {
        kind: 'code',
        language: 'ftp',
        source: 'protocol Ping\nmessage Ping\nnode A { on start { send Ping to B } }\nnode B {\n  state got: bool = false\n  on Ping { got = true }\n}\neventually Delivered: B.got',
        metadata: {},
        execution: null,
        outputs: [],
      },
      { kind: 'code', language: 'ftp', source: `check Lossy explore {\n  drop up to 1\n  expect Delivered ${expect}\n}`, metadata: {}, execution: null, outputs: [] },
    ],
  };
}

function write(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

test('notebook run writes every cell\'s outputs into the notebook and exits 0 when every expectation is met', () => {
  const path = write('good.ftpnb', serializeNotebook(notebook('violated')));
  const r = run('notebook', 'run', path);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /cell 2: default exploration: .*: ok/);
  assert.match(r.stdout, /cell 3: check Lossy: .*ok \(Delivered violated \(\d+ steps?\)\)/);
  assert.match(r.stdout, /2 cells run in .*: every expectation met/);
  const text = readFileSync(path, 'utf8');
  const nb = parseNotebook(text);
  assert.ok(nb.ok);
  assert.equal(serializeNotebook(nb.notebook), text);
  const [mdCell, protocolCell, checkCell] = nb.notebook.cells;
  assert.deepEqual(mdCell!.outputs, []);
  assert.deepEqual([protocolCell!.execution?.order, checkCell!.execution?.order], [1, 2]);
  assert.equal(checkCell!.execution?.success, true);
  assert.equal(checkCell!.outputs[0]!.items[0]!.mime, verdictsMime);
  assert.equal(checkCell!.outputs.length, 2, 'the verdict table and the counterexample');
  assert.deepEqual(readdirSync(dir).filter((f) => f.endsWith('.tmp')), [], 'a temporary file was left behind');
});

test('notebook run exits 1 when an expectation fails, and still saves the outputs that show it', () => {
  const path = write('bad.ftpnb', serializeNotebook(notebook('holds')));
  const r = run('notebook', 'run', path);
  assert.equal(r.code, 1);
  assert.match(r.stdout, /cell 3: check Lossy: .*FAILED \(Delivered violated \(\d+ steps?\) \(expected holds\)\)/);
  assert.match(r.stdout, /1 failed/);
  const nb = parseNotebook(readFileSync(path, 'utf8'));
  assert.ok(nb.ok);
  assert.equal(nb.notebook.cells[2]!.execution?.success, false);
});

test('--out writes elsewhere and leaves the notebook as it was', () => {
  const original = serializeNotebook(notebook('violated'));
  const path = write('source.ftpnb', original);
  const out = join(dir, 'run.ftpnb');
  const r = run('notebook', 'run', path, '--out', out);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(readFileSync(path, 'utf8'), original);
  const nb = parseNotebook(readFileSync(out, 'utf8'));
  assert.ok(nb.ok && nb.notebook.cells[2]!.outputs.length === 2);
});

test('a cell with errors fails the run and reports the cell, line and column', () => {
  const nb = notebook('violated');
  nb.cells[2]!.source = 'check Lossy explore {\n  drop up to 1\n  expect Missing violated\n}';
  const path = write('error.ftpnb', serializeNotebook(nb));
  const r = run('notebook', 'run', path);
  assert.equal(r.code, 1);
  assert.match(r.stdout, /error\.ftpnb: cell 3, line 3, column 10: error: .*Missing.* \[FTP211\]/);
});

test('a corrupt or truncated notebook is refused with its position and never written', () => {
  const whole = serializeNotebook(notebook('violated'));
  for (const [name, text, where] of [
    ['truncated.ftpnb', whole.slice(0, Math.floor(whole.length * 0.6)), /truncated/],
    ['corrupt.ftpnb', whole.replace('"kind": "code"', '"kind": "cod"'), /must be "markdown" or "code"/],
    ['garbage.ftpnb', 'not json at all', /expected a value/],
  ] as const) {
    const path = write(name, text);
    const r = run('notebook', 'run', path);
    assert.equal(r.code, 1, name);
    assert.match(r.stderr, new RegExp(`${name.replace('.', '\\.')}:\\d+:\\d+: error: not a readable notebook: `), r.stderr);
    assert.match(r.stderr, where);
    assert.match(r.stderr, /the file was left as it is/);
    assert.equal(readFileSync(path, 'utf8'), text, `${name} was changed`);
  }
  // Bytes that are not UTF-8 are refused too, rather than replaced and saved.
  const binary = join(dir, 'binary.ftpnb');
  const bytes = Buffer.concat([Buffer.from(whole.slice(0, 50)), Buffer.from([0xff, 0xfe]), Buffer.from(whole.slice(50))]);
  writeFileSync(binary, bytes);
  const r = run('notebook', 'run', binary);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /not UTF-8/);
  assert.deepEqual(readFileSync(binary), bytes);
});

test('usage: notebook needs the run action and one file', () => {
  assert.equal(run('notebook').code, 2);
  assert.match(run('notebook').stderr, /notebook needs an action/);
  assert.match(run('notebook', 'open', 'x.ftpnb').stderr, /unknown notebook action "open"/);
  assert.equal(run('notebook', 'run').code, 2);
  assert.equal(run('notebook', 'run', 'a.ftpnb', 'b.ftpnb').code, 2);
  const missing = run('notebook', 'run', join(dir, 'missing.ftpnb'));
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /no such file/);
});
