/**
 * A growable run of 32-bit words that is cleared and refilled for every state
 * the explorer encodes. A typed array keeps the words unboxed and the buffer is
 * reused, so encoding a state allocates nothing.
 */
export class WordBuffer {
  data: Int32Array;
  length = 0;

  constructor(capacity = 256) {
    this.data = new Int32Array(capacity);
  }

  push(word: number): void {
    if (this.length === this.data.length) this.grow();
    this.data[this.length++] = word;
  }

  /** Appends `from[start..end)`. */
  append(from: Int32Array, start: number, end: number): void {
    const n = end - start;
    while (this.length + n > this.data.length) this.grow();
    const data = this.data;
    let at = this.length;
    for (let i = start; i < end; i++) data[at++] = from[i]!;
    this.length = at;
  }

  clear(): void {
    this.length = 0;
  }

  toArray(): number[] {
    return Array.from(this.data.subarray(0, this.length));
  }

  /** Orders buffers word by word, then by length (a shorter prefix first). */
  compare(other: WordBuffer): number {
    const n = Math.min(this.length, other.length);
    for (let i = 0; i < n; i++) if (this.data[i] !== other.data[i]) return this.data[i]! - other.data[i]!;
    return this.length - other.length;
  }

  copyFrom(other: WordBuffer): void {
    while (this.data.length < other.length) this.grow();
    this.data.set(other.data.subarray(0, other.length));
    this.length = other.length;
  }

  private grow(): void {
    const grown = new Int32Array(this.data.length * 2);
    grown.set(this.data);
    this.data = grown;
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
