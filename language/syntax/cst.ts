import type { CstElement, CstNode, IToken } from 'chevrotain';
import type * as ast from '../ast.js';
import { diagnostic, type Diagnostic } from '../diagnostic.js';
import type { Span } from '../span.js';

/**
 * Reading a Chevrotain CST that error recovery may have left incomplete, and the
 * base of the lowerers: spans, names and the diagnostics lowering finds.
 */

export function isToken(element: CstElement): element is IToken {
  return 'image' in element;
}

export function token(node: CstNode, key: string): IToken | undefined {
  const element = node.children[key]?.[0];
  return element !== undefined && isToken(element) ? element : undefined;
}

const noTokens: readonly IToken[] = [];
const noNodes: readonly CstNode[] = [];

/**
 * Whether a CST list holds tokens. Chevrotain keys a node's children by token or
 * label name, and our labels never mix tokens and nodes, so a list is all one or
 * all the other: its first element decides.
 */
function holdsTokens(list: CstElement[]): list is IToken[] {
  const first = list[0];
  return first === undefined || isToken(first);
}

function holdsNodes(list: CstElement[]): list is CstNode[] {
  const first = list[0];
  return first === undefined || !isToken(first);
}

/** The tokens under `key`, without copying. */
export function tokenList(node: CstNode, key: string): readonly IToken[] {
  const list = node.children[key];
  return list !== undefined && holdsTokens(list) ? list : noTokens;
}

export function child(node: CstNode, key: string): CstNode | undefined {
  const element = node.children[key]?.[0];
  return element !== undefined && !isToken(element) ? element : undefined;
}

/** The nodes under `key`, without copying. */
export function childList(node: CstNode, key: string): readonly CstNode[] {
  const list = node.children[key];
  return list !== undefined && holdsNodes(list) ? list : noNodes;
}

export function cover(a: Span, b: Span): Span {
  return { start: a.start < b.start ? a.start : b.start, end: a.end > b.end ? a.end : b.end };
}

export function at(offset: number): Span {
  return { start: offset, end: offset };
}

/**
 * What every lowerer shares. A missing piece gets a zero-width span at a
 * `fallback` offset, right after the last piece present, so spans still nest.
 */
export class LowerBase {
  readonly diagnostics: Diagnostic[] = [];

  /** Span of a token; a recovery-inserted token is zero-width at its (clamped) offset. */
  span(tok: IToken, fallback: number): Span {
    const start = tok.startOffset;
    if (!Number.isFinite(start)) return at(fallback);
    return { start, end: start + tok.image.length };
  }

  ident(tok: IToken | undefined, fallback: number): ast.Ident {
    if (tok === undefined) return { kind: 'Ident', span: at(fallback), name: '' };
    return { kind: 'Ident', span: this.span(tok, fallback), name: tok.image };
  }

  protected syntaxError(message: string, span: Span): void {
    this.diagnostics.push(diagnostic('FTP102', 'error', message, span));
  }

  /** The span of a rule's leading keyword (always present unless recovery inserted nothing). */
  protected keywordSpan(node: CstNode, key: string, fallback: number): Span {
    const tok = token(node, key);
    return tok ? this.span(tok, fallback) : at(fallback);
  }

  /** The span of an optional token, or a zero-width span at `fallback`. */
  protected optSpan(tok: IToken | undefined, fallback: number): Span {
    return tok ? this.span(tok, fallback) : at(fallback);
  }
}
