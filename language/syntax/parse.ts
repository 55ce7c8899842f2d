import {
  EarlyExitException,
  EOF,
  MismatchedTokenException,
  NoViableAltException,
  type CstNode, type IRecognitionException, type IToken, type TokenType } from 'chevrotain';
import type * as ast from '../ast.js';
import { diagnostic, sortDiagnostics, type Diagnostic, type RelatedInfo, type Result } from '../diagnostic.js';
import type { Span } from '../span.js';
import { lexFtp } from './lexer.js';
import { Lowerer } from './lower.js';
import { describeFound, describeSyntaxError, describeUnexpected } from './messages.js';
import { ftpParser } from './parser.js';
import { declarationStarts, layoutNode, splitDeclarations, type Segment } from './segments.js';
import * as t from './tokens.js';

export { ftpContextualKeywords, ftpKeywords } from './tokens.js';

/** Larger texts are refused with FTP100 rather than parsed. */
export const MAX_TEXT_LENGTH = 20 * 1024 * 1024;

/**
 * Parses one `.ftp` text into a {@link ast.ProtocolFile}. Never throws: whatever
 * the input, it returns a tree (partial where the text is broken) and the
 * syntax diagnostics (FTP100-FTP104), sorted by position.
 *
 * Recovery is structural. The tokens are cut into declarations at their leading
 * keywords, and a node body into members at `state` / `stable` / `on`; each
 * piece is parsed on its own and reports at most one syntax error, so one typo
 * gives one diagnostic and cannot swallow the declarations after it.
 */
export function parseFtp(text: string): Result<ast.ProtocolFile> {
  const empty: ast.ProtocolFile = { kind: 'ProtocolFile', span: { start: 0, end: text.length }, name: null, decls: [] };
  const refused = refuseUnreadable(text);
  if (refused !== null) return { value: empty, diagnostics: [refused] };
  try {
    return new ParseRun(text).run();
  } catch (error) {
    // A bug in this parser must not take the editor down with it.
    const reason = error instanceof Error ? error.message : String(error);
    return {
      value: empty,
      diagnostics: [diagnostic('FTP102', 'error', `internal parser error (please report it): ${reason}`, { start: 0, end: 0 })],
    };
  }
}

/** FTP100 for text that is too large or is not text at all. */
function refuseUnreadable(text: string): Diagnostic | null {
  if (text.length > MAX_TEXT_LENGTH) {
    return diagnostic(
      'FTP100',
      'error',
      `the file is too large to parse (${Math.round(text.length / (1024 * 1024))} MB; the limit is 20 MB)`,
      { start: 0, end: 0 },
    );
  }
  let control = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0) {
      return diagnostic('FTP100', 'error', 'the file contains NUL bytes: it looks binary, not like `.ftp` text', {
        start: i,
        end: i + 1,
      });
    }
    if ((c < 32 && (c < 9 || c > 13)) || c === 127 || (c >= 0x80 && c <= 0x9f)) control++;
  }
  if (text.length > 0 && control * 10 > text.length) {
    return diagnostic('FTP100', 'error', 'the file is mostly control characters: it looks binary, not like `.ftp` text', {
      start: 0,
      end: 0,
    });
  }
  return null;
}

/** The outcome of running one grammar rule on one piece of the token list. */
interface UnitResult {
  cst: CstNode;
  /**
   * The first syntax error of the piece, worded; null when it parsed cleanly,
   * 'suppressed' when the error follows from a lexical error already reported.
   */
  error: Diagnostic | 'suppressed' | null;
  /** Offset of the piece's first token: where parts that recovery left out go. */
  start: number;
}

class ParseRun {
  private readonly tokens: IToken[];
  private readonly diagnostics: Diagnostic[];
  /** FTP101s in text order: a piece with one of them reports no syntax error of its own. */
  private readonly lexicalErrors: readonly Diagnostic[];
  private readonly lowerer = new Lowerer();

  constructor(private readonly text: string) {
    const lexed = lexFtp(text);
    this.tokens = lexed.tokens;
    this.lexicalErrors = lexed.diagnostics;
    this.diagnostics = [...lexed.diagnostics];
  }

