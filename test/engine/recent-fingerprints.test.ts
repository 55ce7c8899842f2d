import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { RecentFingerprints } from '../../engine/recent-fingerprints.js';

test('a recent-fingerprint hit is always a fingerprint added before, and the last one added is always a hit', () => {
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.integer(), fc.integer()), { maxLength: 400 }), fc.array(fc.tuple(fc.integer(), fc.integer()), { maxLength: 50 }), (added, asked) => {
      // Four slots: most fingerprints evict one another.
      const recent = new RecentFingerprints(2);
      const stored = new Set<string>();
      const key = (h1: number, h2: number) => `${h1 | 0},${h2 | 0 || 1}`;
      for (const [h1, h2] of added) {
        recent.add(h1, h2);
        stored.add(key(h1, h2));
        assert.ok(recent.has(h1, h2));
      }
      for (const [h1, h2] of [...asked, ...added]) if (recent.has(h1, h2)) assert.ok(stored.has(key(h1, h2)), `${h1},${h2} was never added`);
    }),
    { numRuns: 200, seed: 31 },
  );
  // An empty table holds nothing, the all-zero fingerprint included.
  const empty = new RecentFingerprints();
  assert.equal(empty.has(0, 0), false);
  assert.equal(empty.has(0, 1), false);
});
