import { tokenMatcher, type IToken, type TokenType } from 'chevrotain';
import { analyzeText, type Analysis } from '../analyze.js';
import type { CheckedModel, RoleInfo, Type } from '../check/model.js';
import { printExpr } from '../check/print.js';
import { typeToString } from '../check/types.js';
import type { Span } from '../span.js';
import { lexFtp } from '../syntax/lexer.js';
import * as t from '../syntax/tokens.js';
import { walkAst } from '../walk.js';
import { keywordDocs } from './keyword-docs.js';
import { keywords, messages, nodes, nodeStates, params, properties, roles, stateItems, timers, types, type CompletionItem } from './completion-items.js';
import { touches, wordAt } from './locate.js';

export type { CompletionItem, CompletionKind } from './completion-items.js';

/** The items that fit at a cursor, and the span of the partly typed word they replace. */
export interface CompletionList {
  replace: Span;
  items: CompletionItem[];
}

const declarationKeywords = ['param', 'type', 'message', 'node', 'network', 'quorum', 'invariant', 'eventually', 'scenario', 'check'];
const memberKeywords = ['state', 'stable state', 'on'];
const statementKeywords = ['if', 'else', 'let', 'send', 'broadcast', 'set timer', 'cancel timer', 'choose', 'decide', 'deliver'];
const runKeywords = ['crash', 'recover', 'drop', 'duplicate', 'delay', 'partition', 'byzantine', 'expect', 'with', 'depth', 'states', 'runs', 'steps', 'seed'];
const expressionKeywords = ['forall', 'exists', 'count', 'not', 'true', 'false', 'if', 'self'];
const builtinFunctions = ['min', 'max', 'index', 'crashed', 'correct', 'byzantine'];
const eventFields = ['decided', 'decision', 'delivered'];
const networkKeywords = ['async', 'sync', 'fifo', 'unordered', 'reliable', 'lossy'];

const declarationStarts = new Set<TokenType>([t.Protocol, t.Param, t.Type, t.Message, t.Node, t.Network, t.Quorum, t.Invariant, t.Eventually, t.Scenario, t.Check]);
const typePositionBefore = new Set<TokenType>([t.Colon, t.Equals, t.Lt, t.Comma, t.Pipe]);

/** Where the cursor is, worked out from the tokens before it (robust to the half-typed text around it). */
interface Place {
  /** The top-level declaration keyword the cursor is in, or null before any. */
  decl: TokenType | null;
  /** Where that declaration starts (-1 before any). */
  declStart: number;
  /** The role whose body the cursor is in (by the token after `node`). */
  role: RoleInfo | null;
  /** Kinds of the open braces around the cursor, outermost first. */
  braces: BraceKind[];
  /** Tokens before the word being typed, nearest last. */
  before: IToken[];
  /** Whether only whitespace precedes the word on its line. */
  lineStart: boolean;
}

type BraceKind = 'node' | 'handler' | 'block' | 'fields' | 'run' | 'set';

/** Completions at a cursor, by what precedes it: declaration keywords at the top, messages after `send`, states after `p.`, ... */
export function completionsAt(analysis: Analysis, text: string, offset: number): CompletionList {
  const at = Math.max(0, Math.min(offset, text.length));
  const word = wordAt(text, at);
  const replace = { start: word.start, end: word.end };
  const lexed = lexFtp(text);
  for (const c of lexed.comments) {
    if (at > c.startOffset && at <= c.startOffset + c.image.length) return { replace, items: [] };
  }
  const place = locate(analysis.model, text, lexed.tokens, word.start);
  return { replace, items: dedupe(itemsFor(analysis, text, place, word.start)) };
}

