import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Worker } from 'node:worker_threads';
import fc from 'fast-check';
import { SharedFingerprintTable } from '../../engine/shared-fingerprint-table.js';
import { SharedLevelQueue } from '../../engine/shared-level-queue.js';

// The parallel explorer's shared structures: the visited set every worker
// inserts into and the level shares they read from one another.

/** A table of `capacity` slots whose capacity lives in word 0 of its own control buffer. */
function table(capacity: number, maxBytes = 1 << 24): SharedFingerprintTable {
  const control = new Int32Array(new SharedArrayBuffer(64));
  control[0] = capacity;
  return new SharedFingerprintTable(SharedFingerprintTable.createBuffer(capacity, maxBytes), control, 0);
}

/** The fingerprint the table stores for (h1, h2): neither word is 0. */
const key = (h1: number, h2: number) => `${h1 | 0 || 1},${h2 | 0 || 1}`;

test('the shared table says new exactly once per fingerprint, across doublings done whole or in shares', () => {
  fc.assert(
    fc.property(
      // Few distinct first hashes: long probe runs, and fingerprints that differ in one word only.
      fc.array(fc.tuple(fc.integer({ min: -3, max: 3 }).map((x) => x * 1024), fc.integer()), { maxLength: 3000 }),
      fc.integer({ min: 1, max: 3 }),
      (fingerprints, parts) => {
        const t = table(1024);
        const stored = new Set<string>();
        for (const [h1, h2] of fingerprints) {
          if ((stored.size + 1) * 10 > t.capacity * 7) {
            // As the workers do it: one begins, each part re-inserts its share, one ends.
            assert.ok(t.beginGrowth());
            for (let p = 0; p < parts; p++) t.rehashShare(p, parts);
            t.endGrowth();
            for (const k of stored) {
              const [a, b] = k.split(',').map(Number);
              assert.ok(t.has(a!, b!), `${k} survives the doubling`);
            }
          }
          const isNew = !stored.has(key(h1, h2));
          assert.equal(t.add(h1, h2), isNew ? 1 : 0, `${h1},${h2}`);
          stored.add(key(h1, h2));
          assert.ok(t.has(h1, h2));
        }
        assert.equal(t.has(5, 7), stored.has(key(5, 7)));
      },
    ),
    { numRuns: 60, seed: 7 },
  );
});

test('a shared table that may not grow says so, and says when it is full instead of probing forever', () => {
  const t = table(1024, 1024 * 8);
  assert.equal(t.grow(), false);
  assert.equal(t.capacity, 1024);
  for (let i = 0; i < 1024; i++) assert.equal(t.add(i * 7919, i + 1), 1);
  assert.equal(t.add(-5, -5), -1);
  assert.equal(t.add(0, 1), 0);
});

test('two threads inserting the same fingerprints at once: each is new to exactly one of them', async () => {
  const capacity = 1 << 18;
  const control = new SharedArrayBuffer(64);
  new Int32Array(control)[0] = capacity;
  const buffer = SharedFingerprintTable.createBuffer(capacity, capacity * 8);
  // Both threads insert the same 150,000 fingerprints, in the same order, so they race for the same slots all along.
  const module = new URL('../../engine/shared-fingerprint-table.js', import.meta.url).href;
  const source = `
    const { parentPort, workerData } = require('node:worker_threads');
    import(${JSON.stringify(module)}).then(({ SharedFingerprintTable }) => {
      const t = new SharedFingerprintTable(workerData.buffer, new Int32Array(workerData.control), 0);
      const n = 150000;
      const go = new Int32Array(workerData.control);
      Atomics.add(go, 8, 1);
      while (Atomics.load(go, 8) < 2) {}
      const fresh = new Uint8Array(n);
      for (let j = 0; j < n; j++) {
        const i = j;
        // Every first hash collides with 15 others: the races are for shared probe runs.
        if (t.add((i >> 4) * 2654435761, i * 40503 + 1) === 1) fresh[i] = 1;
      }
      parentPort.postMessage(fresh);
    });`;
  const run = () =>
    new Promise<Uint8Array>((resolve, reject) => {
      const w = new Worker(source, { eval: true, workerData: { buffer, control } });
      w.once('message', resolve);
      w.once('error', reject);
    });
  const [a, b] = await Promise.all([run(), run()]);
  let both = 0;
  let neither = 0;
  for (let i = 0; i < a.length; i++) {
    if (a[i] && b[i]) both++;
    if (!a[i] && !b[i]) neither++;
  }
  assert.equal(both, 0, 'fingerprints both threads stored');
  assert.equal(neither, 0, 'fingerprints neither thread stored');
  const t = new SharedFingerprintTable(buffer, new Int32Array(control), 0);
  for (let i = 0; i < a.length; i++) assert.ok(t.has((i >> 4) * 2654435761, i * 40503 + 1));
});

test('a level share read from another view holds what its writer pushed, past any number of growths', () => {
  const [words, index] = SharedLevelQueue.createBuffers(1 << 24);
  const writer = new SharedLevelQueue(words, index);
  const reader = new SharedLevelQueue(words, index);
  const state = new Int32Array(40);
  for (let round = 0; round < 2; round++) {
    writer.clear();
    for (let i = 0; i < 20_000; i++) {
      const n = 1 + (i % 37);
      for (let k = 0; k < n; k++) state[k] = i * 100 + k + round;
      assert.ok(writer.push(state, 0, n, i * 2 + 1));
    }
    reader.refresh(writer.size, writer.length);
    assert.equal(reader.size, 20_000);
    for (let i = 0; i < 20_000; i += 997) {
      const n = 1 + (i % 37);
      assert.equal(reader.id(i), i * 2 + 1);
      const at = reader.start(i);
      for (let k = 0; k < n; k++) assert.equal(reader.words[at + k], i * 100 + k + round);
    }
  }
  // A share that may not grow further refuses the state rather than losing one.
  const [w2, i2] = SharedLevelQueue.createBuffers(1 << 16);
  const small = new SharedLevelQueue(w2, i2);
  let pushed = 0;
  while (small.push(state, 0, 40, pushed)) pushed++;
  assert.equal(pushed, (1 << 16) / 4 / 40 | 0);
  assert.equal(small.size, pushed);
});
