import type { IToken } from 'chevrotain';
import type * as ast from '../ast.js';
import { parseFtp } from '../syntax/parse.js';
import { lexFtp } from '../syntax/lexer.js';
import * as t from '../syntax/tokens.js';
import { walkAst } from '../walk.js';

/**
 * The canonical formatter. It re-prints the file's own tokens and comments with
 * canonical whitespace, so it can neither lose a comment nor change a name:
 *
 * - every declaration, node member, statement and run setting starts a line;
 *   bodies are indented by two spaces per level, `{` stays on its line;
 * - separating `;` are dropped (they are never required);
 * - one space around binary operators and after `,` and `:`; none inside
 *   `()`, `[]`, set literals and `|x|`; `{ a: T }` for message fields;
 * - a line break the user put inside an expression is kept (as a continuation
 *   line indented two more), and so is one blank line between items;
 * - comments stay where they are: trailing comments trail, own-line comments
 *   take the indentation of what follows them.
 *
 * A text with syntax errors is returned unchanged, and so is any result that
 * would not parse back to the same tree (a safety net: whitespace is
 * insignificant in `.ftp`, so this should never trigger).
 */
export function formatFtp(text: string): string {
  try {
    return formatChecked(text);
  } catch {
    // A tree too deep to compare (stack overflow) is not formatted rather than risked.
    return text;
  }
}

function formatChecked(text: string): string {
  const parsed = parseFtp(text);
  if (parsed.diagnostics.some((d) => d.code.startsWith('FTP1'))) return text;
  const lexed = lexFtp(text);
  if (lexed.diagnostics.length > 0) return text;
  const out = new Printer(text, parsed.value, lexed.tokens, lexed.comments).print();
  if (out === text) return text;
  const reparsed = parseFtp(out);
  if (reparsed.diagnostics.some((d) => d.code.startsWith('FTP1'))) return text;
  if (JSON.stringify(withoutSpans(reparsed.value)) !== JSON.stringify(withoutSpans(parsed.value))) return text;
  if (commentTexts(lexFtp(out).comments) !== commentTexts(lexed.comments)) return text;
  return out;
}

/** A deep copy of an AST without its `span`s: what "the same tree" means for the formatter. */
export function withoutSpans(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withoutSpans);
  if (typeof node !== 'object' || node === null) return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) if (key !== 'span') out[key] = withoutSpans(value);
  return out;
}

