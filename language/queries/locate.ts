import type { AstNode } from '../ast.js';
import type { CheckedModel, Definition } from '../check/model.js';
import type { Span } from '../span.js';
import { childrenOf } from '../walk.js';

/**
 * Finding things at a cursor: the AST nodes around an offset, the word under it,
 * and the declared name it denotes. Shared by every editor query.
 */

/** Whether `offset` is inside `span`, its end included (a cursor right after a word is on it). */
export function touches(span: Span, offset: number): boolean {
  return offset >= span.start && offset <= span.end;
}

/**
 * The nodes from `root` down to the innermost one whose span contains `offset`.
 * Where two siblings touch at `offset`, the one that starts there wins over the
 * one that ends there.
 */
export function nodePathAt(root: AstNode, offset: number): AstNode[] {
  const path: AstNode[] = [root];
  let node = root;
  for (;;) {
    let best: AstNode | null = null;
    for (const child of childrenOf(node)) {
      if (!touches(child.span, offset)) continue;
      if (best === null || (child.span.start === offset && best.span.end === offset) || child.span.end - child.span.start < best.span.end - best.span.start) {
        best = child;
      }
    }
    if (best === null) return path;
    path.push(best);
    node = best;
  }
}

/** The innermost node of a given kind on a path, or null. */
export function innermost<K extends AstNode['kind']>(path: readonly AstNode[], kind: K): Extract<AstNode, { kind: K }> | null {
  for (let i = path.length - 1; i >= 0; i--) {
    const node = path[i]!;
    if (node.kind === kind) return node as Extract<AstNode, { kind: K }>;
  }
  return null;
}

const wordChar = /[A-Za-z0-9_]/;

/** The identifier-like word around `offset` (possibly empty, at `offset`). */
export function wordAt(text: string, offset: number): Span {
  let start = Math.max(0, Math.min(offset, text.length));
  let end = start;
  while (start > 0 && wordChar.test(text.charAt(start - 1))) start--;
  while (end < text.length && wordChar.test(text.charAt(end))) end++;
  return { start, end };
}

/** A declared name at a cursor: its definition and the span of the occurrence under the cursor. */
export interface SymbolHit {
  definition: Definition;
  /** The occurrence under the cursor (the declaration itself or a use). */
  span: Span;
  isDeclaration: boolean;
}

/** The declaration or use of a declared name under the cursor, or null. */
export function symbolAt(model: CheckedModel, offset: number): SymbolHit | null {
  let hit: SymbolHit | null = null;
  const consider = (definition: Definition, span: Span, isDeclaration: boolean): void => {
    if (span.end <= span.start || !touches(span, offset)) return;
    // Prefer an occurrence that starts at the cursor over one that ends there.
    if (hit === null || (span.start === offset && hit.span.end === offset)) hit = { definition, span, isDeclaration };
  };
  for (const d of model.definitions) consider(d, d.nameSpan, true);
  for (const r of model.references) consider(r.definition, r.span, false);
  return hit;
}

/** Every span where a definition occurs: its declaration first, then its uses in source order. */
export function occurrencesOf(model: CheckedModel, definition: Definition, includeDeclaration = true): Span[] {
  const uses = model.references.filter((r) => r.definition === definition).map((r) => r.span);
  const seen = new Set<string>();
  const out: Span[] = [];
  for (const span of [...(includeDeclaration ? [definition.nameSpan] : []), ...uses.sort((a, b) => a.start - b.start)]) {
    const key = `${span.start}:${span.end}`;
    if (seen.has(key) || span.end <= span.start) continue;
    seen.add(key);
    out.push(span);
  }
  return out;
}

/** The innermost node on a path whose span contains `offset` and that is a node role. */
export function enclosingRole(model: CheckedModel, offset: number): CheckedModel['roles'][number] | null {
  let found: CheckedModel['roles'][number] | null = null;
  for (const role of model.roles) if (touches(role.decl.span, offset)) found = role;
  return found;
}