  run(): Result<ast.ProtocolFile> {
    const decls: ast.Decl[] = [];
    let name: ast.Ident | null = null;
    let headerSpan: Span | null = null;
    let declarationBeforeHeader = false;
    let missingHeaderReported = false;

    const segments = splitDeclarations(this.tokens);
    for (const [index, segment] of segments.entries()) {
      const first = this.tokens[segment.start]!;
      if (first.tokenType === t.Protocol) {
        const unit = this.parseUnit(() => ftpParser.header(), segment, 'protocol header');
        const header = this.lowered(unit, (cst, at) => this.lowerer.header(cst, at));
        if (name === null) {
          name = header.name;
          headerSpan = header.span;
        } else {
          this.error('a file describes one protocol: remove this second `protocol` header', header.span, [
            { span: headerSpan ?? name.span, message: 'the protocol is named here' },
          ]);
        }
        continue;
      }
      if (index === 0 && !declarationStarts.has(first.tokenType)) {
        // Text before any declaration, with no header yet: most likely a mangled header.
        this.diagnostics.push(
          diagnostic('FTP103', 'error', `the file must start with \`protocol NAME\`, found ${describeFound(first)}`, this.tokenSpan(first)),
        );
        missingHeaderReported = true;
        continue;
      }
      const decl = this.guarded(segment, () => this.declaration(first.tokenType, segment));
      if (decl === null) continue;
      decls.push(decl);
      if (name === null) declarationBeforeHeader = true;
    }

    if (name === null && !missingHeaderReported) {
      const first = this.tokens[0];
      const span = first ? this.tokenSpan(first) : { start: 0, end: 0 };
      this.diagnostics.push(
        diagnostic('FTP103', 'error', 'the file must start with `protocol NAME`, naming the protocol it describes', span),
      );
    } else if (declarationBeforeHeader && headerSpan !== null) {
      this.diagnostics.push(
        diagnostic('FTP103', 'error', '`protocol NAME` must come first, before every other declaration', headerSpan),
      );
    }

    const file: ast.ProtocolFile = { kind: 'ProtocolFile', span: { start: 0, end: this.text.length }, name, decls };
    // `lowered` has moved every lowering diagnostic into `this.diagnostics`.
    return { value: file, diagnostics: sortDiagnostics(this.diagnostics) };
  }

  private declaration(type: TokenType, segment: Segment): ast.Decl | null {
    const lowerer = this.lowerer;
    switch (type) {
      case t.Param:
        return this.lowered(this.parseUnit(() => ftpParser.paramDecl(), segment, '`param` declaration'), (c, at) =>
          lowerer.paramDecl(c, at),
        );
      case t.Type:
        return this.lowered(this.parseUnit(() => ftpParser.typeDecl(), segment, '`type` declaration'), (c, at) =>
          lowerer.typeDecl(c, at),
        );
      case t.Message:
        return this.lowered(this.parseUnit(() => ftpParser.messageDecl(), segment, '`message` declaration'), (c, at) =>
          lowerer.messageDecl(c, at),
        );
      case t.Node:
        return this.nodeDeclaration(segment);
      case t.Network:
        return this.lowered(this.parseUnit(() => ftpParser.networkDecl(), segment, '`network` declaration'), (c, at) =>
          lowerer.networkDecl(c, at),
        );
      case t.Quorum:
        return this.lowered(this.parseUnit(() => ftpParser.quorumDecl(), segment, '`quorum` declaration'), (c, at) =>
          lowerer.quorumDecl(c, at),
        );
      case t.Invariant:
      case t.Eventually:
        return this.lowered(this.parseUnit(() => ftpParser.propertyDecl(), segment, 'property'), (c, at) =>
          lowerer.propertyDecl(c, at),
        );
      case t.Scenario:
        return this.lowered(this.parseUnit(() => ftpParser.scenarioDecl(), segment, 'scenario'), (c, at) =>
          lowerer.scenarioDecl(c, at),
        );
      case t.Check:
        return this.lowered(this.parseUnit(() => ftpParser.checkDecl(), segment, 'check'), (c, at) =>
          lowerer.checkDecl(c, at),
        );
      default: {
        // Text before the first declaration keyword (or after a lexer error ate one).
        const first = this.tokens[segment.start]!;
        this.error(
          `expected a declaration (\`protocol\`, \`param\`, \`type\`, \`message\`, \`node\`, \`network\`, \`quorum\`, \`invariant\`, \`eventually\`, \`scenario\` or \`check\`), found ${describeFound(first)}`,
          this.tokenSpan(first),
        );
        return null;
      }
    }
  }

