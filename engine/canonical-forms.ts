import { hashWords } from './fingerprint-set.js';
import { decodeState } from './state.js';
import { canonicalWords, lastOrbitSize } from './symmetry.js';
import type { State, TransitionSystem } from './system.js';
import type { WordBuffer } from './word-buffer.js';

/**
 * Under symmetry reduction, the canonical fingerprints and orbit sizes of
 * successors met lately, looked up by the fingerprint of their words as the
 * generator wrote them. Renaming a state's replicas into canonical form decodes
 * it and tries orders of its replicas (`canonicalWords`, about 10 µs); the same
 * successor recurs whenever two expanded states share it (2PC N = 6: 47 % of
 * all successors, the quorum register at N = 5: 61 %), and then a lookup answers.
 *
 * Direct-mapped, so its memory is fixed (2^17 entries, 2.5 MB; 2^16 and 2^20
 * measured the same on 2PC N = 8), and a newer successor takes an older one's
 * place. A lookup compares the whole 64-bit fingerprint of the words: it
 * answers for other words only if the two share one, about 2^-64 per lookup,
 * far below the chance the visited set takes over all the states it holds.
 */
export class CanonicalForms {
  /** Per entry: the words' fingerprint (the second hash never 0; 0 marks an empty entry), the canonical one, the orbit size. */
  private readonly entries: Int32Array;
  private readonly shift: number;
  /** The canonical form `find` found or `remember` was given. */
  h1 = 0;
  h2 = 0;
  orbit = 0;
  /** The entry of the words `find` last looked up, and their fingerprint. */
  private at = 0;
  private rawA = 0;
  private rawB = 0;

  constructor(bits = 17) {
    this.entries = new Int32Array(5 << bits);
    this.shift = 32 - bits;
  }

  /** The state `of` decoded to rename it (null when the cache answered). */
  decoded: State | null = null;

  /**
   * The canonical form of the successor whose words are `w[0..length)`, into
   * `h1`, `h2` and `orbit`: from the cache, or by decoding and renaming it
   * (`canonicalWords` into `scratch`, fingerprinted by `fingerprint`).
   */
  of(sys: TransitionSystem, w: Int32Array, length: number, scratch: WordBuffer, fingerprint: (words: WordBuffer) => ArrayLike<number>): void {
    this.decoded = null;
    if (this.find(w, length)) return;
    const s = decodeState(sys, w, 0);
    this.decoded = s;
    scratch.clear();
    canonicalWords(sys, s, scratch);
    const h = fingerprint(scratch);
    this.remember(h[0]!, h[1]!, lastOrbitSize(sys));
  }

  /** Whether `w[0..length)` was met lately; its canonical fingerprint and orbit are then in `h1`, `h2`, `orbit`. */
  find(w: Int32Array, length: number): boolean {
    const h = hashWords(w, length);
    const a = h[0]! | 0;
    const b = h[1]! | 0 || 1;
    const at = (Math.imul(a ^ b, 0x9e3779b1) >>> this.shift) * 5;
    this.at = at;
    this.rawA = a;
    this.rawB = b;
    const e = this.entries;
    if (e[at] !== a || e[at + 1] !== b) return false;
    this.h1 = e[at + 2]!;
    this.h2 = e[at + 3]!;
    this.orbit = e[at + 4]!;
    return true;
  }

  /** Remembers the canonical form of the words `find` just missed. */
  remember(h1: number, h2: number, orbit: number): void {
    this.h1 = h1 | 0;
    this.h2 = h2 | 0;
    this.orbit = orbit;
    const e = this.entries;
    const at = this.at;
    e[at] = this.rawA;
    e[at + 1] = this.rawB;
    e[at + 2] = this.h1;
    e[at + 3] = this.h2;
    e[at + 4] = orbit;
  }
}
