import { Lexer, type IToken } from 'chevrotain';
import { diagnostic, type Diagnostic } from '../diagnostic.js';
import { allTokens } from './tokens.js';

/** The tokens of one text, its comments (for hover and folding) and its lexical errors. */
export interface LexResult {
  tokens: IToken[];
  comments: IToken[];
  diagnostics: Diagnostic[];
}

/** Built once: constructing a Chevrotain lexer analyses every pattern. */
const ftpLexer = new Lexer(allTokens, {
  positionTracking: 'onlyOffset',
  ensureOptimizations: true,
});

/**
 * Splits `text` into tokens. Never throws: characters that start no token are
 * skipped and reported as one FTP101 per run (runs split only by whitespace are
 * merged), and an unterminated block comment is reported once.
 */
export function lexFtp(text: string): LexResult {
  const result = ftpLexer.tokenize(text);
  const diagnostics: Diagnostic[] = [];

  let runStart = -1;
  let runEnd = -1;
  const flush = (): void => {
    if (runStart < 0) return;
    diagnostics.push(
      diagnostic('FTP101', 'error', describeBadCharacters(text.slice(runStart, runEnd)), { start: runStart, end: runEnd }),
    );
    runStart = -1;
  };
  for (const error of result.errors) {
    const start = clamp(error.offset, text.length);
    const end = clamp(error.offset + Math.max(1, error.length), text.length);
    if (runStart >= 0 && /^\s*$/.test(text.slice(runEnd, start))) {
      runEnd = end;
      continue;
    }
    flush();
    runStart = start;
    runEnd = end;
  }
  flush();

  const comments = result.groups['comments'] ?? [];
  const last = comments[comments.length - 1];
  if (last !== undefined && last.image.startsWith('/*') && (last.image.length < 4 || !last.image.endsWith('*/'))) {
    const start = last.startOffset;
    diagnostics.push(
      diagnostic('FTP101', 'error', 'this block comment is never closed: add `*/`', { start, end: start + 2 }),
    );
  }
  return { tokens: result.tokens, comments, diagnostics };
}

function clamp(offset: number, length: number): number {
  return Number.isFinite(offset) ? Math.max(0, Math.min(offset, length)) : length;
}

function describeBadCharacters(run: string): string {
  const visible = run.replace(/\s+/g, ' ').trim();
  const shown = visible.length > 24 ? `${visible.slice(0, 24)}…` : visible;
  const printable = [...shown].map((c) => (/[\x00-\x1f\x7f]/.test(c) ? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}` : c)).join('');
  const count = [...visible].filter((c) => c !== ' ').length;
  return count === 1
    ? `unexpected character \`${printable}\`: not part of the language`
    : `unexpected characters \`${printable}\`: not part of the language`;
}
