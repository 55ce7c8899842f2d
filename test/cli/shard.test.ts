import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { ShardResult } from '../../engine/shard.js';
import { runCli } from '../support/cli-process.js';
import { repoRoot } from '../support/repo.js';
import { shardsAgainstWhole } from '../support/shard-processes.js';
import { unsafeProtocol as unsafe } from '../support/cli-protocols.js';

const root = repoRoot();
const dir = mkdtempSync(join(tmpdir(), 'faultline-shard-'));
const sample = join(root, 'samples/two-phase-commit.ftp');

const run = runCli;

function readResult(path: string): ShardResult {
  return JSON.parse(readFileSync(path, 'utf8')) as ShardResult;
}

// Seeds 200..239 of the 2PC sample: its four runs, 160 simulations in all. One expected
// violation is first found in shard 1's seeds, another only in shard 4's (seed 239).
const range = '200..239';

test('simulate --shard k/4 in 4 processes, merged, equals one unsharded run over the same seeds', async () => {
  const outs = [1, 2, 3, 4].map((k) => join(dir, `two-pc-${k}.json`));
  const { shards, one, all } = await shardsAgainstWhole(['simulate', sample, '--seed-range', range], outs, ['--shard', '1/1']);

  // The properties found, and where: the merge had to look past shard 1 for one of them.
  const found = one.runs.flatMap((r) => r.verdicts.filter((v) => v.outcome === 'violated').map((v) => [r.run, v.property, v.seed]));
  assert.deepEqual(found, [
    ['CoordinatorCrashStop', 'Termination', 207],
    ['CoordinatorCrashAfterVotes', 'Termination', 239],
  ]);
  const fourth = readResult(outs[3]!);
  assert.deepEqual(fourth.runs[2]!.seeds, [{ first: 230, last: 239 }]);
  assert.deepEqual(fourth.runs[2]!.verdicts[1]!.trace, one.runs[2]!.verdicts[1]!.trace);
  assert.equal(one.runs.reduce((n, r) => n + r.coverage.runs, 0), 160);
  assert.equal(
    all.runs.reduce((n, r) => n + r.coverage.steps, 0),
    shards.reduce((n, _s, i) => n + readResult(outs[i]!).runs.reduce((m, r) => m + r.coverage.steps, 0), 0),
  );

  // A reported seed replays on its own with plain `simulate --seed S --runs 1`.
  const replay = run('simulate', sample, '--scenario', 'CoordinatorCrashAfterVotes', '--seed', '239', '--runs', '1', '--format', 'json');
  const report = JSON.parse(replay.stdout) as { files: { runs: { verdicts: { property: string; trace: unknown }[] }[] }[] };
  const replayed = report.files[0]!.runs[0]!.verdicts.find((v) => v.property === 'Termination')!;
  assert.deepEqual(replayed.trace, one.runs[2]!.verdicts[1]!.trace);

  // Text: each run's verdicts and the seeds behind them.
  const text = run('merge', ...outs);
  assert.equal(text.code, 0);
  assert.match(text.stdout, /scenario CoordinatorCrashAfterVotes: seeds 200\.\.239, 40 runs, .*: ok \(Atomicity not violated; Termination violated at seed 239, as expected\)/);
  assert.match(text.stdout, /4 results merged: ok$/m);
});


test('merge refuses missing shards (exit 2, naming the seeds), and --allow-partial merges with a warning', () => {
  const path = join(dir, 'unsafe.ftp');
  writeFileSync(path, unsafe);
  const outs = [1, 3].map((k) => join(dir, `unsafe-${k}.json`));
  for (const [i, out] of outs.entries()) {
    const r = run('simulate', path, '--seed-range', '1..8', '--shard', `${i === 0 ? 1 : 3}/4`, '--out', out);
    // A property expected to hold was violated: no other shard can undo that.
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /NeverGot violated at seed \d+ \(unexpected\)/);
  }
  const refused = run('merge', ...outs);
  assert.equal(refused.code, 2);
  assert.match(refused.stderr, /error: explore: 4 seed\(s\) of 1\.\.8 not run: 3\.\.4, 7\.\.8 \(pass --allow-partial/);
  const partial = run('merge', ...outs, '--allow-partial');
  assert.equal(partial.code, 1);
  assert.match(partial.stderr, /warning: explore: 4 seed\(s\) of 1\.\.8 not run: 3\.\.4, 7\.\.8/);
  assert.match(partial.stdout, /NeverGot at seed 1 \(replay: faultline simulate .*unsafe\.ftp --seed 1 --runs 1\):\n {6}step 1: /);

  // A time budget cuts a shard between seeds; the seeds it left are what merge reports missing.
  const cut = join(dir, 'unsafe-cut.json');
  const short = run('simulate', path, '--seed-range', '1..4000000', '--time', '1', '--out', cut);
  const m = /warning: explore stopped \(limit-time\) after (no seeds|seeds 1(?:\.\.(\d+))?) of 1\.\.4000000/.exec(short.stderr);
  assert.ok(m, short.stderr);
  const firstMissing = m[1] === 'no seeds' ? 1 : Number(m[2] ?? 1) + 1;
  const missing = run('merge', cut);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, new RegExp(`not run: ${firstMissing}\\.\\.4000000`));
});

test('merge refuses results of another model, seeds run twice and files that are not results', () => {
  const a = join(dir, 'm-a.json');
  const b = join(dir, 'm-b.json');
  const other = join(dir, 'other.ftp');
  writeFileSync(other, unsafe.replace('not B.got', 'true'));
  const unsafePath = join(dir, 'unsafe2.ftp');
  writeFileSync(unsafePath, unsafe);
  run('simulate', unsafePath, '--seed-range', '1..4', '--shard', '1/2', '--out', a);
  run('simulate', other, '--seed-range', '1..4', '--shard', '2/2', '--out', b);
  const different = run('merge', a, b);
  assert.equal(different.code, 2);
  assert.match(different.stderr, /m-b\.json and .*m-a\.json differ in model \(content hash\)/);
  const twice = run('merge', a, a);
  assert.equal(twice.code, 2);
  assert.match(twice.stderr, /both ran seeds 1\.\.2/);
  const junk = join(dir, 'junk.json');
  writeFileSync(junk, '{"format":"something-else"}');
  const notResult = run('merge', a, junk);
  assert.equal(notResult.code, 2);
  assert.match(notResult.stderr, /junk\.json: error: not a faultline-shard\/1 result/);
});

test('sharding flags are checked: usage errors exit 2', () => {
  const cases: [string[], RegExp][] = [
    [['simulate', sample, '--shard', '1/4'], /--shard needs --seed-range/],
    [['simulate', sample, '--seed-range', '1..9', '--runs', '5'], /--seed-range replaces --runs and --seed/],
    [['simulate', sample, '--seed-range', '9..1'], /needs A <= B/],
    [['simulate', sample, '--seed-range', '1..9', '--shard', '5/4'], /1 <= k <= n/],
    [['explore', sample, '--seed-range', '1..9'], /works with simulate only/],
    [['merge'], /merge needs at least one RESULT\.json/],
    [['simulate', sample, '--allow-partial'], /works with merge only/],
  ];
  for (const [args, message] of cases) {
    const r = run(...args);
    assert.equal(r.code, 2, args.join(' '));
    assert.match(r.stderr, message, args.join(' '));
  }
});