function locate(model: CheckedModel, text: string, tokens: readonly IToken[], wordStart: number): Place {
  const before: IToken[] = [];
  for (const tok of tokens) {
    if (tok.startOffset >= wordStart) break;
    before.push(tok);
  }
  let decl: TokenType | null = null;
  let declIndex = -1;
  const braces: BraceKind[] = [];
  for (let i = 0; i < before.length; i++) {
    const tok = before[i]!;
    const type = tok.tokenType;
    if (braces.length === 0 && declarationStarts.has(type)) {
      const prev = before[i - 1]?.tokenType;
      const next = tokens[tokens.indexOf(tok) + 1]?.tokenType;
      const isField = prev === t.Dot || next === t.Colon;
      const isNodeType = type === t.Node && prev !== undefined && typePositionBefore.has(prev);
      if (!isField && !isNodeType) {
        decl = type;
        declIndex = i;
      }
    }
    if (type === t.LCurly) braces.push(braceKind(before, i, braces, decl));
    else if (type === t.RCurly) braces.pop();
  }
  let role: RoleInfo | null = null;
  if (decl === t.Node && declIndex >= 0) {
    const name = before[declIndex + 1];
    if (name !== undefined) role = model.roleByName.get(name.image) ?? null;
  }
  const lineStartOffset = text.lastIndexOf('\n', wordStart - 1) + 1;
  const lineStart = text.slice(lineStartOffset, wordStart).trim() === '';
  const declStart = declIndex >= 0 ? before[declIndex]!.startOffset : -1;
  return { decl, declStart, role, braces, before, lineStart };
}

/** What an opening brace opens, from the tokens before it. */
function braceKind(before: readonly IToken[], i: number, open: readonly BraceKind[], decl: TokenType | null): BraceKind {
  const inner = open[open.length - 1];
  if (inner === undefined) {
    if (decl === t.Node) return 'node';
    if (decl === t.Message) return 'fields';
    if (decl === t.Scenario || decl === t.Check) return 'run';
    return 'set';
  }
  if (inner === 'node') {
    // A `{` in a node body opens a handler body unless it is a set literal of a state's initial value.
    for (let j = i - 1; j >= 0; j--) {
      const type = before[j]!.tokenType;
      if (type === t.On) return 'handler';
      if (type === t.State || type === t.Equals) return 'set';
      if (type === t.LCurly || type === t.RCurly) break;
    }
    return 'set';
  }
  if (inner === 'handler' || inner === 'block') {
    const prev = before[i - 1]?.tokenType;
    // `{` after an operator, `(`, `,`, `=`, `in` etc. is a set literal; after `choose`, `or`, `else` or an expression's end, a block.
    if (prev === t.Choose || prev === t.Or || prev === t.Else || prev === t.RParen || prev === t.Identifier || prev === t.IntLiteral || prev === t.RBracket || prev === t.True || prev === t.False || prev === t.Pipe) {
      return prev === t.Or && !chooseOpen(before, i) ? 'set' : 'block';
    }
    if (prev !== undefined && t.contextualKeywordTokens.includes(prev)) return 'block';
    return 'set';
  }
  return 'set';
}

/** Whether an `or` right before index `i` follows a `choose { .. }` branch (`} or {`), not a boolean `or`. */
function chooseOpen(before: readonly IToken[], i: number): boolean {
  return before[i - 2]?.tokenType === t.RCurly;
}

