/**
 * One-way channels of 32-bit words between two threads, in a SharedArrayBuffer
 * (one writer, one reader), and the BFS level queue the parallel explorer keeps
 * its frontier in. Pure ECMAScript (SharedArrayBuffer, Atomics): the core has no
 * Node imports, and the threads themselves are started by a host outside it.
 *
 * A ring is two control words (the writer's head, the reader's tail, on separate
 * cache lines so the two threads do not fight over one line) and a power-of-two
 * data area. Positions only grow and wrap at 2^32 (`| 0`): the difference of two
 * positions is still the number of words between them, and a run moves many
 * gigabytes through a ring. The writer publishes its head after a batch of
 * records with `Atomics.store`, which orders the plain data writes before it for
 * the reader's `Atomics.load`; per-word atomics would cost more than the copy.
 */

const HEAD = 0;
const TAIL = 16;
/** Control words per ring (two cache lines). */
const CONTROL_WORDS = 32;

/** Bytes of one ring of `capacity` words (a power of two). */
export function ringBytes(capacity: number): number {
  return (CONTROL_WORDS + capacity) * 4;
}

export class RingWriter {
  readonly data: Int32Array;
  readonly mask: number;
  private readonly control: Int32Array;
  /** Where the next word goes (not yet published). */
  head = 0;
  private tail = 0;

  constructor(buffer: SharedArrayBuffer, byteOffset: number, capacity: number) {
    this.control = new Int32Array(buffer, byteOffset, CONTROL_WORDS);
    this.data = new Int32Array(buffer, byteOffset + CONTROL_WORDS * 4, capacity);
    this.mask = capacity - 1;
  }

  /** Whether `n` more words fit now (the reader's tail is re-read only when the cached one says no). */
  fits(n: number): boolean {
    const cap = this.mask + 1;
    if (cap - ((this.head - this.tail) | 0) >= n) return true;
    this.tail = Atomics.load(this.control, TAIL);
    return cap - ((this.head - this.tail) | 0) >= n;
  }

  put(word: number): void {
    this.data[this.head & this.mask] = word;
    this.head = (this.head + 1) | 0;
  }

  /** Appends `from[start..start+n)`. */
  putAll(from: Int32Array, start: number, n: number): void {
    const data = this.data;
    const mask = this.mask;
    let h = this.head;
    for (let i = 0; i < n; i++) {
      data[h & mask] = from[start + i]!;
      h = (h + 1) | 0;
    }
    this.head = h;
  }

  publish(): void {
    Atomics.store(this.control, HEAD, this.head);
  }
}

export class RingReader {
  readonly data: Int32Array;
  readonly mask: number;
  private readonly control: Int32Array;
  /** The next word to read. */
  tail = 0;

  constructor(buffer: SharedArrayBuffer, byteOffset: number, capacity: number) {
    this.control = new Int32Array(buffer, byteOffset, CONTROL_WORDS);
    this.data = new Int32Array(buffer, byteOffset + CONTROL_WORDS * 4, capacity);
    this.mask = capacity - 1;
  }

  /** Words published and not yet read. */
  available(): number {
    return (Atomics.load(this.control, HEAD) - this.tail) | 0;
  }

  /** Word `i` after the tail. */
  at(i: number): number {
    return this.data[(this.tail + i) & this.mask]!;
  }

  skip(n: number): void {
    this.tail = (this.tail + n) | 0;
  }

  /** Hands the words read so far back to the writer. */
  release(): void {
    Atomics.store(this.control, TAIL, this.tail);
  }
}

/**
 * One BFS level as encoded states: their words back to back, where each starts,
 * and its id. Typed arrays throughout, so a level of millions of states is a few
 * large objects rather than arrays of boxed numbers.
 */
export class LevelQueue {
  words: Int32Array;
  length = 0;
  starts: Int32Array;
  ids: Int32Array;
  size = 0;

  constructor(words = 1 << 12, states = 1 << 8) {
    this.words = new Int32Array(words);
    this.starts = new Int32Array(states);
    this.ids = new Int32Array(states);
  }

  /** Appends a state whose words are `from[start..start+n)`, read through `mask` (a ring) or -1 (plain). */
  push(from: Int32Array, start: number, n: number, mask: number, id: number): void {
    if (this.length + n > this.words.length) this.words = grown(this.words, this.length + n);
    if (this.size === this.starts.length) {
      this.starts = grown(this.starts, this.size + 1);
      this.ids = grown(this.ids, this.size + 1);
    }
    this.starts[this.size] = this.length;
    this.ids[this.size] = id;
    this.size++;
    const to = this.words;
    let at = this.length;
    if (mask < 0) for (let i = 0; i < n; i++) to[at++] = from[start + i]!;
    else for (let i = 0; i < n; i++) to[at++] = from[(start + i) & mask]!;
    this.length = at;
  }

  get bytes(): number {
    return this.words.byteLength + this.starts.byteLength + this.ids.byteLength;
  }
}

/**
 * Successors sent to their owner as fingerprints only, waiting for its answer
 * (new or seen, in the order they were asked): per successor its parent's id,
 * its successor index, its length and its words; or, for one its parent's words
 * can rebuild (`WordSuccessors.durableOut`), minus the recipe's length, where
 * the parent's words start in the level, and the recipe. A first-in first-out
 * queue in one typed array, compacted as it empties.
 */
export class PendingQueue {
  words = new Int32Array(1 << 12);
  /** The oldest record. */
  head = 0;
  /** Where the next record goes. */
  tail = 0;

  push(parent: number, index: number, from: Int32Array, n: number): void {
    this.reserve(3 + n);
    const w = this.words;
    let at = this.tail;
    w[at++] = parent;
    w[at++] = index;
    w[at++] = n;
    for (let i = 0; i < n; i++) w[at++] = from[i]!;
    this.tail = at;
  }

  /** A successor kept as the recipe `from[start..start+n)` over the parent whose words start at `parentAt` in the level. */
  pushRecipe(parent: number, index: number, parentAt: number, from: Int32Array, start: number, n: number): void {
    this.reserve(4 + n);
    const w = this.words;
    let at = this.tail;
    w[at++] = parent;
    w[at++] = index;
    w[at++] = -n;
    w[at++] = parentAt;
    for (let i = 0; i < n; i++) w[at++] = from[start + i]!;
    this.tail = at;
  }

  private reserve(n: number): void {
    if (this.tail + n > this.words.length) {
      if (this.head > 0) {
        this.words.copyWithin(0, this.head, this.tail);
        this.tail -= this.head;
        this.head = 0;
      }
      if (this.tail + n > this.words.length) this.words = grown(this.words, this.tail + n);
    }
  }

  /** Drops the oldest record. */
  shift(): void {
    const n = this.words[this.head + 2]!;
    this.head += n >= 0 ? 3 + n : 4 - n;
    if (this.head === this.tail) this.head = this.tail = 0;
  }

  get bytes(): number {
    return this.words.byteLength;
  }
}

/** A copy of `a` with room for at least `need` elements (capacity doubled). */
export function grown(a: Int32Array, need: number): Int32Array<ArrayBuffer> {
  let cap = Math.max(16, a.length * 2);
  while (cap < need) cap *= 2;
  const b = new Int32Array(cap);
  b.set(a);
  return b;
}
