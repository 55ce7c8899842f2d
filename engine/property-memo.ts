import type { PropertyFailure } from './properties.js';
import { failuresAtEnd, failuresInState } from './properties.js';
import type { State, TransitionSystem } from './system.js';
import { keyHash, WordKeyMap } from './word-key-map.js';

/**
 * The properties false in a state, by the words of its node blocks. Properties
 * read only nodes (variables, up or crashed, Byzantine or not) and params, never
 * the network or the fault budgets, so states that differ only in messages in
 * flight — most of a protocol's states — share one evaluation, and the explorer
 * need not decode a state to check it. Only for systems without clocks: an
 * `eventually ... within` property also reads the time.
 */
export class PropertyMemo {
  private readonly memo = new WordKeyMap(1 << 20, 1 << 23);
  private readonly lists: PropertyFailure[][] = [[]];

  constructor(private readonly sys: TransitionSystem) {}

  /**
   * The failures `failuresInState` (or `failuresAtEnd`, when `atEnd`) finds in
   * the state whose node blocks are `words[from..to)` (`hash` a hash of them),
   * none skipped; `decode` gives the state when they are not known yet.
   */
  failures(words: Int32Array, from: number, to: number, hash: number, atEnd: boolean, decode: () => State): readonly PropertyFailure[] {
    const end = atEnd ? 1 : 0;
    const h = keyHash(end, hash, 0);
    const known = this.memo.get(h, end, 0, words, from, to - from, 0, 0);
    if (known >= 0) return this.lists[known]!;
    const s = decode();
    const found = atEnd ? failuresAtEnd(this.sys, s, never) : failuresInState(this.sys, s, never);
    if (this.memo.full) return found;
    // Most states violate nothing: they all share the first, empty list.
    const index = found.length === 0 ? 0 : this.lists.push(found) - 1;
    this.memo.set(h, end, 0, words, from, to - from, 0, 0, index);
    return found;
  }
}

const never = (): boolean => false;