/** The token right before `offset` (binary search). */
function tokenBefore(tokens: readonly IToken[], offset: number): IToken | null {
  let lo = 0;
  let hi = tokens.length - 1;
  let found: IToken | null = null;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const tok = tokens[mid]!;
    if (tok.startOffset < offset) {
      found = tok;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

function commentTexts(comments: readonly IToken[]): string {
  return comments.map((c) => c.image.replace(/\s+$/, '')).join('\u0000');
}

/** What an open bracket is, for indentation and spacing. */
type Bracket = 'items' | 'fields' | 'inline' | 'paren' | 'index';

interface Open {
  kind: Bracket;
  /** Indentation of the line the bracket was printed on. */
  indent: number;
}

interface Piece {
  tok: IToken;
  comment: boolean;
  start: number;
  end: number;
}

const noSpaceBefore = new Set([t.Comma, t.Semicolon, t.RParen, t.RBracket, t.Dot, t.DotDot, t.Colon]);
const noSpaceAfter = new Set([t.LParen, t.LBracket, t.Dot, t.DotDot]);
/** Tokens a line never starts with: a line break the user put before them is not kept. */
const noBreakBefore = new Set([t.Comma, t.Semicolon, t.RParen, t.RBracket, t.Dot, t.DotDot, t.Colon]);

class Printer {
  /** Offsets of tokens that begin a line item (declaration, member, statement, run setting). */
  private readonly itemStarts = new Set<number>();
  /** Offsets of `{` that open a body of line items. */
  private readonly itemBraces = new Set<number>();
  /** Offsets of `{` that open message fields. */
  private readonly fieldBraces = new Set<number>();
  /** Offsets of `<` and `>` of `set<T>`, `map<K, V>`, `seq<T>`. */
  private readonly angles = new Set<number>();
  /** Offsets of the `|` that open and close `|x|`. */
  private readonly sizeOpen = new Set<number>();
  private readonly sizeClose = new Set<number>();
  /** Offsets of unary `-`. */
  private readonly unaryMinus = new Set<number>();

  private readonly pieces: Piece[];
  /** Pieces left out of the output (separating `;`). */
  private readonly dropped: boolean[];
  private out = '';
  private lineIndent = 0;
  private itemIndent = 0;
  /** Whether the last token printed closed a body of items (`} else`, `} or`). */
  private lastClosedItems = false;
  private readonly stack: Open[] = [];

  constructor(
    private readonly text: string,
    file: ast.ProtocolFile,
    tokens: readonly IToken[],
    comments: readonly IToken[],
  ) {
    const pieces: Piece[] = [];
    for (const tok of tokens) pieces.push({ tok, comment: false, start: tok.startOffset, end: tok.startOffset + tok.image.length });
    for (const tok of comments) pieces.push({ tok, comment: true, start: tok.startOffset, end: tok.startOffset + tok.image.length });
    this.pieces = pieces.sort((a, b) => a.start - b.start);
    this.dropped = new Array<boolean>(this.pieces.length).fill(false);
    this.collect(file, tokens);
    this.markDroppedSemicolons();
  }

  private collect(file: ast.ProtocolFile, tokens: readonly IToken[]): void {
    const header = tokens.find((tok) => tok.tokenType === t.Protocol);
    if (header) this.itemStarts.add(header.startOffset);
    const firstBraceAfter = (from: number, limit: number): number => {
      for (const tok of tokens) {
        if (tok.startOffset < from) continue;
        if (tok.startOffset >= limit) break;
        if (tok.tokenType === t.LCurly) return tok.startOffset;
      }
      return -1;
    };
    for (const decl of file.decls) {
      this.itemStarts.add(decl.span.start);
      if (decl.kind === 'NodeDecl') {
        const brace = firstBraceAfter(decl.count?.span.end ?? decl.name.span.end, decl.span.end);
        if (brace >= 0) this.itemBraces.add(brace);
        for (const s of decl.states) this.itemStarts.add(s.span.start);
        for (const h of decl.handlers) this.itemStarts.add(h.span.start);
      } else if (decl.kind === 'ScenarioDecl' || decl.kind === 'CheckDecl') {
        const brace = firstBraceAfter(decl.name?.span.end ?? decl.span.start, decl.span.end);
        if (brace >= 0) this.itemBraces.add(brace);
        for (const item of decl.items as readonly (ast.RunSetting | ast.ScriptedFault)[]) {
          if (item.kind !== 'ParamOverride') {
            this.itemStarts.add(item.span.start);
            continue;
          }
          // `with N = 4, f = 1` holds two overrides: the line starts at `with`, before the first.
          const before = tokenBefore(tokens, item.span.start);
          if (before !== null && before.tokenType === t.With) this.itemStarts.add(before.startOffset);
        }
      } else if (decl.kind === 'MessageDecl') {
        const brace = firstBraceAfter(decl.name.span.end, decl.span.end);
        if (brace >= 0) this.fieldBraces.add(brace);
      }
    }
    walkAst(file, (node) => {
      switch (node.kind) {
        case 'Block':
          if (this.text.charAt(node.span.start) === '{') {
            this.itemBraces.add(node.span.start);
            for (const s of node.stmts) this.itemStarts.add(s.span.start);
          }
          break;
        case 'SetType':
        case 'SeqType':
        case 'MapType': {
          const open = this.text.indexOf('<', node.span.start);
          if (open >= 0 && open < node.span.end) this.angles.add(open);
          this.angles.add(node.span.end - 1);
          break;
        }
        case 'SizeExpr':
          this.sizeOpen.add(node.span.start);
          this.sizeClose.add(node.span.end - 1);
          break;
        case 'UnaryExpr':
          if (node.op === '-') this.unaryMinus.add(node.span.start);
          break;
        default:
          break;
      }
    });
  }

  print(): string {
    const pieces = this.pieces;
    let prev: Piece | null = null;
    for (let i = 0; i < pieces.length; i++) {
      const piece = pieces[i]!;
      if (this.dropped[i]) continue;
      if (prev === null) {
        this.indentNewLine(this.isItemStart(piece) ? this.itemsDepth() * 2 : 0);
      } else {
        this.gap(prev, piece, i);
      }
      this.emit(piece);
      prev = piece;
    }
    return `${this.out.replace(/[ \t]+$/gm, '').replace(/\n+$/, '')}\n`;
  }

  private itemsDepth(): number {
    let n = 0;
    for (const open of this.stack) if (open.kind === 'items') n++;
    return n;
  }

  private isItemStart(piece: Piece): boolean {
    return !piece.comment && this.itemStarts.has(piece.start);
  }

  private closesItems(piece: Piece): boolean {
    return !piece.comment && piece.tok.tokenType === t.RCurly && this.stack[this.stack.length - 1]?.kind === 'items';
  }

  private opensItems(piece: Piece): boolean {
    return !piece.comment && piece.tok.tokenType === t.LCurly && this.itemBraces.has(piece.start);
  }

  /** The next piece after `i` that is not a dropped `;`. */
  private nextPiece(i: number): Piece | null {
    for (let j = i + 1; j < this.pieces.length; j++) {
      if (this.dropped[j]) continue;
      return this.pieces[j]!;
    }
    return null;
  }

  /**
   * Marks the `;` that go: those followed by something that starts a line anyway
   * (an item, the `}` of a body of items, the end of the file).
   */
  private markDroppedSemicolons(): void {
    const open: number[] = [];
    const pieces = this.pieces;
    let pending: number[] = [];
    for (let j = 0; j < pieces.length; j++) {
      const p = pieces[j]!;
      if (p.comment) continue;
      const type = p.tok.tokenType;
      if (type === t.Semicolon) {
        pending.push(j);
        continue;
      }
      if (pending.length > 0) {
        const top = open[open.length - 1];
        const drop = this.itemStarts.has(p.start) || (type === t.RCurly && top !== undefined && this.itemBraces.has(top));
        if (drop) for (const k of pending) this.dropped[k] = true;
        pending = [];
      }
      if (type === t.LCurly || type === t.LParen || type === t.LBracket) open.push(p.start);
      else if (type === t.RCurly || type === t.RParen || type === t.RBracket) open.pop();
    }
    for (const k of pending) this.dropped[k] = true;
  }

  private newlinesBetween(a: Piece, b: Piece): number {
    let n = 0;
    for (let k = a.end; k < b.start; k++) if (this.text.charCodeAt(k) === 10) n++;
    return n;
  }

  private gap(prev: Piece, piece: Piece, i: number): void {
    const newlines = this.newlinesBetween(prev, piece);
    const lineComment = prev.comment && prev.tok.image.startsWith('//');

    // A comment on the line of what precedes it keeps trailing it.
    if (piece.comment && newlines === 0 && !lineComment) {
      this.out += ' ';
      return;
    }
    const prevClosesItems = !prev.comment && prev.tok.tokenType === t.RCurly && this.lastClosedItems;
    if (!prev.comment && this.opensItems(prev) && this.closesItems(piece)) return; // `{}`
    if (this.isItemStart(piece) || this.closesItems(piece) || (!prev.comment && this.opensItems(prev))) {
      const blank = newlines >= 2 && this.isItemStart(piece);
      this.hardBreak(piece, blank);
      return;
    }
    if (piece.comment) {
      // A comment on a line of its own: indented like what follows it.
      const next = this.nextPiece(i);
      const blank = newlines >= 2;
      if (next !== null && (this.isItemStart(next) || this.closesItems(next) || next.comment)) this.hardBreak(piece, blank);
      else this.continuation(piece, blank);
      return;
    }
    if (lineComment) {
      this.continuation(piece, false);
      return;
    }
    if (prevClosesItems && (piece.tok.tokenType === t.Else || piece.tok.tokenType === t.Or)) {
      this.out += ' ';
      return;
    }
    if (newlines > 0 && this.mayBreak(prev, piece)) {
      this.continuation(piece, false);
      return;
    }
    this.out += this.space(prev, piece);
  }

  /** Whether a line break the user put between two tokens is kept. */
  private mayBreak(prev: Piece, piece: Piece): boolean {
    if (prev.comment) return true;
    const a = prev.tok.tokenType;
    const b = piece.tok.tokenType;
    if (noBreakBefore.has(b) || noSpaceAfter.has(a)) return false;
    if (b === t.LCurly && this.itemBraces.has(piece.start)) return false;
    if (this.unaryMinus.has(prev.start) || this.sizeOpen.has(prev.start) || this.sizeClose.has(piece.start)) return false;
    if (this.angles.has(piece.start) || (this.angles.has(prev.start) && a === t.Lt)) return false;
    return true;
  }

  /** A new line for an item (or a comment before one, or a closing brace), at the items' indentation. */
  private hardBreak(piece: Piece, blank: boolean): void {
    const depth = this.itemsDepth() - (this.closesItems(piece) ? 1 : 0);
    this.newline(blank);
    this.indentNewLine(depth * 2);
    if (this.isItemStart(piece)) this.itemIndent = depth * 2;
  }

  /** A new line inside an item: two more than the line that opened the innermost bracket, or than the item. */
  private continuation(piece: Piece, blank: boolean): void {
    const top = this.stack[this.stack.length - 1];
    const closing = !piece.comment && (piece.tok.tokenType === t.RParen || piece.tok.tokenType === t.RBracket || piece.tok.tokenType === t.RCurly);
    let indent: number;
    if (top !== undefined && top.kind !== 'items') indent = closing ? top.indent : top.indent + 2;
    else indent = this.itemIndent + 2;
    this.newline(blank);
    this.indentNewLine(indent);
  }

  private newline(blank: boolean): void {
    this.out = this.out.replace(/[ \t]+$/, '');
    this.out += blank ? '\n\n' : '\n';
  }

  private indentNewLine(indent: number): void {
    this.out += ' '.repeat(indent);
    this.lineIndent = indent;
  }

  private emit(piece: Piece): void {
    if (piece.comment) {
      this.out += piece.tok.image.startsWith('//') ? piece.tok.image.replace(/\s+$/, '') : piece.tok.image;
      return;
    }
    this.out += piece.tok.image;
    const type = piece.tok.tokenType;
    this.lastClosedItems = false;
    if (type === t.LCurly) {
      const kind: Bracket = this.itemBraces.has(piece.start) ? 'items' : this.fieldBraces.has(piece.start) ? 'fields' : 'inline';
      this.stack.push({ kind, indent: this.lineIndent });
    } else if (type === t.LParen) this.stack.push({ kind: 'paren', indent: this.lineIndent });
    else if (type === t.LBracket) this.stack.push({ kind: 'index', indent: this.lineIndent });
    else if (type === t.RCurly || type === t.RParen || type === t.RBracket) {
      const top = this.stack.pop();
      this.lastClosedItems = top?.kind === 'items';
      if (this.lastClosedItems) this.itemIndent = this.itemsDepth() * 2;
    }
  }

  /** The space between two tokens on one line. */
  private space(prev: Piece, piece: Piece): string {
    if (prev.comment) return ' ';
    const a = prev.tok.tokenType;
    const b = piece.tok.tokenType;
    if (noSpaceBefore.has(b) || noSpaceAfter.has(a)) return '';
    if (this.unaryMinus.has(prev.start)) return '';
    if (this.angles.has(piece.start) || (this.angles.has(prev.start) && a === t.Lt)) return '';
    if (this.sizeOpen.has(prev.start) || this.sizeClose.has(piece.start)) return '';
    if (b === t.LParen) return a === t.Identifier || a === t.Sync ? '' : ' ';
    if (b === t.LBracket) return a === t.Identifier || a === t.RBracket || a === t.RParen ? '' : ' ';
    if (a === t.LCurly && !this.itemBraces.has(prev.start) && !this.fieldBraces.has(prev.start)) return '';
    if (b === t.RCurly && this.stack[this.stack.length - 1]?.kind === 'inline') return '';
    return ' ';
  }
}