function itemsFor(analysis: Analysis, text: string, place: Place, wordStart: number): CompletionItem[] {
  const model = analysis.model;
  const before = place.before;
  const prev = before[before.length - 1];
  const prev2 = before[before.length - 2];
  const prevType = prev?.tokenType;
  const inner = place.braces[place.braces.length - 1];
  const inHandler = place.braces.includes('handler');
  const inRun = inner === 'run' || place.braces[0] === 'run';

  // Right after a specific keyword: the one kind of thing that can follow it.
  if (prevType === t.Send || prevType === t.Broadcast) return messages(model);
  if (prevType === t.Dot) return fieldsAfterDot(analysis, text, place, wordStart);
  if (prevType === t.On && place.braces.length === 1 && inner === 'node') {
    return [...keywords(['start', 'recover', 'timeout']), ...messages(model)];
  }
  if (prevType === t.Timeout || (prevType === t.Timer && (prev2?.tokenType === t.Set || prev2?.tokenType === t.Cancel))) return timers(place.role);
  if (prevType === t.Timer) return timers(place.role);
  if (prevType === t.Set && inHandler) return keywords(['timer']);
  if (prevType === t.Cancel) return keywords(['timer']);
  if (prevType === t.Expect) return properties(model);
  if (prev2?.tokenType === t.Expect) return keywords(['holds', 'violated']);
  if (prevType === t.With) return params(model);
  if (prevType === t.Check && place.braces.length === 0) return keywords(['explore', 'simulate']);
  if (prevType === t.Quorum) return keywords(['read', 'write']);
  if (prevType === t.Up) return keywords(['to']);
  if (prevType === t.At && inRun) return keywords(['step']);
  if (prevType === t.Network || (place.decl === t.Network && place.braces.length === 0 && !place.lineStart)) return keywords(networkKeywords);
  if (prevType === t.Of) return afterOf(model, before);
  if (prevType === t.After && inRun) return keywords(['receive', 'send', 'step']);
  if ((prevType === t.Receive || (prevType === t.Send && inRun)) && inRun) return messages(model);
  if (prevType === t.From) {
    if (inRun) return nodes(model);
    if (inner === 'node') return roles(model);
  }
  if (prevType === t.To) {
    if (inRun) return nodes(model);
    if (inHandler) return [...locals(model, place, wordStart), ...nodeStates(place.role), ...roles(model), ...keywords(['self'])];
  }
  if (prevType === t.Colon && (inner === 'node' || inner === 'fields' || (place.decl === t.Node && place.braces.length === 1))) return types(model);
  if (prevType === t.Equals && place.decl === t.Type && place.braces.length === 0) return types(model);
  if (prevType === t.Lt && prev2 !== undefined && (prev2.tokenType === t.Set || prev2.tokenType === t.Seq || prev2.tokenType === t.Map)) return types(model);
  if (prevType === t.Crash || prevType === t.Recover || prevType === t.Byzantine) {
    if (inRun) return [...(prevType === t.Recover ? [] : keywords(['up to'])), ...nodes(model)];
  }
  if ((prevType === t.Drop || prevType === t.Duplicate || prevType === t.Delay) && inRun) return [...keywords(['up to']), ...(prevType === t.Drop ? messages(model) : [])];
  if (prevType === t.Partition && inRun) return keywords(['up to']);

  // Otherwise, by where the cursor is.
  if (place.braces.length === 0) {
    if (place.lineStart || prev === undefined) return keywords(place.decl === null && !hasProtocolHeader(before) ? ['protocol'] : declarationKeywords);
    if (place.decl === t.Invariant || place.decl === t.Eventually) return expressionNames(model, place, wordStart);
    // Constants: a param's value, a node count, a quorum size may use the params declared before.
    if (place.decl === t.Param || place.decl === t.Node || place.decl === t.Quorum) {
      return model.params.filter((p) => p.decl.span.start < place.declStart || (place.decl !== t.Param && p.decl.span.start < wordStart)).map((p) => ({ label: p.name, kind: 'param' as const, detail: `param ${p.name} = ${printExpr(p.decl.value)}` }));
    }
    return keywords(declarationKeywords);
  }
  switch (inner) {
    case 'node':
      if (place.lineStart || prevType === t.LCurly || prevType === t.RCurly || prevType === t.Semicolon) return keywords(memberKeywords);
      if (prevType === t.Stable) return keywords(['state']);
      if (prevType === t.When || isExpressionContinuation(prev)) return expressionNames(model, place, wordStart);
      // After a trigger (`on Vote(c) from p `) only a guard can come before the body.
      return keywords(['when']);
    case 'handler':
    case 'block': {
      const names = expressionNames(model, place, wordStart);
      if (place.lineStart || prevType === t.LCurly || prevType === t.RCurly || prevType === t.Semicolon) {
        return [...keywords(statementKeywords), ...names.filter((n) => n.kind === 'state' || n.kind === 'local' || n.kind === 'builtin' && eventFields.includes(n.label))];
      }
      return names;
    }
    case 'run':
      if (place.lineStart || prevType === t.LCurly || prevType === t.Semicolon) return keywords(runKeywords);
      return [...nodes(model), ...params(model)];
    case 'fields':
      return [];
    case 'set':
    case undefined:
      return expressionNames(model, place, wordStart);
  }
}

function hasProtocolHeader(before: readonly IToken[]): boolean {
  return before.some((tok) => tok.tokenType === t.Protocol);
}

/** Whether a token leaves an expression open: an operator, `(`, `,`, `[`, `=`. */
function isExpressionContinuation(tok: IToken | undefined): boolean {
  if (tok === undefined) return false;
  const type = tok.tokenType;
  return tokenMatcher(tok, t.BinaryOperator) || tokenMatcher(tok, t.PrefixOperator) || type === t.LParen || type === t.Comma || type === t.LBracket || type === t.Equals || type === t.PlusEq || type === t.MinusEq;
}

