import { fmix } from './fingerprint-set.js';

/**
 * A map to ints from keys made of two small ints and two runs of words (a node
 * block and a message, say), for memo tables in the explorer's hot loop. The
 * caller supplies the key's hash (the explorer has part hashes of every block
 * and message already) and the runs stay where they are: a lookup copies
 * nothing, allocates nothing and touches a few cache lines. Keys are copied
 * into one arena when stored. The map never evicts; it stops taking keys at
 * `maxKeys` or `maxKeyWords` (`full`), and the caller computes what it could
 * not store, which keeps memory bounded on models whose keys never repeat.
 */
export class WordKeyMap {
  /** Per slot: the entry number + 1 (0: empty). */
  private slots: Int32Array;
  private mask: number;
  private hashes: Int32Array;
  private keyAt: Int32Array;
  private firstLen: Int32Array;
  private secondLen: Int32Array;
  private values: Int32Array;
  private keys: Int32Array;
  private keysLength = 0;
  size = 0;

  constructor(
    private readonly maxKeys: number,
    private readonly maxKeyWords: number,
  ) {
    this.slots = new Int32Array(1024);
    this.mask = 1023;
    this.hashes = new Int32Array(512);
    this.keyAt = new Int32Array(512);
    this.firstLen = new Int32Array(512);
    this.secondLen = new Int32Array(512);
    this.values = new Int32Array(512);
    this.keys = new Int32Array(4096);
  }

  /** Lookups that found their key, for `pays`. */
  hits = 0;

  /** Whether no more keys are taken. */
  get full(): boolean {
    return this.size >= this.maxKeys || this.keysLength >= this.maxKeyWords || !this.pays;
  }

  /**
   * Whether storing keys has paid so far: past 16,384 keys, at least two hits
   * per key. A model whose every state brings new keys (a counter that only
   * grows) would fill the map for nothing and pay a miss and a store per step;
   * once it has not paid, the map takes no more keys (2PC: a few hundred keys,
   * millions of hits).
   */
  private get pays(): boolean {
    return this.size < 16_384 || this.hits >= this.size * 2;
  }

  /**
   * The value stored for the key (`a`, `b`, `w[first..first+firstLen)`,
   * `w[second..second+secondLen)`) whose hash is `hash`, or -1.
   */
  get(hash: number, a: number, b: number, w: Int32Array, first: number, firstLen: number, second: number, secondLen: number): number {
    const slots = this.slots;
    const mask = this.mask;
    const keys = this.keys;
    for (let i = hash & mask; ; i = (i + 1) & mask) {
      const e = slots[i]! - 1;
      if (e < 0) return -1;
      if (this.hashes[e] !== hash || this.firstLen[e] !== firstLen || this.secondLen[e] !== secondLen) continue;
      let at = this.keyAt[e]!;
      if (keys[at] !== a || keys[at + 1] !== b) continue;
      at += 2;
      let same = true;
      for (let k = 0; k < firstLen && same; k++) same = keys[at + k] === w[first + k];
      at += firstLen;
      for (let k = 0; k < secondLen && same; k++) same = keys[at + k] === w[second + k];
      if (same) {
        this.hits++;
        return this.values[e]!;
      }
    }
  }

  /** Stores `value` for a key not stored yet (as `get` takes it); false (nothing stored) when full. */
  set(hash: number, a: number, b: number, w: Int32Array, first: number, firstLen: number, second: number, secondLen: number, value: number): boolean {
    if (this.full) return false;
    if ((this.size + 1) * 2 > this.mask + 1) this.growSlots();
    if (this.size === this.values.length) this.growEntries();
    const length = 2 + firstLen + secondLen;
    while (this.keysLength + length > this.keys.length) this.keys = grown(this.keys, this.keys.length * 2);
    const e = this.size++;
    this.hashes[e] = hash;
    this.keyAt[e] = this.keysLength;
    this.firstLen[e] = firstLen;
    this.secondLen[e] = secondLen;
    this.values[e] = value;
    const keys = this.keys;
    let at = this.keysLength;
    keys[at++] = a;
    keys[at++] = b;
    for (let k = 0; k < firstLen; k++) keys[at++] = w[first + k]!;
    for (let k = 0; k < secondLen; k++) keys[at++] = w[second + k]!;
    this.keysLength = at;
    this.place(e, hash);
    return true;
  }

  private place(e: number, h: number): void {
    const mask = this.mask;
    let i = h & mask;
    while (this.slots[i] !== 0) i = (i + 1) & mask;
    this.slots[i] = e + 1;
  }

  private growSlots(): void {
    const cap = (this.mask + 1) * 2;
    this.slots = new Int32Array(cap);
    this.mask = cap - 1;
    for (let e = 0; e < this.size; e++) this.place(e, this.hashes[e]!);
  }

  private growEntries(): void {
    const cap = this.values.length * 2;
    this.hashes = grown(this.hashes, cap);
    this.keyAt = grown(this.keyAt, cap);
    this.firstLen = grown(this.firstLen, cap);
    this.secondLen = grown(this.secondLen, cap);
    this.values = grown(this.values, cap);
  }
}

function grown(a: Int32Array, cap: number): Int32Array {
  const b = new Int32Array(cap);
  b.set(a);
  return b;
}

/** Mixes a key's parts into a 32-bit hash (murmur3's finalizer over a weighted sum). */
export function keyHash(a: number, b: number, c: number): number {
  return fmix(Math.imul(a, 0x9e3779b1) + Math.imul(b, 0x85ebca6b) + c);
}
