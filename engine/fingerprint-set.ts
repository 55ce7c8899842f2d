/**
 * The visited set: 64-bit fingerprints (two independent 32-bit hashes of a
 * state's words) in an open-addressing table. Storing fingerprints instead of
 * states keeps memory per state small; the chance that two distinct states
 * collide is reported by `collisionProbability`. A slot is its two hash words
 * side by side, so a probe touches one cache line; the state ids, which only
 * the search for infinite runs needs, sit in a parallel table kept on request.
 * On large models every probe is a cache miss, so the table is as small as a
 * slot can be and fills up to 70 % before it doubles: with eight slots to a
 * cache line, the extra probes of linear probing stay within the line the first
 * probe fetched, and the smaller table misses the caches less (2PC N=5: 44 -> 29
 * bytes per state, and faster).
 */
export class FingerprintSet {
  /** Per slot: hash 1, hash 2 (never 0: 0 marks an empty slot). */
  private slots: Int32Array;
  private ids: Int32Array | null;
  private mask: number;
  size = 0;
  /**
   * Asked before the table doubles, with the bytes the doubled table takes; when
   * it says no, the table fills further (up to 90 %) and `growthRefused` is set,
   * so the explorer can stop or change mode after the expansion under way.
   */
  mayGrow: ((bytesAfter: number) => boolean) | null = null;
  growthRefused = false;

  constructor(initialCapacity = 1 << 16, keepIds = true) {
    let cap = 1024;
    while (cap < initialCapacity) cap <<= 1;
    this.slots = new Int32Array(cap * 2);
    this.ids = keepIds ? new Int32Array(cap) : null;
    this.mask = cap - 1;
  }

  get bytes(): number {
    return this.slots.byteLength + (this.ids?.byteLength ?? 0);
  }

  /**
   * Stores the fingerprint with `id` and returns -1, or returns the id already
   * stored for it (0 when ids are not kept).
   */
  addOrGet(h1: number, h2: number, id: number): number {
    if ((this.size + 1) * 10 > (this.mask + 1) * 7) this.growIfAllowed();
    const a = h1 | 0;
    const b = h2 | 0 || 1;
    const slots = this.slots;
    const mask = this.mask;
    let i = a & mask;
    for (;;) {
      const at = i << 1;
      const stored = slots[at + 1]!;
      if (stored === 0) {
        slots[at] = a;
        slots[at + 1] = b;
        if (this.ids) this.ids[i] = id;
        this.size++;
        return -1;
      }
      if (stored === b && slots[at] === a) return this.ids ? this.ids[i]! : 0;
      i = (i + 1) & mask;
    }
  }

  /** The probability that at least two of the stored states share a fingerprint (birthday bound). */
  collisionProbability(): number {
    const n = this.size;
    return Math.min(1, (n * (n - 1)) / 2 / 2 ** 64);
  }

  /**
   * Reads the slot a probe for `h1` starts at and returns its word. Probing a
   * batch of fingerprints one after another waits for memory once per probe;
   * reading all their first slots in a tight loop first lets the processor
   * fetch them side by side, and the probes then find them in the caches.
   */
  touch(h1: number): number {
    return this.slots[((h1 & this.mask) << 1) + 1]!;
  }

  /** Whether the fingerprint is stored. */
  has(h1: number, h2: number): boolean {
    const a = h1 | 0;
    const b = h2 | 0 || 1;
    const slots = this.slots;
    const mask = this.mask;
    for (let i = a & mask; ; i = (i + 1) & mask) {
      const stored = slots[(i << 1) + 1]!;
      if (stored === 0) return false;
      if (stored === b && slots[i << 1] === a) return true;
    }
  }

  private growIfAllowed(): void {
    const full = (this.size + 1) * 10 > (this.mask + 1) * 9;
    if (!this.growthRefused && this.mayGrow && !this.mayGrow(this.slots.byteLength * 2 + (this.ids ? this.ids.byteLength * 2 : 0))) this.growthRefused = true;
    // Past 90 % linear probing degrades fast: the table grows whatever the budget says.
    if (!this.growthRefused || full) this.grow();
  }

  private grow(): void {
    const old = this.slots;
    const oldIds = this.ids;
    const cap = (this.mask + 1) * 2;
    this.slots = new Int32Array(cap * 2);
    // Fresh pages read before they are written fault twice (once to map the zero
    // page, once to copy it): writing them first faults once.
    this.slots.fill(0);
    this.ids = oldIds ? new Int32Array(cap) : null;
    const mask = cap - 1;
    this.mask = mask;
    // Every fingerprint is distinct, so re-inserting needs no comparison: the first empty slot.
    const slots = this.slots;
    const ids = this.ids;
    for (let j = 0; j < old.length; j += 2) {
      const b = old[j + 1]!;
      if (b === 0) continue;
      const a = old[j]!;
      let i = a & mask;
      while (slots[(i << 1) + 1] !== 0) i = (i + 1) & mask;
      slots[i << 1] = a;
      slots[(i << 1) + 1] = b;
      if (ids) ids[i] = oldIds![j >> 1]!;
    }
  }
}

/** Where `hashWords` leaves its two hashes (no tuple per state). */
export const hashOut = new Uint32Array(2);

/**
 * Two independent 32-bit hashes of a word sequence (an FNV-1a style lane with a
 * shift-xor, and murmur3's per-word mix), in `hashOut`. Each hash runs two
 * lanes, over the even and the odd words, combined at the end: a lane's chain of
 * dependent multiplies is what bounds the speed, and two chains run side by side.
 */
export function hashWords(words: ArrayLike<number>, length = words.length): Uint32Array {
  let a1 = 0x811c9dc5;
  let a2 = 0x050c5d1f;
  let b1 = 0x9747b28c;
  let b2 = 0x1b873593;
  let i = 0;
  for (; i + 1 < length; i += 2) {
    const w = words[i]! | 0;
    const v = words[i + 1]! | 0;
    a1 = Math.imul(a1 ^ w, 0x01000193);
    a1 ^= a1 >>> 15;
    a2 = Math.imul(a2 ^ v, 0x01000193);
    a2 ^= a2 >>> 15;
    let k = Math.imul(w, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    b1 ^= Math.imul(k, 0x1b873593);
    b1 = (b1 << 13) | (b1 >>> 19);
    b1 = (Math.imul(b1, 5) + 0xe6546b64) | 0;
    let m = Math.imul(v, 0xcc9e2d51);
    m = (m << 15) | (m >>> 17);
    b2 ^= Math.imul(m, 0x1b873593);
    b2 = (b2 << 13) | (b2 >>> 19);
    b2 = (Math.imul(b2, 5) + 0xe6546b64) | 0;
  }
  if (i < length) {
    const w = words[i]! | 0;
    a1 = Math.imul(a1 ^ w, 0x01000193);
    a1 ^= a1 >>> 15;
    let k = Math.imul(w, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    b1 ^= Math.imul(k, 0x1b873593);
    b1 = (b1 << 13) | (b1 >>> 19);
    b1 = (Math.imul(b1, 5) + 0xe6546b64) | 0;
  }
  hashOut[0] = fmix(a1 ^ fmix(a2 ^ length));
  hashOut[1] = fmix(b1 ^ fmix(b2 ^ length));
  return hashOut;
}

/** murmur3's finalizer: every input bit affects every output bit (a bijection on 32 bits). */
export function fmix(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) | 0;
}
