import type { IToken, TokenType } from 'chevrotain';
import * as t from './tokens.js';

/**
 * The brace-and-keyword structure of a token list, found before any parsing, so
 * each declaration and each node member can be parsed (and fail) on its own.
 */

/** A run of tokens, by index, half-open. */
export interface Segment {
  start: number;
  end: number;
}

/** Keywords that begin a top-level declaration. */
export const declarationStarts: ReadonlySet<TokenType> = new Set<TokenType>([
  t.Protocol,
  t.Param,
  t.Type,
  t.Message,
  t.Node,
  t.Network,
  t.Quorum,
  t.Invariant,
  t.Eventually,
  t.Scenario,
  t.Check,
]);

/** Tokens after which `node` is the node-id type, not a declaration. */
const beforeTypePosition: ReadonlySet<TokenType> = new Set<TokenType>([t.Colon, t.Equals, t.Lt, t.Comma, t.Pipe]);

/**
 * Cuts the tokens at every keyword that begins a declaration, whatever the brace
 * depth (so a missing `}` cannot swallow what follows), except a field named like
 * one (`from: General`, `m.type`) and the `node` type (`: node`, `set<node>`).
 * The `;` between declarations are left out; so are empty segments.
 */
export function splitDeclarations(tokens: readonly IToken[]): Segment[] {
  const segments: Segment[] = [];
  let start = 0;
  for (let i = 1; i < tokens.length; i++) {
    const type = tokens[i]!.tokenType;
    if (!declarationStarts.has(type)) continue;
    const previous = tokens[i - 1]!.tokenType;
    if (previous === t.Dot || tokens[i + 1]?.tokenType === t.Colon) continue;
    if (type === t.Node && beforeTypePosition.has(previous)) continue;
    pushTrimmed(tokens, segments, start, i);
    start = i;
  }
  pushTrimmed(tokens, segments, start, tokens.length);
  return segments;
}

function pushTrimmed(tokens: readonly IToken[], segments: Segment[], start: number, end: number): void {
  while (start < end && tokens[start]!.tokenType === t.Semicolon) start++;
  while (end > start && tokens[end - 1]!.tokenType === t.Semicolon) end--;
  if (start < end) segments.push({ start, end });
}

/** `state`, `stable` or `on` starting a member (not `m.state`, not a field `on: ...`). */
export function isMemberStart(tokens: readonly IToken[], i: number): boolean {
  const type = tokens[i]!.tokenType;
  if (type !== t.State && type !== t.Stable && type !== t.On) return false;
  if (i > 0 && tokens[i - 1]!.tokenType === t.Dot) return false;
  return tokens[i + 1]?.tokenType !== t.Colon;
}

/** How the tokens of a `node` declaration divide up. */
export interface NodeLayout {
  /** Index just past the head `node NAME [COUNT]`: the body's `{`, or where it should be. */
  headEnd: number;
  /** Whether the body opens with `{` at `headEnd`. */
  opened: boolean;
  /** Each `state` / `stable state` / `on` member (or run of stray tokens), without `;`. */
  members: Segment[];
  /** Index of the body's closing `}`, or -1 when it is missing. */
  close: number;
  /** The first `}` that closes the body while more members follow, if any. */
  stray: IToken | undefined;
}

/**
 * Members begin at `state`, `stable` and `on` whatever the brace depth (those
 * words appear nowhere else), so a missing `}` stays inside one member. A `}`
 * that closes the body while members still follow is stray: the tokens after it
 * up to the next member are skipped.
 */
export function layoutNode(tokens: readonly IToken[], segment: Segment): NodeLayout {
  let headEnd = segment.start + 1;
  for (let depth = 0; headEnd < segment.end; headEnd++) {
    const type = tokens[headEnd]!.tokenType;
    if (depth === 0 && (type === t.LCurly || isMemberStart(tokens, headEnd))) break;
    if (type === t.LBracket || type === t.LParen) depth++;
    else if ((type === t.RBracket || type === t.RParen) && depth > 0) depth--;
  }
  const opened = headEnd < segment.end && tokens[headEnd]!.tokenType === t.LCurly;
  const bodyStart = opened ? headEnd + 1 : headEnd;

  let lastMemberStart = -1;
  for (let j = segment.end - 1; j >= bodyStart; j--) {
    if (isMemberStart(tokens, j)) {
      lastMemberStart = j;
      break;
    }
  }
  const members: Segment[] = [];
  let memberStart = -1;
  let close = -1;
  let skipping = false;
  let stray: IToken | undefined;
  let depth = 0;
  for (let j = bodyStart; j < segment.end; j++) {
    const type = tokens[j]!.tokenType;
    const continuesStable = type === t.State && memberStart === j - 1 && tokens[j - 1]!.tokenType === t.Stable;
    if (isMemberStart(tokens, j) && !continuesStable) {
      if (memberStart >= 0) members.push({ start: memberStart, end: j });
      memberStart = j;
      depth = 0;
      skipping = false;
    } else if (skipping) {
      continue;
    } else if (depth === 0 && type === t.RCurly) {
      if (j < lastMemberStart) {
        if (memberStart >= 0) members.push({ start: memberStart, end: j });
        memberStart = -1;
        skipping = true;
        stray ??= tokens[j]!;
        continue;
      }
      close = j;
      break;
    } else if (depth === 0 && type === t.Semicolon) {
      if (memberStart >= 0) members.push({ start: memberStart, end: j });
      memberStart = -1;
      continue;
    } else if (memberStart < 0) {
      memberStart = j;
    }
    if (type === t.LCurly) depth++;
    else if (type === t.RCurly) depth--;
  }
  if (memberStart >= 0) members.push({ start: memberStart, end: close >= 0 ? close : segment.end });
  return { headEnd, opened, members, close, stray };
}
