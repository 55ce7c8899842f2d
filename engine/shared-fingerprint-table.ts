/**
 * One visited set for every thread of a parallel search: 64-bit fingerprints
 * (two 32-bit hashes, as in `FingerprintSet`) in an open-addressing table in a
 * growable SharedArrayBuffer, inserted with a compare-and-swap.
 *
 * A slot is [hash 1, hash 2]; neither word is ever 0, so a 0 in the second word
 * marks an empty slot and a 0 in the first one a slot being written. An insert
 * claims the empty slot by swapping 0 for hash 2, then stores hash 1; a thread
 * that meets a claimed slot whose hash 2 is its own waits for hash 1 before it
 * compares. Hash 1 is never 0 (`| 0 || 1`, as hash 2 already was), which merges
 * two fingerprints in 2^32 and lets the table do without a third state word.
 *
 * Growing needs every thread to stop inserting (see `joinGrowth` in the worker).
 * One thread grows the buffer to hold the old table and the doubled one after it
 * (`beginGrowth`), every thread re-inserts a share of the fingerprints there
 * (`rehashShare`), and one moves the doubled table down to the start (`endGrowth`). The buffer cannot shrink, so
 * it keeps the tail the move leaves: half the table again, which is the price of
 * growing a shared table in place (the threads cannot be handed a new buffer
 * while they run: a thread waiting in `Atomics.wait` receives no messages).
 *
 * Views are fixed-length (`new Int32Array(buffer, 0, length)`): V8 does not
 * optimise length-tracking views of growable buffers (8x slower on a probe
 * loop), so each thread re-creates its view after a growth (`refresh`).
 */
export class SharedFingerprintTable {
  private slots: Int32Array;
  private mask: number;

  /**
   * `control[capacityAt]` holds the table's capacity in slots (a power of two),
   * written by the thread that grows it; every thread reads it in `refresh`.
   */
  constructor(
    readonly buffer: SharedArrayBuffer,
    private readonly control: Int32Array,
    private readonly capacityAt: number,
  ) {
    const cap = Atomics.load(control, capacityAt);
    this.slots = new Int32Array(buffer, 0, cap * 2);
    this.mask = cap - 1;
  }

  /** A buffer for a table of `capacity` slots (a power of two) that may grow to `maxBytes`; the caller stores the capacity. */
  static createBuffer(capacity: number, maxBytes: number): SharedArrayBuffer {
    return new SharedArrayBuffer(capacity * 8, { maxByteLength: Math.max(capacity * 8, maxBytes) });
  }

  get capacity(): number {
    return this.mask + 1;
  }

  /** Takes up the capacity another thread grew the table to. */
  refresh(): void {
    const cap = Atomics.load(this.control, this.capacityAt);
    if (cap === this.mask + 1) return;
    this.slots = new Int32Array(this.buffer, 0, cap * 2);
    this.mask = cap - 1;
  }

  /**
   * Stores the fingerprint: 1 when it is new, 0 when some thread stored it
   * before, -1 when the table is full (the caller stops the search well before).
   */
  add(h1: number, h2: number): number {
    const a = h1 | 0 || 1;
    const b = h2 | 0 || 1;
    const slots = this.slots;
    const mask = this.mask;
    let i = a & mask;
    for (let probes = 0; probes <= mask; probes++) {
      const at = i << 1;
      let stored = slots[at + 1]!;
      if (stored === 0) {
        stored = Atomics.compareExchange(slots, at + 1, 0, b);
        if (stored === 0) {
          Atomics.store(slots, at, a);
          return 1;
        }
      }
      if (stored === b) {
        let first = slots[at]!;
        // Claimed a moment ago by another thread, which has yet to store hash 1.
        while (first === 0) first = Atomics.load(slots, at);
        if (first === a) return 0;
      }
      i = (i + 1) & mask;
    }
    return -1;
  }

  /** Whether the fingerprint is stored (while no thread inserts: a test's view). */
  has(h1: number, h2: number): boolean {
    const a = h1 | 0 || 1;
    const b = h2 | 0 || 1;
    const slots = this.slots;
    const mask = this.mask;
    for (let i = a & mask, probes = 0; probes <= mask; i = (i + 1) & mask, probes++) {
      const stored = slots[(i << 1) + 1]!;
      if (stored === 0) return false;
      if (stored === b && slots[i << 1] === a) return true;
    }
    return false;
  }

  /** Bytes the buffer would hold after the next doubling (the old table and the new one side by side). */
  bytesToGrow(): number {
    return Math.max(this.buffer.byteLength, (this.mask + 1) * 8 * 3);
  }

  /**
   * Doubles the table on one thread, while no other touches it; false (and no
   * change) when the buffer may not grow that far.
   */
  grow(): boolean {
    if (!this.beginGrowth()) return false;
    this.rehashShare(0, 1);
    this.endGrowth();
    return true;
  }

  /**
   * The first step of doubling the table, on one thread while every other waits:
   * makes room for the doubled table after the old one. False (and no change)
   * when the buffer may not grow that far.
   */
  beginGrowth(): boolean {
    const oldCap = this.mask + 1;
    const bytes = this.bytesToGrow();
    if (bytes > this.buffer.maxByteLength) return false;
    if (this.buffer.byteLength < bytes) this.buffer.grow(bytes);
    // Clears the tail an earlier doubling left, and touches the memory the buffer
    // grew by here, on one thread: threads that fault in fresh pages at once are
    // serialised by the kernel (re-inserting 2.9 M fingerprints took 160 ms on each
    // of two threads into fresh memory; touching it first takes 29 ms, then 40 ms).
    new Int32Array(this.buffer, 0, oldCap * 6).fill(0, oldCap * 2);
    return true;
  }

  /**
   * The second step, on every thread at once: re-inserts share `part` of `parts`
   * of the old table's slots into the doubled one (with the same compare-and-swap
   * as `add`; every fingerprint is distinct, so none is compared).
   */
  rehashShare(part: number, parts: number): void {
    const oldCap = this.mask + 1;
    const whole = new Int32Array(this.buffer, 0, oldCap * 6);
    const to = oldCap * 2;
    const mask = oldCap * 2 - 1;
    const share = Math.ceil(oldCap / parts);
    const end = Math.min(oldCap, (part + 1) * share) * 2;
    for (let j = part * share * 2; j < end; j += 2) {
      const b = whole[j + 1]!;
      if (b === 0) continue;
      const a = whole[j]!;
      for (let i = a & mask; ; i = (i + 1) & mask) {
        const at = to + (i << 1);
        if (whole[at + 1] === 0 && Atomics.compareExchange(whole, at + 1, 0, b) === 0) {
          whole[at] = a;
          break;
        }
      }
    }
  }

  /**
   * The last step, on one thread once every share is re-inserted: moves the
   * doubled table to the start and publishes its capacity (the others take it
   * up in `refresh`).
   */
  endGrowth(): void {
    const cap = (this.mask + 1) * 2;
    new Int32Array(this.buffer, 0, cap * 3).copyWithin(0, cap, cap * 3);
    this.slots = new Int32Array(this.buffer, 0, cap * 2);
    this.mask = cap - 1;
    Atomics.store(this.control, this.capacityAt, cap);
  }
}
