import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { after, before, test } from 'node:test';
import { CellWorkerHost } from '../../client/notebook/cell-worker-host.js';
import type { KernelCell } from '../../notebook/run.js';
import { runCell } from '../../notebook/run.js';
import { repoRoot } from '../support/repo.js';

/**
 * The notebook kernel's worker thread as the extension ships it (the esbuild
 * bundle `notebook-worker.cjs`), driven by the host the controller uses: it
 * runs cells off the calling thread, stops through the shared flag, and is
 * replaced when it has to be killed.
 */

interface BuildModule {
  buildNode(options: { outdir: string; minify?: boolean }): Promise<string[]>;
}

const out = mkdtempSync(join(tmpdir(), 'faultline-nb-worker-'));
let host: CellWorkerHost;
const logs: string[] = [];

before(async () => {
  const build = (await import(pathToFileURL(join(repoRoot(), 'esbuild.mjs')).href)) as BuildModule;
  await build.buildNode({ outdir: out, minify: false });
  host = new CellWorkerHost({ script: join(out, 'notebook-worker.cjs'), maxMemoryMb: 512, killAfterMs: 3000, log: (m) => logs.push(m) });
});

after(async () => {
  await host?.dispose();
  rmSync(out, { recursive: true, force: true });
});

const ftp = (source: string): KernelCell => ({ kind: 'code', language: 'ftp', source });

const ping = [
  ftp(`protocol Ping
param N = 2
message Ping
node Sender { on start { broadcast Ping to Receiver } }
node Receiver[N] {
  state got: bool = false
  on Ping { got = true }
}
eventually AllGot: forall r in Receiver: r.got`),
  ftp('check Lossy explore { drop up to 1; expect AllGot violated }'),
];

/** Explores for a long time (far past any test's patience) unless stopped. */
const busy = [
  ftp(`protocol Busy
node A[4] {
  state c: 0..60 = 0
  state d: 0..60 = 0
  on start { set timer t after 1 }
  on timeout t when c < 60 {
    choose { c += 1 } or { d = c }
    set timer t after 1
  }
}
invariant Fine: true`),
  ftp('check Long explore { }'),
];

test('a cell runs in the worker with the same result as in process', async () => {
  const job = host.run({ cells: ping, index: 1, timeBudgetMs: 30_000, limits: {} });
  const end = await job.ended;
  assert.equal(end.kind, 'done');
  assert.ok(end.kind === 'done');
  const local = runCell(ping, 1, { now: () => performance.now(), timeBudgetMs: 30_000 });
  assert.deepEqual(end.run.verdicts.runs.map((r) => r.verdicts.map((v) => [v.property, v.result])), local.verdicts.runs.map((r) => r.verdicts.map((v) => [v.property, v.result])));
  assert.ok(end.run.ok);
  assert.equal(end.run.traces.length, 1);
});

test('stopping a running cell returns what it found so far, quickly, and the worker stays usable', async () => {
  const job = host.run({ cells: busy, index: 1, timeBudgetMs: 600_000, limits: {} });
  await new Promise((r) => setTimeout(r, 500));
  const t0 = performance.now();
  job.stop();
  const end = await job.ended;
  assert.ok(performance.now() - t0 < 2500, `took ${Math.round(performance.now() - t0)} ms to stop`);
  assert.equal(end.kind, 'done');
  assert.ok(end.kind === 'done' && end.run.stopped && !end.run.ok);
  assert.equal(end.run.verdicts.runs[0]?.status, 'stopped');
  assert.ok((end.run.verdicts.runs[0]?.states ?? 0) > 0);
  const again = await host.run({ cells: ping, index: 1, timeBudgetMs: 30_000, limits: {} }).ended;
  assert.equal(again.kind, 'done');
});

test('the settings cap the exploration: a state limit ends the run at its bound', async () => {
  const end = await host.run({ cells: busy, index: 1, timeBudgetMs: 60_000, limits: { maxStates: 500 } }).ended;
  assert.ok(end.kind === 'done');
  const run = end.run.verdicts.runs[0]!;
  assert.equal(run.status, 'limit-states');
  assert.equal(run.verdicts[0]!.result, 'bound reached');
});

test('cells run one at a time in order; a queued cell stopped before its turn never runs', async () => {
  const first = host.run({ cells: busy, index: 1, timeBudgetMs: 600_000, limits: {} });
  const second = host.run({ cells: ping, index: 1, timeBudgetMs: 30_000, limits: {} });
  const third = host.run({ cells: ping, index: 1, timeBudgetMs: 30_000, limits: {} });
  second.stop();
  // Dropping the queued cell does not stop the running one.
  const early = await Promise.race([first.ended.then(() => 'ended'), new Promise((r) => setTimeout(() => r('running'), 400))]);
  assert.equal(early, 'running');
  first.stop();
  const ends = await Promise.all([first.ended, second.ended, third.ended]);
  assert.deepEqual(
    ends.map((e) => e.kind),
    ['done', 'cancelled', 'done'],
  );
  assert.ok(ends[2]!.kind === 'done' && ends[2]!.run.ok);
});

test('a worker that does not stop in time is terminated and replaced', async () => {
  const impatient = new CellWorkerHost({ script: join(out, 'notebook-worker.cjs'), maxMemoryMb: 512, killAfterMs: 1, log: (m) => logs.push(m) });
  try {
    const job = impatient.run({ cells: busy, index: 1, timeBudgetMs: 600_000, limits: {} });
    await new Promise((r) => setTimeout(r, 300));
    job.stop();
    const end = await job.ended;
    assert.equal(end.kind, 'killed');
    assert.ok(logs.some((l) => /terminating it/.test(l)));
    const next = await impatient.run({ cells: ping, index: 1, timeBudgetMs: 30_000, limits: {} }).ended;
    assert.equal(next.kind, 'done');
  } finally {
    await impatient.dispose();
  }
});
