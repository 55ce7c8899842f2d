import type { Analysis } from '../analyze.js';
import type { Definition } from '../check/model.js';
import { lexFtp } from '../syntax/lexer.js';
import * as t from '../syntax/tokens.js';
import { walkAst } from '../walk.js';

/**
 * Semantic highlighting: every word classified by what it denotes (a role, a
 * message, a state, a label, ...), from the checked model, so a state named like
 * a role is coloured as a state. The legend is the LSP one; the server only encodes.
 */

export const semanticTokenTypes = [
  'namespace',
  'type',
  'class',
  'struct',
  'enumMember',
  'property',
  'variable',
  'parameter',
  'function',
  'event',
  'keyword',
  'comment',
  'number',
  'operator',
] as const;

export const semanticTokenModifiers = ['declaration', 'readonly', 'defaultLibrary', 'stable'] as const;

export type SemanticTokenType = (typeof semanticTokenTypes)[number];
export type SemanticTokenModifier = (typeof semanticTokenModifiers)[number];

/** One classified token: an offset range (it may span lines: block comments). */
export interface SemanticToken {
  start: number;
  length: number;
  type: SemanticTokenType;
  modifiers: SemanticTokenModifier[];
}

const typeOfDefinition: Record<Definition['kind'], SemanticTokenType> = {
  param: 'variable',
  quorum: 'variable',
  type: 'type',
  message: 'struct',
  field: 'property',
  role: 'class',
  state: 'property',
  timer: 'event',
  property: 'function',
  scenario: 'function',
  check: 'function',
  local: 'variable',
};

const builtinCalls = new Set(['min', 'max', 'index', 'crashed', 'byzantine', 'correct']);
const reservedTypes = new Set(t.reservedKeywordTokens);
const contextualTypes = new Set(t.contextualKeywordTokens);
const symbolicOperators = new Set([t.EqEq, t.NotEq, t.LtEq, t.GtEq, t.Lt, t.Gt, t.PlusEq, t.MinusEq, t.Equals, t.Plus, t.Minus, t.Star, t.Slash, t.Percent, t.DotDot]);

/** The semantic tokens of a text, in source order. */
export function semanticTokens(analysis: Analysis, text: string): SemanticToken[] {
  const model = analysis.model;
  const byStart = new Map<number, { type: SemanticTokenType; modifiers: SemanticTokenModifier[] }>();
  const stableStates = new Set<string>();
  for (const role of model.roles) for (const s of role.states) if (s.stable) stableStates.add(`${role.name}.${s.name}`);
  const classify = (d: Definition, declaration: boolean): { type: SemanticTokenType; modifiers: SemanticTokenModifier[] } => {
    const modifiers: SemanticTokenModifier[] = [];
    if (declaration) modifiers.push('declaration');
    if (d.kind === 'param' || d.kind === 'quorum') modifiers.push('readonly');
    if (d.kind === 'state' && stableStates.has(`${d.container}.${d.name}`)) modifiers.push('stable');
    return { type: typeOfDefinition[d.kind], modifiers };
  };
  for (const r of model.references) byStart.set(r.span.start, classify(r.definition, false));
  for (const d of model.definitions) byStart.set(d.nameSpan.start, classify(d, true));
  if (analysis.file.name) byStart.set(analysis.file.name.span.start, { type: 'namespace', modifiers: ['declaration'] });
  walkAst(analysis.file, (node) => {
    switch (node.kind) {
      case 'EnumType':
        for (const label of node.labels) byStart.set(label.span.start, { type: 'enumMember', modifiers: ['declaration'] });
        break;
      case 'NameExpr': {
        const ref = model.refs.get(node);
        if (ref?.kind === 'label') byStart.set(node.span.start, { type: 'enumMember', modifiers: [] });
        else if (ref?.kind === 'event') byStart.set(node.span.start, { type: 'property', modifiers: ['defaultLibrary'] });
        break;
      }
      case 'FieldExpr':
        if (!byStart.has(node.field.span.start)) byStart.set(node.field.span.start, { type: 'property', modifiers: ['defaultLibrary'] });
        break;
      case 'CallExpr':
        if (builtinCalls.has(node.callee.name)) byStart.set(node.callee.span.start, { type: 'function', modifiers: ['defaultLibrary'] });
        break;
      default:
        break;
    }
  });

  const lexed = lexFtp(text);
  const out: SemanticToken[] = [];
  let c = 0;
  const comments = lexed.comments;
  const pushComment = (before: number): void => {
    while (c < comments.length && comments[c]!.startOffset < before) {
      const comment = comments[c++]!;
      out.push({ start: comment.startOffset, length: comment.image.length, type: 'comment', modifiers: [] });
    }
  };
  for (const tok of lexed.tokens) {
    pushComment(tok.startOffset);
    const known = byStart.get(tok.startOffset);
    const length = tok.image.length;
    if (known !== undefined && (tok.tokenType === t.Identifier || contextualTypes.has(tok.tokenType) || reservedTypes.has(tok.tokenType))) {
      out.push({ start: tok.startOffset, length, ...known });
    } else if (reservedTypes.has(tok.tokenType) || tok.tokenType === t.NotIn) {
      out.push({ start: tok.startOffset, length, type: 'keyword', modifiers: [] });
    } else if (contextualTypes.has(tok.tokenType)) {
      out.push({ start: tok.startOffset, length, type: 'keyword', modifiers: [] });
    } else if (tok.tokenType === t.IntLiteral) {
      out.push({ start: tok.startOffset, length, type: 'number', modifiers: [] });
    } else if (symbolicOperators.has(tok.tokenType)) {
      out.push({ start: tok.startOffset, length, type: 'operator', modifiers: [] });
    }
  }
  pushComment(Number.POSITIVE_INFINITY);
  return out;
}
