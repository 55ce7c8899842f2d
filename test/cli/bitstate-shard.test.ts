import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { ShardResult } from '../../engine/shard.js';
import { unsafeProtocol as unsafe } from '../support/cli-protocols.js';
import { runCli } from '../support/cli-process.js';
import { repoRoot } from '../support/repo.js';
import { shardsAgainstWhole } from '../support/shard-processes.js';

const root = repoRoot();
const dir = mkdtempSync(join(tmpdir(), 'faultline-swarm-'));
const sample = join(root, 'samples/two-phase-commit.ftp');
// 64 MB leaves nothing above what the process uses: every process gets the smallest filter (1 MiB), whatever its size.
const memory = ['--max-memory', '64'];

const run = runCli;

test('explore --bitstate --shard k/4 in 4 processes, merged, equals one unsharded swarm over the same seeds', async () => {
  const range = '1..10';
  const outs = [1, 2, 3, 4].map((k) => join(dir, `swarm-${k}.json`));
  const { one } = await shardsAgainstWhole(['explore', sample, '--bitstate', '--seed-range', range, ...memory], outs);
  assert.equal(one.options.mode, 'bitstate');
  assert.equal(one.options.bitstate?.filterBytes, 1 << 20);

  // Expected violations found, each by the lowest seed, with a trace that ends in it.
  const found = one.runs.flatMap((r) => r.verdicts.filter((v) => v.outcome === 'violated').map((v) => [r.run, v.property, v.seed, v.trace?.violation?.property]));
  assert.deepEqual(found, [
    ['CoordinatorCrashStop', 'Termination', 1, 'Termination'],
    ['CoordinatorCrashAfterVotes', 'Termination', 1, 'Termination'],
  ]);
  // Nothing proved: a property no seed violated is unknown.
  assert.ok(one.runs.every((r) => r.verdicts.every((v) => v.outcome === 'violated' || v.outcome === 'unknown')));
  for (const [i, r] of one.runs.entries()) {
    const b = r.coverage.bitstate!;
    assert.equal(r.coverage.runs, 10);
    const perShard = outs.map((o) => (JSON.parse(readFileSync(o, 'utf8')) as ShardResult).runs[i]!.coverage.bitstate!);
    assert.equal(b.states, perShard.reduce((n, c) => n + c.states, 0));
    assert.equal(b.bestCoverage, Math.max(...perShard.map((c) => c.bestCoverage)));
    assert.ok(b.missedByAll >= 0 && b.missedByAll < 1e-6, `${r.run}: ${b.missedByAll}`);
  }

  const text = run('merge', ...outs);
  assert.equal(text.code, 0);
  assert.match(text.stdout, /scenario CoordinatorCrashAfterVotes: seeds 1\.\.10, 10 swarm runs, [\d,]+ states visited, best run \(seed \d+\) missed .* of its states, a state missed by every run: .*: ok \(Atomicity not violated; Termination violated at seed 1, as expected\)/);
});

test('a swarm shard exits 1 on an unexpected violation; merge refuses a simulation next to a swarm', () => {
  const path = join(dir, 'unsafe.ftp');
  writeFileSync(path, unsafe);
  const swarm = join(dir, 'unsafe-swarm.json');
  const sim = join(dir, 'unsafe-sim.json');
  const s = run('explore', path, '--bitstate', '--seed-range', '1..4', '--shard', '1/2', ...memory, '--out', swarm);
  assert.equal(s.code, 1, s.stderr);
  assert.match(s.stdout, /NeverGot violated at seed 1 \(unexpected\)/);
  const merged = run('merge', swarm, '--allow-partial');
  assert.equal(merged.code, 1);
  assert.match(merged.stdout, /NeverGot at seed 1:\n {6}step 1: /);
  run('simulate', path, '--seed-range', '1..4', '--shard', '2/2', '--out', sim);
  const mixed = run('merge', swarm, sim);
  assert.equal(mixed.code, 2);
  assert.match(mixed.stderr, /unsafe-sim\.json and .*unsafe-swarm\.json differ in mode: simulation vs bitstate swarm/);
  const refused = run('explore', path, '--seed-range', '1..4');
  assert.equal(refused.code, 2);
  assert.match(refused.stderr, /--seed-range works with simulate only, or with explore --bitstate/);
});
