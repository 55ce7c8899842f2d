import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { keyHash, WordKeyMap } from '../../engine/word-key-map.js';

/** A key as `WordKeyMap` takes it: two ints and two runs of words. */
const keyArbitrary = fc.record({
  a: fc.integer({ min: -2, max: 3 }),
  b: fc.integer({ min: 0, max: 3 }),
  first: fc.array(fc.integer({ min: -3, max: 3 }), { maxLength: 3 }),
  second: fc.array(fc.integer({ min: -3, max: 3 }), { maxLength: 3 }),
});
type Key = { a: number; b: number; first: number[]; second: number[] };

/** The key's runs placed in one word array at an offset, as the explorer's parent words hold them. */
function placed(k: Key): { w: Int32Array; first: number; second: number } {
  const w = new Int32Array(5 + k.first.length + k.second.length);
  w.set(k.first, 2);
  w.set(k.second, 3 + k.first.length);
  return { w, first: 2, second: 3 + k.first.length };
}

test('the word key map finds exactly the keys stored, by words and run lengths, even when hashes collide', () => {
  fc.assert(
    fc.property(fc.array(fc.tuple(keyArbitrary, fc.nat(1000)), { maxLength: 120 }), fc.boolean(), (entries, collide) => {
      const map = new WordKeyMap(1 << 20, 1 << 20);
      const model = new Map<string, number>();
      const text = (k: Key) => JSON.stringify([k.a, k.b, k.first, k.second]);
      // With `collide` every key hashes alike: only the words tell them apart.
      const hashOf = (k: Key) => (collide ? 7 : keyHash(k.a, k.b, k.first.length * 31 + (k.first[0] ?? 9) + (k.second[0] ?? 5) * 7));
      for (const [k, v] of entries) {
        const p = placed(k);
        const h = hashOf(k);
        const found = map.get(h, k.a, k.b, p.w, p.first, k.first.length, p.second, k.second.length);
        assert.equal(found, model.get(text(k)) ?? -1);
        if (found < 0) {
          assert.ok(map.set(h, k.a, k.b, p.w, p.first, k.first.length, p.second, k.second.length, v));
          model.set(text(k), v);
        }
      }
      assert.equal(map.size, model.size);
    }),
    { numRuns: 150, seed: 77 },
  );
});

test('the word key map stops taking keys at its bound and still answers for those it has', () => {
  const map = new WordKeyMap(3, 1 << 20);
  const w = new Int32Array([10, 11, 12, 13]);
  for (let i = 0; i < 3; i++) assert.ok(map.set(keyHash(i, 0, 0), i, 0, w, i, 1, 0, 0, 100 + i));
  assert.ok(map.full);
  assert.equal(map.set(keyHash(3, 0, 0), 3, 0, w, 3, 1, 0, 0, 103), false);
  assert.equal(map.get(keyHash(3, 0, 0), 3, 0, w, 3, 1, 0, 0), -1);
  for (let i = 0; i < 3; i++) assert.equal(map.get(keyHash(i, 0, 0), i, 0, w, i, 1, 0, 0), 100 + i);
  // The same words under another first int are another key.
  assert.equal(map.get(keyHash(0, 0, 0), 0, 1, w, 0, 1, 0, 0), -1);
});

test('the word key map stops taking keys once they have not paid: past 16,384 keys, fewer than two hits per key', () => {
  const w = new Int32Array(1);
  const fill = (map: WordKeyMap, from: number, to: number) => {
    for (let i = from; i < to; i++) {
      w[0] = i;
      map.set(keyHash(i, 0, 0), 0, 0, w, 0, 1, 0, 0, i);
    }
  };
  const unused = new WordKeyMap(1 << 20, 1 << 20);
  fill(unused, 0, 16_384);
  assert.equal(unused.full, true, 'no key was ever found again');
  w[0] = 5;
  assert.equal(unused.get(keyHash(5, 0, 0), 0, 0, w, 0, 1, 0, 0), 5, 'what it holds is still found');

  const used = new WordKeyMap(1 << 20, 1 << 20);
  fill(used, 0, 16_384);
  for (let round = 0; round < 2; round++) {
    for (let i = 0; i < 16_384; i++) {
      w[0] = i;
      assert.equal(used.get(keyHash(i, 0, 0), 0, 0, w, 0, 1, 0, 0), i);
    }
  }
  assert.equal(used.full, false, 'two hits per key pay for them');
  // Keys keep coming only while they keep paying: one more, then two more hits per key are owed.
  fill(used, 16_384, 20_000);
  assert.equal(used.size, 16_385);
});