function dedupe(items: CompletionItem[]): CompletionItem[] {
  const seen = new Set<string>();
  return items.filter((item) => {
    const key = `${item.kind}:${item.label}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function afterOf(model: CheckedModel, before: readonly IToken[]): CompletionItem[] {
  for (let j = before.length - 2; j >= Math.max(0, before.length - 6); j--) {
    const type = before[j]!.tokenType;
    if (type === t.Drop || type === t.Duplicate || type === t.Delay) return messages(model);
    if (type === t.Crash || type === t.Byzantine || type === t.Quorum) return roles(model);
  }
  return roles(model);
}

/** Local names in scope at the cursor: handler params and bindings, lets, quantifier variables declared before it. */
function locals(model: CheckedModel, place: Place, wordStart: number): CompletionItem[] {
  const container = place.role?.name ?? null;
  let scope: Span | null = null;
  if (place.role) {
    for (const h of place.role.handlers) if (touches(h.decl.span, wordStart)) scope = h.decl.span;
  } else {
    for (const p of model.properties) if (touches(p.decl.span, wordStart)) scope = p.decl.span;
  }
  if (scope === null) return [];
  const out: CompletionItem[] = [];
  for (const d of model.definitions) {
    if (d.kind !== 'local' || d.container !== container) continue;
    if (d.nameSpan.start < scope.start || d.nameSpan.end > wordStart) continue;
    out.push({ label: d.name, kind: 'local', detail: localType(model, d.nameSpan.start) ?? 'local' });
  }
  return out;
}

function localType(model: CheckedModel, declStart: number): string | null {
  for (const [node, ref] of model.refs) {
    if (ref.kind === 'local' && ref.decl.span.start === declStart && node.kind === 'NameExpr') {
      const type = model.types.get(node);
      return type ? typeToString(type) : null;
    }
  }
  return null;
}

/** Every name an expression may use here. */
function expressionNames(model: CheckedModel, place: Place, wordStart: number): CompletionItem[] {
  const out: CompletionItem[] = [...locals(model, place, wordStart)];
  if (place.role !== null) {
    out.push(...stateItems(place.role));
    out.push(...eventFields.map((name): CompletionItem => ({ label: name, kind: 'builtin', detail: keywordDocs[name]?.split(':')[0]?.replace(/`/g, '') ?? name })));
  }
  out.push(...params(model));
  out.push(...model.quorums.map((q): CompletionItem => ({ label: q.name, kind: 'quorum', detail: `quorum ${q.access} ${q.name} = ${printExpr(q.decl.size)} of ${q.role}` })));
  out.push(...roles(model));
  out.push(...[...model.labels].sort().map((label): CompletionItem => ({ label, kind: 'label', detail: 'enum label' })));
  out.push(...builtinFunctions.map((name): CompletionItem => ({ label: name, kind: 'builtin', detail: `${name}(..)`, insertText: `${name}(` })));
  out.push(...keywords(expressionKeywords));
  return out;
}

const dummy = '__faultline_completion__';

/** After `p.`: the states of p's role (found by checking the text with a placeholder field), and the built-in fields. */
function fieldsAfterDot(analysis: Analysis, text: string, place: Place, wordStart: number): CompletionItem[] {
  const patched = `${text.slice(0, wordStart)}${dummy}${text.slice(wordAt(text, wordStart).end)}`;
  const checked = analyzeText(patched);
  let target: Type | null = null;
  let isSelf = false;
  walkAst(checked.file, (node) => {
    if (node.kind === 'FieldExpr' && node.field.name === dummy) {
      target = checked.model.types.get(node.target) ?? null;
      isSelf = node.target.kind === 'SelfExpr';
    }
  });
  const events = eventFields.map((name): CompletionItem => ({ label: name, kind: 'builtin', detail: keywordDocs[name]?.split(':')[0]?.replace(/`/g, '') ?? name }));
  const found = target as Type | null;
  let role: RoleInfo | null = null;
  if (isSelf) role = place.role;
  else if (found !== null && found.kind === 'node' && found.role !== null) role = analysis.model.roleByName.get(found.role) ?? null;
  if (role !== null) return [...stateItems(role), ...events];
  if (found !== null && found.kind === 'node') {
    return [...analysis.model.roles.flatMap((r) => stateItems(r).map((s) => ({ ...s, detail: `${s.detail} (${r.name})` }))), ...events];
  }
  // The placeholder did not help (the text around it is too broken): guess from the name before the dot.
  const name = place.before[place.before.length - 2];
  const byName = name ? analysis.model.roleByName.get(name.image) : undefined;
  if (byName) return [...stateItems(byName), ...events];
  return events;
}
