/**
 * The visited set: 64-bit fingerprints (two independent 32-bit hashes of a
 * state's words) in an open-addressing table, each mapped to a state id.
 * Storing fingerprints instead of states keeps memory per state small; the
 * chance that two distinct states collide is reported by `collisionProbability`.
 * Each slot keeps its two hash words and its id side by side, so a probe touches
 * one cache line.
 */
export class FingerprintSet {
  /** Per slot: hash 1, hash 2, id + 1 (0 = empty). */
  private slots: Int32Array;
  private mask: number;
  size = 0;

  constructor(initialCapacity = 1 << 16) {
    let cap = 1024;
    while (cap < initialCapacity) cap <<= 1;
    this.slots = new Int32Array(cap * 3);
    this.mask = cap - 1;
  }

  get bytes(): number {
    return this.slots.byteLength;
  }

  /** Returns the id already stored for this fingerprint, or stores `id` and returns -1. */
  addOrGet(h1: number, h2: number, id: number): number {
    if ((this.size + 1) * 2 > this.mask + 1) this.grow();
    const a = h1 | 0;
    const b = h2 | 0;
    const slots = this.slots;
    let i = a & this.mask;
    for (;;) {
      const at = i * 3;
      const stored = slots[at + 2]!;
      if (stored === 0) {
        slots[at] = a;
        slots[at + 1] = b;
        slots[at + 2] = id + 1;
        this.size++;
        return -1;
      }
      if (slots[at] === a && slots[at + 1] === b) return stored - 1;
      i = (i + 1) & this.mask;
    }
  }

  /** The probability that at least two of the stored states share a fingerprint (birthday bound). */
  collisionProbability(): number {
    const n = this.size;
    return Math.min(1, (n * (n - 1)) / 2 / 2 ** 64);
  }

  private grow(): void {
    const old = this.slots;
    const cap = (this.mask + 1) * 2;
    this.slots = new Int32Array(cap * 3);
    this.mask = cap - 1;
    this.size = 0;
    for (let j = 0; j < old.length; j += 3) {
      if (old[j + 2] !== 0) this.addOrGet(old[j]!, old[j + 1]!, old[j + 2]! - 1);
    }
  }
}

/** Where `hashWords` leaves its two hashes (no tuple per state). */
export const hashOut = new Uint32Array(2);

/** Two independent 32-bit hashes of a word sequence (FNV-1a style and a multiply-xorshift mix), in `hashOut`. */
export function hashWords(words: ArrayLike<number>, length = words.length): Uint32Array {
  let h1 = 0x811c9dc5;
  let h2 = 0x9747b28c;
  for (let i = 0; i < length; i++) {
    const w = words[i]! | 0;
    h1 = Math.imul(h1 ^ w, 0x01000193);
    h1 ^= h1 >>> 15;
    let k = Math.imul(w, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    h2 ^= Math.imul(k, 0x1b873593);
    h2 = (h2 << 13) | (h2 >>> 19);
    h2 = (Math.imul(h2, 5) + 0xe6546b64) | 0;
  }
  h1 ^= length;
  h1 = Math.imul(h1 ^ (h1 >>> 16), 0x85ebca6b);
  h1 = Math.imul(h1 ^ (h1 >>> 13), 0xc2b2ae35);
  h1 ^= h1 >>> 16;
  h2 ^= length;
  h2 = Math.imul(h2 ^ (h2 >>> 16), 0x85ebca6b);
  h2 = Math.imul(h2 ^ (h2 >>> 13), 0xc2b2ae35);
  h2 ^= h2 >>> 16;
  hashOut[0] = h1;
  hashOut[1] = h2;
  return hashOut;
}
