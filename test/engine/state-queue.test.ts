import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { ChunkPool, StateQueue } from '../../engine/state.js';
import { WordBuffer } from '../../engine/word-buffer.js';

function buffer(words: readonly number[]): WordBuffer {
  const b = new WordBuffer();
  for (const w of words) b.push(w);
  return b;
}

function read(queue: StateQueue, f: number): number[] {
  return Array.from(queue.words(f).subarray(queue.start(f), queue.end(f)));
}

test('a level queue gives back every state it took, in order, across chunks and for a state larger than a chunk', () => {
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 1, max: 90_000 }), { minLength: 1, maxLength: 40 }), (lengths) => {
      const queue = new StateQueue();
      const states = lengths.map((n, i) => Array.from({ length: n }, (_, k) => (i * 7919 + k) | 0));
      // One state of more than a chunk (1 MB) among them.
      states.splice(states.length >> 1, 0, Array.from({ length: 300_000 }, (_, k) => -k | 0));
      states.forEach((words, i) => queue.push(buffer(words), 1000 + i));
      assert.equal(queue.size, states.length);
      states.forEach((words, i) => {
        assert.equal(queue.ids[i], 1000 + i);
        assert.deepEqual(read(queue, i), words);
      });
      assert.equal(queue.bytes, states.reduce((sum, w) => sum + w.length * 4 + 8, 0));
    }),
    { numRuns: 25, seed: 77 },
  );
});

test('levels sharing a pool reuse the chunks of the level cleared before them', () => {
  const pool = new ChunkPool();
  const first = new StateQueue(pool);
  const state = buffer(Array.from({ length: 1000 }, (_, k) => k));
  for (let i = 0; i < 700; i++) first.push(state, i); // 700,000 words: three chunks
  const used = new Set([0, 300, 699].map((f) => first.words(f)));
  assert.equal(used.size, 3);
  first.clear();
  assert.equal(first.size, 0);
  const second = new StateQueue(pool);
  for (let i = 0; i < 700; i++) second.push(state, i);
  for (const f of [0, 300, 699]) assert.ok(used.has(second.words(f)), `state ${f} is in a chunk the first level gave back`);
  assert.deepEqual(read(second, 699), Array.from(state.data.subarray(0, 1000)));
});
