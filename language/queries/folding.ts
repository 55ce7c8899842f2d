import type { AstNode, ProtocolFile } from '../ast.js';
import { LineIndex, type Span } from '../span.js';
import { lexFtp } from '../syntax/lexer.js';
import { walkAst } from '../walk.js';

/** A foldable range of lines (zero-based, both included); `comment` for comment runs. */
export interface FoldingRange {
  startLine: number;
  endLine: number;
  kind: 'region' | 'comment';
}

/** Node kinds whose body folds: declarations, handlers and statement blocks. */
const foldable = new Set<AstNode['kind']>([
  'MessageDecl',
  'NodeDecl',
  'PropertyDecl',
  'ScenarioDecl',
  'CheckDecl',
  'Handler',
  'Block',
  'QuantExpr',
]);

/**
 * Folding ranges of a file: every multi-line declaration, handler and block, every
 * multi-line block comment, and runs of two or more line comments. A range that
 * ends on a line holding only its closing `}` stops the line before, so the brace
 * stays visible when folded.
 */
export function foldingRanges(file: ProtocolFile, text: string): FoldingRange[] {
  const index = new LineIndex(text);
  const out: FoldingRange[] = [];
  const seen = new Set<string>();
  const add = (span: Span, kind: FoldingRange['kind']): void => {
    const startLine = index.positionAt(span.start).line;
    let endLine = index.positionAt(Math.max(span.start, span.end - 1)).line;
    if (kind === 'region' && text.charAt(span.end - 1) === '}' && lineBefore(text, index, span.end - 1).trim() === '') endLine--;
    if (endLine <= startLine) return;
    const key = `${startLine}:${endLine}`;
    if (seen.has(key)) return;
    seen.add(key);
    out.push({ startLine, endLine, kind });
  };
  walkAst(file, (node) => {
    if (foldable.has(node.kind)) add(node.span, 'region');
  });

  const comments = lexFtp(text).comments;
  let run: { start: number; end: number; lastLine: number } | null = null;
  const flush = (): void => {
    if (run !== null) add({ start: run.start, end: run.end }, 'comment');
    run = null;
  };
  for (const c of comments) {
    const start = c.startOffset;
    const end = start + c.image.length;
    if (c.image.startsWith('/*')) {
      flush();
      add({ start, end }, 'comment');
      continue;
    }
    const line = index.positionAt(start).line;
    const onOwnLine = lineBefore(text, index, start).trim() === '';
    if (run !== null && onOwnLine && line === run.lastLine + 1) {
      run.end = end;
      run.lastLine = line;
    } else {
      flush();
      if (onOwnLine) run = { start, end, lastLine: line };
    }
  }
  flush();
  return out.sort((a, b) => a.startLine - b.startLine || b.endLine - a.endLine);
}

/** The text of the line holding `offset`, up to `offset`. */
function lineBefore(text: string, index: LineIndex, offset: number): string {
  const line = index.positionAt(offset).line;
  return text.slice(index.offsetAt({ line, character: 0 }), offset);
}
