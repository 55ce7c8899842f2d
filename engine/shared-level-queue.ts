/**
 * One worker's share of a BFS level in a parallel search, in growable shared
 * buffers so that every worker can expand states from it: the states' words back
 * to back, and per state where its words start and its global id.
 *
 * One thread writes a queue (the worker that found its states), during a level;
 * every thread reads it during the next, after the level's barrier. The writer
 * grows the buffers in place; a reader takes the new lengths up in `refresh`.
 * Views are fixed-length, for the reason `SharedFingerprintTable` gives.
 */
export class SharedLevelQueue {
  words: Int32Array;
  /** Per state: where its words start, its global id. */
  index: Int32Array;
  /** Words used. */
  length = 0;
  /** States held. */
  size = 0;

  constructor(
    readonly wordsBuffer: SharedArrayBuffer,
    readonly indexBuffer: SharedArrayBuffer,
  ) {
    this.words = new Int32Array(wordsBuffer, 0, wordsBuffer.byteLength / 4);
    this.index = new Int32Array(indexBuffer, 0, indexBuffer.byteLength / 4);
  }

  /** The two buffers of a queue that may grow to `maxBytes` each. */
  static createBuffers(maxBytes: number): [SharedArrayBuffer, SharedArrayBuffer] {
    const initial = 1 << 16;
    const max = Math.max(initial, maxBytes);
    return [new SharedArrayBuffer(initial, { maxByteLength: max }), new SharedArrayBuffer(initial, { maxByteLength: max })];
  }

  clear(): void {
    this.length = 0;
    this.size = 0;
  }

  start(i: number): number {
    return this.index[i << 1]!;
  }

  id(i: number): number {
    return this.index[(i << 1) + 1]!;
  }

  /** Appends a state whose words are `from[start..start+n)`; false when the buffers may not grow that far. */
  push(from: Int32Array, start: number, n: number, id: number): boolean {
    if (this.length + n > this.words.length) {
      const words = grownView(this.wordsBuffer, this.length + n);
      if (!words) return false;
      this.words = words;
    }
    if ((this.size + 1) * 2 > this.index.length) {
      const index = grownView(this.indexBuffer, (this.size + 1) * 2);
      if (!index) return false;
      this.index = index;
    }
    const at = this.size << 1;
    this.index[at] = this.length;
    this.index[at + 1] = id;
    this.size++;
    const to = this.words;
    let w = this.length;
    for (let i = 0; i < n; i++) to[w++] = from[start + i]!;
    this.length = w;
    return true;
  }

  /** A reader's view of the queue as its writer left it. */
  refresh(size: number, length: number): void {
    this.size = size;
    this.length = length;
    if (this.words.length < length) this.words = new Int32Array(this.wordsBuffer, 0, this.wordsBuffer.byteLength / 4);
    if (this.index.length < size * 2) this.index = new Int32Array(this.indexBuffer, 0, this.indexBuffer.byteLength / 4);
  }

  get bytes(): number {
    return this.wordsBuffer.byteLength + this.indexBuffer.byteLength;
  }
}

/** A view of `buffer` grown (doubling, capped at its maximum) to hold at least `need` words; null when it cannot. */
function grownView(buffer: SharedArrayBuffer, need: number): Int32Array | null {
  const max = buffer.maxByteLength / 4;
  if (need > max) return null;
  let words = Math.max(16, buffer.byteLength / 4);
  while (words < need) words *= 2;
  words = Math.min(words, max);
  buffer.grow(words * 4);
  return new Int32Array(buffer, 0, words);
}
