// What the suite expects, read from the sample files and from the project's own CLI
// (never typed in by hand), so an edited sample moves the expectations with it.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO, mermaidDecode } from './harness.mjs';

const cliPath = path.join(REPO, 'bin', 'faultline.mjs');

/** Runs the CLI (exit 1 = unexpected verdicts is still an answer). */
export function cli(args) {
  try {
    return execFileSync(process.execPath, [cliPath, ...args], { cwd: REPO, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  } catch (e) {
    if (e.status === 1 && typeof e.stdout === 'string') return e.stdout;
    throw e;
  }
}

/** 1-based line and column of the `nth` (0-based) occurrence of `needle` in `text`, plus `offset` characters. */
export function position(text, needle, { nth = 0, offset = 0 } = {}) {
  let at = -1;
  for (let i = 0; i <= nth; i++) {
    at = text.indexOf(needle, at + 1);
    assert.ok(at >= 0, `the sample no longer contains ${JSON.stringify(needle)}`);
  }
  at += offset;
  const before = text.slice(0, at);
  const line = before.split('\n').length;
  return { line, column: at - before.lastIndexOf('\n') };
}

/** Facts about samples/two-phase-commit.ftp that the editor and preview tests check. */
export function twoPhaseCommitFacts() {
  const file = 'samples/two-phase-commit.ftp';
  const text = fs.readFileSync(path.join(REPO, file), 'utf8');
  const messages = [...text.matchAll(/^message (\w+)/gm)].map((m) => m[1]);
  const scenario = 'CoordinatorCrashAfterVotes';

  // The scenario's trace as the CLI draws it: participants and arrows.
  const diagram = cli(['diagram', file, '--scenario', scenario]);
  const participants = [...diagram.matchAll(/^\s*participant \S+ as (.+)$/gm)].map((m) => mermaidDecode(m[1]));
  const arrows = [...diagram.matchAll(/^\s*\S+?(?:->>|-x)\S+?: (.+)$/gm)].map((m) => mermaidDecode(m[1]));
  assert.ok(participants.length >= 2 && arrows.length >= 2, `unexpected CLI diagram:\n${diagram}`);

  // Where each step of that trace comes from (the handler), from the CLI's JSON report.
  const report = JSON.parse(cli(['check', file, '--format', 'json', '--scenario', scenario, '--verbose']));
  const diag = report.files[0].diagnostics.find((d) => d.message.includes(`in scenario ${scenario}`) && d.related?.length);
  assert.ok(diag, `the CLI reports no trace for ${scenario}`);
  const stepLine = new Map(diag.related.map((r) => [Number(/^step (\d+):/.exec(r.message)?.[1]), r.start.line]));

  return {
    file,
    name: path.basename(file),
    text,
    messages,
    scenario,
    participants,
    arrows,
    stepLine,
    lineOf: (n) => text.split('\n')[n - 1],
    // where the suite acts
    roleName: position(text, 'node Participant[N]', { offset: 'node P'.length }),
    sendVote: position(text, 'send Vote(true) to c', { offset: 'send '.length }),
    voteDecl: position(text, 'message Vote {'),
    // "phase = READY" in the yes-branch of the vote: a participant that commits on its own breaks Atomicity.
    readyInChoose: position(text, 'choose {\n      phase = READY', { offset: 'choose {\n      phase = '.length }),
    invariant: position(text, 'invariant Atomicity', { offset: 'invariant '.length }),
    termination: position(text, 'eventually Termination', { offset: 'eventually '.length }),
    onDecision: position(text, 'on Decision(c) {'),
    scenarioLine: position(text, `scenario ${scenario} {`).line,
  };
}

/** The code cells of a notebook after the CLI runs it: first line, the runs of its verdict table, its traces' titles. */
export function notebookFacts(file) {
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'faultline-e2e-nb-')), path.basename(file));
  try {
    cli(['notebook', 'run', file, '--out', out]);
    const nb = JSON.parse(fs.readFileSync(out, 'utf8'));
    const source = (c) => (Array.isArray(c.source) ? c.source.join('\n') : c.source);
    const item = (c, mime) => (c.outputs ?? []).flatMap((o) => o.items.filter((i) => i.mime === mime).map((i) => i.data));
    return {
      cellCount: nb.cells.length,
      code: nb.cells
        .map((c, index) => ({ c, index }))
        .filter(({ c }) => c.kind === 'code')
        .map(({ c, index }) => ({
          index,
          firstLine: source(c).split('\n')[0],
          runs: item(c, 'application/vnd.faultline.verdicts+json').flatMap((v) => v.runs.map((r) => r.title)),
          traces: item(c, 'application/vnd.faultline.trace+json').map((t) => t.title),
        })),
    };
  } finally {
    fs.rmSync(path.dirname(out), { recursive: true, force: true });
  }
}
