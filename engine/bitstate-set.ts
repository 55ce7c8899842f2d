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
   * `bytes` is rounded down to whole words (at least 1 KiB, at most 512 MiB: bit
   * indices are 32-bit). Any size is used whole: indices are scaled into the
   * range, not masked, so a budget need not be a power of two. `hashes` bits are
   * set per state; Spin's default is 3.
   */
  constructor(
    bytes: number,
    readonly hashes = 3,
  ) {
    const words = Math.max(256, Math.min(1 << 27, Math.floor(bytes / 4)));
    this.bits = new Int32Array(words);
    this.bitTotal = words * 32;
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

  /** The chance that a new state now would be taken for a seen one. */
  falseMatchChance(): number {
    return (this.setBits / this.bitTotal) ** this.hashes;
  }

  /** The expected number of states missed so far (at least those: states only they lead to are missed as well). */
  get expectedMissed(): number {
    return this.missed;
  }
}