  /**
   * `node NAME [COUNT] { members }`: the head, each member and the closing brace
   * are parsed (and report errors) separately, so a broken handler cannot hide
   * the members after it.
   */
  private nodeDeclaration(segment: Segment): ast.NodeDecl {
    const tokens = this.tokens;
    const layout = layoutNode(tokens, segment);
    const mark = this.diagnostics.length;
    const headUnit = this.parseUnit(() => ftpParser.nodeHead(), { start: segment.start, end: layout.headEnd }, 'node name');
    const head = this.lowered(headUnit, (c, at) => this.lowerer.nodeHead(c, at));
    let span = head.span;

    const open = tokens[layout.headEnd];
    if (layout.opened && open !== undefined) {
      span = cover(span, this.tokenSpan(open));
    } else if (headUnit.error === null) {
      const found = layout.headEnd < segment.end ? open : tokens[segment.end];
      this.error(
        `expected \`{\` after the node ${head.count === null ? 'name' : 'count'}, found ${describeFound(found)}`,
        found ? this.tokenSpan(found) : this.endOf(segment),
      );
    }

    const states: ast.StateDecl[] = [];
    const handlers: ast.Handler[] = [];
    for (const member of layout.members) {
      const kind = tokens[member.start]!.tokenType === t.On ? 'handler' : 'state declaration';
      const lowered = this.guarded(member, () => {
        const unit = this.parseUnit(
          () => ftpParser.member(),
          member,
          `${kind} (a node body holds \`state\`, \`stable state\` and \`on\` members)`,
        );
        return this.lowered(unit, (c, at) => this.lowerer.member(c, at));
      });
      if (lowered === null) continue;
      if (lowered.kind === 'StateDecl') states.push(lowered);
      else handlers.push(lowered);
      span = cover(span, lowered.span);
    }

    // Brace trouble after an error inside the node is most likely that error's
    // doing (a missing `{` leaves one `}` too many): report it only on its own.
    const clean = this.diagnostics.length === mark;
    const name = head.name.name;
    if (layout.stray !== undefined && clean) {
      this.error(
        `unexpected \`}\`: it closes the body of node \`${name}\` before the members that follow`,
        this.tokenSpan(layout.stray),
      );
    }
    const close = layout.close;
    if (close >= 0) {
      span = cover(span, this.tokenSpan(tokens[close]!));
      if (close + 1 < segment.end && clean) {
        const extra = tokens[close + 1]!;
        this.error(`unexpected ${describeUnexpected(extra)} after the body of node \`${name}\``, this.tokenSpan(extra));
      }
    } else if (layout.opened) {
      const end = this.endOf(segment).end;
      span = cover(span, { start: end, end });
      if (clean && open !== undefined) {
        this.error(
          `expected \`}\` to close the body of node \`${name}\`, found ${describeFound(tokens[segment.end])}`,
          { start: end, end },
          [{ span: this.tokenSpan(open), message: `the body of node \`${name}\` opens here` }],
        );
      }
    }

    return { kind: 'NodeDecl', span, name: head.name, count: head.count, states, handlers };
  }

  /**
   * Runs `work` on one declaration or member. Nesting hundreds of levels deep
   * (`((((...`) exhausts the call stack of a recursive-descent parser: then that
   * piece alone is reported and left out, and the rest of the file still parses.
   */
  private guarded<T>(segment: Segment, work: () => T): T | null {
    try {
      return work();
    } catch (error) {
      if (!(error instanceof RangeError)) throw error;
      this.lowerer.diagnostics.length = 0;
      this.error(
        'this is nested too deeply to parse: split the expression or flatten the blocks',
        this.tokenSpan(this.deepestToken(segment)),
      );
      return null;
    }
  }

  /** The first token at the greatest bracket depth of a segment: where nesting went too far. */
  private deepestToken(segment: Segment): IToken {
    let deepest = this.tokens[segment.start]!;
    let depth = 0;
    let max = 0;
    for (let i = segment.start; i < segment.end; i++) {
      const token = this.tokens[i]!;
      const type = token.tokenType;
      if (type === t.LParen || type === t.LBracket || type === t.LCurly || type === t.Lt) depth++;
      else if (type === t.RParen || type === t.RBracket || type === t.RCurly || type === t.Gt) depth--;
      if (depth > max) {
        max = depth;
        deepest = token;
      }
    }
    return deepest;
  }

