import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { exploreStates } from '../../engine/explore.js';
import { promelaTwoPhaseCommit } from '../../bench/promela-2pc.js';
import { byzantineDsteps, promelaByzantineGenerals } from '../../bench/promela-byzantine-generals.js';
import { promelaQuorumRegister, quorumDsteps } from '../../bench/promela-quorum-register.js';
import { repoRoot } from '../support/repo.js';
import { systemOf, unlimited } from '../support/analyze.js';

// bench:explore compares our state counts with Spin's on these models and fails when
// they differ. Spin is not run here: these checks keep the models and their Promela
// twins from drifting apart unnoticed between bench runs. The counts below are the ones
// Spin found for the same sizes (-DSAFETY -DNOREDUCE) on 2026-11-23.

const models = [
  { name: 'two-phase-commit', n: 3, states: 2093 },
  { name: 'byzantine-generals', n: 4, states: 11904 },
  { name: 'quorum-register', n: 3, states: 3576 },
];

for (const m of models) {
  test(`bench model ${m.name} (N = ${m.n}) explores to ${m.states} states, the same on both successor generators`, () => {
    const text = readFileSync(join(repoRoot(), 'bench', 'models', `${m.name}.ftp`), 'utf8');
    const sys = systemOf(text, { params: new Map([['N', m.n]]), symmetry: false });
    for (const engine of ['auto', 'interpreter'] as const) {
      const r = exploreStates(sys, { ...unlimited, engine });
      assert.equal(r.status, 'complete', engine);
      assert.equal(r.stats.states, m.states, engine);
      // The bench compares full state spaces: a violation would stop pan early.
      assert.deepEqual(r.violations, [], engine);
    }
  });
}

function dsteps(text: string): string[] {
  return text.split('\n').filter((line) => line.includes('d_step {'));
}

test('the 2PC twin has one d_step per handler alternative, crash and drop', () => {
  for (const n of [3, 5]) {
    const lines = dsteps(promelaTwoPhaseCommit(n));
    // Start; per participant two votes, two vote deliveries, two decisions; one crash;
    // one drop per counter (n requests, 2n votes, 2n decisions).
    assert.equal(lines.length, 1 + 6 * n + 1 + 5 * n, `N = ${n}`);
  }
});

test('the Byzantine generals twin has one d_step per handler alternative, a traitor sending anything or nothing to each receiver', () => {
  for (const n of [4, 5]) {
    const text = promelaByzantineGenerals(n);
    const lines = dsteps(text);
    const kinds = byzantineDsteps(n);
    const total = Object.values(kinds).reduce((a, b) => a + b, 0);
    assert.equal(lines.length, total, `N = ${n}`);
    // Two orders times (no traitor or any of the N generals), less the state Spin starts in.
    assert.equal(lines.filter((l) => l.includes('byz == NONE && order == ATTACK ->')).length, 2 * (n + 1) - 1);
    // A traitor commander: silent, ATTACK or RETREAT to each of the N - 1 lieutenants.
    assert.equal(lines.filter((l) => l.includes('!cstarted && byz == 0 ->')).length, 3 ** (n - 1));
    assert.equal(lines.filter((l) => l.includes('!cstarted && byz != 0 ->')).length, 1);
    // Per lieutenant and order received: the loyal relay and 3^(N - 2) traitor relays.
    for (let i = 0; i < n - 1; i++) {
      assert.equal(lines.filter((l) => l.includes(`byz != ${i + 1} && lstarted[${i}] && cmd[`)).length, 2);
      assert.equal(lines.filter((l) => l.includes(`byz == ${i + 1} && lstarted[${i}] && cmd[`)).length, 2 * 3 ** (n - 2));
    }
    assert.equal(lines.filter((l) => l.includes('timer[') && l.includes('decided[') && l.includes('== ' + (n - 2))).length, n - 1);
    assert.equal(text.match(/\binit\b/g)?.length, 1);
  }
  assert.deepEqual(byzantineDsteps(4), { initial: 9, commanderStart: 28, lieutenantStart: 3, command: 60, relay: 12, timeout: 3 });
});

test('the quorum register twin has one d_step per handler alternative, replica crash and drop', () => {
  for (const n of [3, 4, 5]) {
    const text = promelaQuorumRegister(n);
    const lines = dsteps(text);
    const kinds = quorumDsteps(n);
    assert.equal(lines.length, Object.values(kinds).reduce((a, b) => a + b, 0), `N = ${n}`);
    assert.equal(lines.filter((l) => l.includes('!crashUsed ->')).length, n);
    assert.equal(lines.filter((l) => l.includes('!dropUsed &&')).length, 7 * n + 1);
    // Majority quorums: the writer and the reader stop counting at N / 2 + 1.
    const q = Math.floor(n / 2) + 1;
    assert.equal(lines.filter((l) => l.includes(`< ${q} -> acks[`)).length, n);
    assert.equal(lines.filter((l) => l.includes(`< ${q} -> replies[`)).length, 4 * n);
  }
  assert.deepEqual(quorumDsteps(3), { start: 1, write: 3, writeAck: 3, go: 1, read: 3, readReply: 12, crash: 3, drop: 22 });
});
