import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { CanonicalForms } from '../../engine/canonical-forms.js';

// The cache of canonical forms under symmetry: an answer is always the form
// remembered for exactly those words (up to their 64-bit fingerprint), and the
// latest one remembered is always found.

test('a canonical form found is the one remembered last for exactly those words', () => {
  fc.assert(
    fc.property(fc.array(fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 6 }), { maxLength: 400 }), fc.integer({ min: 1, max: 4 }), (states, bits) => {
      // A few entries: most words evict one another.
      const forms = new CanonicalForms(bits);
      const remembered = new Map<string, [number, number, number]>();
      for (const s of states) {
        // Room past the words: only `length` of them are looked up.
        const w = Int32Array.from([...s, 99, 98]);
        const key = s.join(',');
        if (forms.find(w, s.length)) {
          assert.deepEqual([forms.h1, forms.h2, forms.orbit], remembered.get(key), `${key}: the form remembered for it`);
          continue;
        }
        const form: [number, number, number] = [s.length * 7 + 1, s.reduce((a, b) => a * 5 + b, 3) | 0, s.length + 1];
        forms.remember(...form);
        assert.deepEqual([forms.h1, forms.h2, forms.orbit], form);
        remembered.set(key, form);
        assert.ok(forms.find(w, s.length), `${key}: found right after`);
      }
    }),
    { numRuns: 200, seed: 5 },
  );
  // Nothing is found in an empty cache, the empty words included.
  assert.equal(new CanonicalForms().find(new Int32Array(0), 0), false);
});