  /** Runs one grammar rule on the tokens of `segment`; keeps its first error. */
  private parseUnit(rule: () => CstNode, segment: Segment, unit: string): UnitResult {
    const slice = this.tokens.slice(segment.start, segment.end);
    ftpParser.input = slice;
    ftpParser.fallbackOffset = this.endOf(segment).start;
    const cst = rule();
    const first = ftpParser.errors[0];
    const error = first === undefined ? null : this.syntaxError(first, segment, unit);
    const firstToken = this.tokens[segment.start];
    const start = firstToken ? this.tokenSpan(firstToken).start : this.endOf(segment).start;
    return { cst, error, start };
  }

  /**
   * Lowers a unit and files its diagnostics: the parser's first error, or else
   * the first syntax error lowering found; number errors always.
   */
  private lowered<T>(unit: UnitResult, lower: (cst: CstNode, at: number) => T): T {
    const mark = this.lowerer.diagnostics.length;
    const value = lower(unit.cst, unit.start);
    const produced = this.lowerer.diagnostics.splice(mark);
    let syntaxReported = unit.error !== null;
    if (unit.error !== null && unit.error !== 'suppressed') this.diagnostics.push(unit.error);
    const parserFailed = syntaxReported;
    for (const d of produced) {
      if (d.code === 'FTP102') {
        if (syntaxReported) continue;
        syntaxReported = true;
      }
      // A scripted fault in a check may be a budget the parser could not read.
      if (d.code === 'FTP213' && parserFailed) continue;
      this.diagnostics.push(d);
    }
    return value;
  }

  private syntaxError(error: IRecognitionException, segment: Segment, unit: string): Diagnostic | 'suppressed' {
    const tokens = this.tokens;
    const raw = error.token;
    const atEnd = raw === undefined || raw.tokenType === EOF || !Number.isFinite(raw.startOffset);
    // The piece ends where the next one begins: "found `node`" reads better than "found the end".
    const found = atEnd ? tokens[segment.end] : raw;
    const previous =
      error instanceof MismatchedTokenException || error instanceof NoViableAltException || error instanceof EarlyExitException
        ? error.previousToken
        : undefined;
    const previousIndex =
      previous !== undefined && Number.isFinite(previous.startOffset) && previous.image.length > 0
        ? this.indexOf(previous)
        : -1;
    const span = found !== undefined ? this.tokenSpan(found) : this.endOf(segment);
    // The lexer dropped a bad character in this piece: the parser stumbles over the
    // gap it left, and that is one mistake, already reported as FTP101.
    const first = tokens[segment.start];
    const next = tokens[segment.end];
    const start = first !== undefined ? this.tokenSpan(first).start : 0;
    const end = next !== undefined ? this.tokenSpan(next).start : this.text.length;
    if (this.lexicalErrorBetween(start, end)) return 'suppressed';
    const message = describeSyntaxError(error, { tokens, previousIndex, found, unit });
    return diagnostic('FTP102', 'error', message, span);
  }

  /** Whether a lexical error (FTP101) touches the range `[start, end]`. */
  private lexicalErrorBetween(start: number, end: number): boolean {
    for (const d of this.lexicalErrors) {
      if (d.span.start > end) return false;
      if (d.span.end >= start) return true;
    }
    return false;
  }

  /** Index of a token in the token list, by its offset. */
  private indexOf(tok: IToken): number {
    let lo = 0;
    let hi = this.tokens.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const offset = this.tokens[mid]!.startOffset;
      if (offset === tok.startOffset) return mid;
      if (offset < tok.startOffset) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  private tokenSpan(tok: IToken): Span {
    const start = Number.isFinite(tok.startOffset) ? tok.startOffset : this.text.length;
    return { start, end: Math.min(this.text.length, start + tok.image.length) };
  }

  /** Zero-width, right after the last token of `segment`. */
  private endOf(segment: Segment): Span {
    const last = this.tokens[segment.end - 1];
    const end = last ? this.tokenSpan(last).end : 0;
    return { start: end, end };
  }

  private error(message: string, span: Span, related: RelatedInfo[] = []): void {
    this.diagnostics.push(diagnostic('FTP102', 'error', message, span, related));
  }
}

function cover(a: Span, b: Span): Span {
  return { start: Math.min(a.start, b.start), end: Math.max(a.end, b.end) };
}
