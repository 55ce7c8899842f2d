import { fmix } from './fingerprint-set.js';

/**
 * The visited set of bitstate search (Holzmann's supertrace): a Bloom filter of
 * state fingerprints. A state costs a few bits instead of a stored fingerprint,
 * so a search can go on in a fixed amount of memory once the exact visited set
 * no longer fits. The price is that a new state may be taken for one already
 * seen (never the reverse): the search may miss states, and the number it
 * probably missed is estimated as it goes.
 */
export class BitstateSet {
  private readonly bits: Int32Array;
  private readonly bitTotal: number;
  /** Bits set so far: the fill decides the chance that a new state is mistaken for a seen one. */
  private setBits = 0;
  /** New states stored. */
  size = 0;
  /** The expected number of new states that were taken for seen ones (the sum of the miss chance at each store). */
  private missed = 0;
  /**
   * Words that went from zero to non-zero since the last reset, while few: a filter
   * reused run after run (a swarm) is then cleared in the time its runs took, not in
   * the time of its size. Null once too many to list (then the reset clears it all).
   */
  private dirty: Int32Array | null = null;
  private dirtyCount = 0;
  private dirtyOverflow = false;

  /**
   * `bytes` is rounded down to whole words (at least 1 KiB, at most 512 MiB: bit
   * indices are 32-bit). Any size is used whole: indices are scaled into the
   * range, not masked, so a budget need not be a power of two. `hashes` bits are
   * set per state; Spin's default is 3. A non-zero `salt` gives the filter other
   * hash functions: two salts take different pairs of states for one another, which
   * is what makes swarm runs miss different states (0 is the unsalted filter).
   */
  constructor(
    bytes: number,
    readonly hashes = 3,
    private salt = 0,
  ) {
    const words = Math.max(256, Math.min(1 << 27, Math.floor(bytes / 4)));
    this.bits = new Int32Array(words);
    this.bitTotal = words * 32;
  }

  /** Empties the filter for another run, with the hash functions of `salt`. */
  reset(salt: number): void {
    if (this.dirty && !this.dirtyOverflow) {
      for (let i = 0; i < this.dirtyCount; i++) this.bits[this.dirty[i]!] = 0;
    } else if (this.setBits > 0) this.bits.fill(0);
    this.dirty ??= new Int32Array(Math.min(this.bits.length >>> 4, 1 << 16));
    this.dirtyCount = 0;
    this.dirtyOverflow = false;
    this.setBits = 0;
    this.size = 0;
    this.missed = 0;
    this.salt = salt;
  }

  get bytes(): number {
    return this.bits.byteLength;
  }

  get bitCount(): number {
    return this.bitTotal;
  }

  /**
   * Marks the fingerprint (two independent 32-bit hashes); returns true when it
   * was new, false when every one of its bits was already set.
   */
  add(h1: number, h2: number): boolean {
    if (this.salt !== 0) {
      // Every bit of the salted hash depends on every bit of the salt.
      h1 = fmix(h1 ^ this.salt) >>> 0;
      h2 = fmix(h2 ^ Math.imul(this.salt, 0x9e3779b1)) >>> 0;
    }
    const bits = this.bits;
    const total = this.bitTotal;
    // Enhanced double hashing: k indices from two hashes, with a cubic term so
    // that fingerprints sharing h1 or h2 still spread apart.
    const step = h2 | 1;
    let fresh = false;
    let setNow = 0;
    for (let i = 0; i < this.hashes; i++) {
      const hash = (h1 + Math.imul(i, step) + ((i * i * i - i) / 6) * 0x9e3779b1) >>> 0;
      // A 32-bit hash scaled to [0, total): the high bits choose, so every size is spread evenly.
      const at = Math.floor((hash / 4294967296) * total);
      const word = at >>> 5;
      const bit = 1 << (at & 31);
      if ((bits[word]! & bit) === 0) {
        if (this.dirty && bits[word] === 0) this.markDirty(word);
        bits[word] = bits[word]! | bit;
        setNow++;
        fresh = true;
      }
    }
    if (!fresh) return false;
    // The chance that this state's bits had all been set by others already: had it been, it would have been missed.
    this.missed += this.falseMatchChance();
    this.setBits += setNow;
    this.size++;
    return true;
  }

  private markDirty(word: number): void {
    if (this.dirtyOverflow) return;
    if (this.dirtyCount === this.dirty!.length) this.dirtyOverflow = true;
    else this.dirty![this.dirtyCount++] = word;
  }

  /** The chance that a new state now would be taken for a seen one. */
  falseMatchChance(): number {
    return (this.setBits / this.bitTotal) ** this.hashes;
  }

  /** The expected number of states missed so far (at least those: states only they lead to are missed as well). */
  get expectedMissed(): number {
    return this.missed;
  }
}
