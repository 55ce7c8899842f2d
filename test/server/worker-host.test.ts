import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, test } from 'node:test';
import { WorkerHost } from '../../server/worker-host.js';
import type { WorkerMessage } from '../../server/worker-messages.js';

/**
 * The worker host's stop protocol with a stand-in worker: one that honours the
 * stop flag, one that ignores it (terminated after the grace period), one that
 * dies (replaced on the next job).
 */

const dir = mkdtempSync(join(tmpdir(), 'faultline-worker-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const script = join(dir, 'stand-in-worker.mjs');
writeFileSync(
  script,
  `import { parentPort, workerData } from 'node:worker_threads';
const flag = new Int32Array(workerData.stop);
parentPort.on('message', (job) => {
  if (job.text === 'hang') for (;;) {}
  if (job.text === 'die') process.exit(3);
  if (job.text === 'poll') {
    while (Atomics.load(flag, 0) < job.id) {}
    parentPort.postMessage({ type: 'done', id: job.id, stopped: true });
    return;
  }
  parentPort.postMessage({ type: 'run', id: job.id, run: 'r', diagnostics: [], summary: 'ok' });
  parentPort.postMessage({ type: 'done', id: job.id, stopped: false });
});
`,
);

const limits = { timeBudgetMs: 1000, maxStates: 10, maxDepth: 10, maxMemoryBytes: 1 << 26, bitstate: false, workers: 1 };
const logs: string[] = [];
const host = new WorkerHost({ script: pathToFileURL(script), maxMemoryMb: 64, killAfterMs: 300, log: (m) => logs.push(m) });
after(() => host.dispose());

test('a job that finishes reports its messages, then ends', async () => {
  const seen: WorkerMessage[] = [];
  const job = host.run({ type: 'explore', text: 'ok', limits }, (m) => seen.push(m));
  assert.deepEqual(await job.ended, { kind: 'finished' });
  assert.deepEqual(seen.map((m) => m.type), ['run', 'done']);
  assert.equal(host.busy, false);
});

test('a job that polls the stop flag stops when asked', async () => {
  const job = host.run({ type: 'explore', text: 'poll', limits }, () => {});
  job.stop();
  assert.deepEqual(await job.ended, { kind: 'stopped' });
});

test('a job that ignores the stop is terminated after the grace period, and the next job gets a new worker', async () => {
  const job = host.run({ type: 'explore', text: 'hang', limits }, () => {});
  const asked = Date.now();
  job.stop();
  assert.deepEqual(await job.ended, { kind: 'killed' });
  assert.ok(Date.now() - asked >= 250);
  assert.ok(logs.some((l) => /ignored a stop/.test(l)));
  assert.deepEqual(await host.run({ type: 'explore', text: 'ok', limits }, () => {}).ended, { kind: 'finished' });
});

test('a worker that dies ends its job as crashed and is replaced', async () => {
  const job = host.run({ type: 'explore', text: 'die', limits }, () => {});
  const end = await job.ended;
  assert.equal(end.kind, 'crashed');
  assert.deepEqual(await host.run({ type: 'explore', text: 'ok', limits }, () => {}).ended, { kind: 'finished' });
});

test('only one job at a time', async () => {
  const first = host.run({ type: 'explore', text: 'poll', limits }, () => {});
  assert.throws(() => host.run({ type: 'explore', text: 'ok', limits }, () => {}), /busy/);
  first.stop();
  await first.ended;
});
