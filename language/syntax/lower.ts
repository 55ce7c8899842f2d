import type { CstElement, CstNode, IToken, TokenType } from 'chevrotain';
import type * as ast from '../ast.js';
import { diagnostic, type Diagnostic } from '../diagnostic.js';
import type { Span } from '../span.js';
import * as t from './tokens.js';

/**
 * CST -> AST. Every function accepts a CST that recovery left incomplete: a
 * missing child becomes a `Missing*` node, an empty name, an empty list or null,
 * placed (zero-width) right after the last piece that is present. A node's span
 * covers its own tokens and its children's spans, so children always nest.
 */

/** The largest integer literal: values must fit the engine's 32-bit state slots. */
export const MAX_INT_LITERAL = 2147483647;

function isToken(element: CstElement): element is IToken {
  return 'image' in element;
}

function token(node: CstNode, key: string): IToken | undefined {
  const element = node.children[key]?.[0];
  return element !== undefined && isToken(element) ? element : undefined;
}

function tokenList(node: CstNode, key: string): IToken[] {
  const list = node.children[key];
  if (list === undefined) return [];
  const out: IToken[] = [];
  for (const element of list) if (isToken(element)) out.push(element);
  return out;
}

function child(node: CstNode, key: string): CstNode | undefined {
  const element = node.children[key]?.[0];
  return element !== undefined && !isToken(element) ? element : undefined;
}

function childList(node: CstNode, key: string): CstNode[] {
  const list = node.children[key];
  if (list === undefined) return [];
  const out: CstNode[] = [];
  for (const element of list) if (!isToken(element)) out.push(element);
  return out;
}

function cover(a: Span, b: Span): Span {
  return { start: a.start < b.start ? a.start : b.start, end: a.end > b.end ? a.end : b.end };
}

function at(offset: number): Span {
  return { start: offset, end: offset };
}

interface OperatorInfo {
  op: ast.BinaryOp;
  precedence: number;
  rightAssociative: boolean;
}

const binaryOperators = new Map<TokenType, OperatorInfo>([
  [t.Implies, { op: 'implies', precedence: 1, rightAssociative: true }],
  [t.Or, { op: 'or', precedence: 2, rightAssociative: false }],
  [t.And, { op: 'and', precedence: 3, rightAssociative: false }],
  [t.EqEq, { op: '==', precedence: 5, rightAssociative: false }],
  [t.NotEq, { op: '!=', precedence: 5, rightAssociative: false }],
  [t.Lt, { op: '<', precedence: 5, rightAssociative: false }],
  [t.LtEq, { op: '<=', precedence: 5, rightAssociative: false }],
  [t.Gt, { op: '>', precedence: 5, rightAssociative: false }],
  [t.GtEq, { op: '>=', precedence: 5, rightAssociative: false }],
  [t.In, { op: 'in', precedence: 5, rightAssociative: false }],
  [t.NotIn, { op: 'not in', precedence: 5, rightAssociative: false }],
  [t.Plus, { op: '+', precedence: 6, rightAssociative: false }],
  [t.Minus, { op: '-', precedence: 6, rightAssociative: false }],
  [t.Union, { op: 'union', precedence: 6, rightAssociative: false }],
  [t.Intersect, { op: 'intersect', precedence: 6, rightAssociative: false }],
  [t.MinusKw, { op: 'minus', precedence: 6, rightAssociative: false }],
  [t.Star, { op: '*', precedence: 7, rightAssociative: false }],
  [t.Slash, { op: '/', precedence: 7, rightAssociative: false }],
  [t.Percent, { op: '%', precedence: 7, rightAssociative: false }],
]);

/** `not` takes everything that binds at least as tightly as a comparison. */
const NOT_OPERAND_PRECEDENCE = 5;

/** A binary chain being folded by precedence climbing. */
interface Chain {
  operands: CstNode[];
  ops: IToken[];
  /** The operand being read. */
  index: number;
  /** How many of its prefix operators are already applied. */
  prefix: number;
  /** The end of the last piece read: where a missing operand goes. */
  end: number;
}

/** Lowers the CSTs of one text; collects the diagnostics that lowering finds. */
export class Lowerer {
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

  private syntaxError(message: string, span: Span): void {
    this.diagnostics.push(diagnostic('FTP102', 'error', message, span));
  }

  // ---------------------------------------------------------------- declarations

  header(node: CstNode, fallback: number): { name: ast.Ident; span: Span } {
    const keyword = token(node, 'Protocol');
    const start = keyword ? this.span(keyword, fallback) : at(fallback);
    const name = this.ident(token(node, 'name'), start.end);
    return { name, span: cover(start, name.span) };
  }

  paramDecl(node: CstNode, fallback: number): ast.ParamDecl {
    const start = this.keywordSpan(node, 'Param', fallback);
    const name = this.ident(token(node, 'name'), start.end);
    const eq = this.optSpan(token(node, 'Equals'), name.span.end);
    const value = this.expression(child(node, 'value'), eq.end);
    return { kind: 'ParamDecl', span: cover(start, value.span), name, value };
  }

  typeDecl(node: CstNode, fallback: number): ast.TypeDecl {
    const start = this.keywordSpan(node, 'Type', fallback);
    const name = this.ident(token(node, 'name'), start.end);
    const eq = this.optSpan(token(node, 'Equals'), name.span.end);
    const type = this.typeExpr(child(node, 'type'), eq.end);
    return { kind: 'TypeDecl', span: cover(start, type.span), name, type };
  }

  messageDecl(node: CstNode, fallback: number): ast.MessageDecl {
    const start = this.keywordSpan(node, 'Message', fallback);
    const name = this.ident(token(node, 'name'), start.end);
    let span = cover(start, name.span);
    const fields: ast.FieldDecl[] = [];
    let end = name.span.end;
    const open = token(node, 'LCurly');
    if (open) {
      span = cover(span, this.span(open, end));
      end = span.end;
    }
    for (const field of childList(node, 'fields')) {
      const lowered = this.fieldDecl(field, end);
      fields.push(lowered);
      end = lowered.span.end;
      span = cover(span, lowered.span);
    }
    const close = token(node, 'RCurly');
    if (close) span = cover(span, this.span(close, end));
    return { kind: 'MessageDecl', span, name, fields };
  }

  private fieldDecl(node: CstNode, fallback: number): ast.FieldDecl {
    const signed = token(node, 'Signed');
    const nameToken = token(node, 'name');
    const start = signed ? this.span(signed, fallback) : nameToken ? this.span(nameToken, fallback) : at(fallback);
    const name = this.ident(nameToken, start.end);
    const colon = this.optSpan(token(node, 'Colon'), name.span.end);
    const type = this.typeExpr(child(node, 'type'), colon.end);
    return { kind: 'FieldDecl', span: cover(cover(start, name.span), type.span), name, type, signed: signed !== undefined };
  }

  /** `node NAME [COUNT]`; the members come from separately parsed pieces. */
  nodeHead(node: CstNode, fallback: number): { name: ast.Ident; count: ast.Expr | null; span: Span } {
    const start = this.keywordSpan(node, 'Node', fallback);
    const name = this.ident(token(node, 'name'), start.end);
    let span = cover(start, name.span);
    let count: ast.Expr | null = null;
    const open = token(node, 'LBracket');
    if (open) {
      const openSpan = this.span(open, name.span.end);
      count = this.expression(child(node, 'count'), openSpan.end);
      span = cover(cover(span, openSpan), count.span);
      const close = token(node, 'RBracket');
      if (close) span = cover(span, this.span(close, count.span.end));
    }
    return { name, count, span };
  }

  /** A node member: a state declaration or a handler; null when nothing was recognised. */
  member(node: CstNode, fallback: number): ast.StateDecl | ast.Handler | null {
    const state = child(node, 'stateDecl');
    if (state) return this.stateDecl(state, fallback);
    const handler = child(node, 'handler');
    if (handler) return this.handler(handler, fallback);
    return null;
  }

  private stateDecl(node: CstNode, fallback: number): ast.StateDecl {
    const stable = token(node, 'Stable');
    const keyword = token(node, 'State');
    let start = stable ? this.span(stable, fallback) : keyword ? this.span(keyword, fallback) : at(fallback);
    if (keyword) start = cover(start, this.span(keyword, start.end));
    const name = this.ident(token(node, 'name'), start.end);
    const colon = this.optSpan(token(node, 'Colon'), name.span.end);
    const type = this.typeExpr(child(node, 'type'), colon.end);
    let span = cover(cover(start, name.span), type.span);
    let init: ast.Expr | ast.AnyInit | null = null;
    const eq = token(node, 'Equals');
    if (eq) {
      const eqSpan = this.span(eq, type.span.end);
      const any = token(node, 'Any');
      init = any
        ? { kind: 'AnyInit', span: this.span(any, eqSpan.end) }
        : this.expression(child(node, 'init'), eqSpan.end);
      span = cover(cover(span, eqSpan), init.span);
    }
    return { kind: 'StateDecl', span, name, type, stable: stable !== undefined, init };
  }

  private handler(node: CstNode, fallback: number): ast.Handler {
    const start = this.keywordSpan(node, 'On', fallback);
    const trigger = this.trigger(child(node, 'trigger'), start.end);
    let end = trigger.span.end;
    let guard: ast.Expr | null = null;
    const when = token(node, 'When');
    if (when) {
      const whenSpan = this.span(when, end);
      guard = this.expression(child(node, 'guard'), whenSpan.end);
      end = guard.span.end;
    }
    const body = this.block(child(node, 'body'), end);
    return { kind: 'Handler', span: cover(cover(start, trigger.span), body.span), trigger, guard, body };
  }

  private trigger(node: CstNode | undefined, fallback: number): ast.Trigger {
    // A trigger that is missing altogether reads as a message trigger with an empty name.
    if (node === undefined) {
      return { kind: 'MessageTrigger', span: at(fallback), message: this.ident(undefined, fallback), params: [], from: null };
    }
    const start = token(node, 'Start');
    if (start) return { kind: 'StartTrigger', span: this.span(start, fallback) };
    const recover = token(node, 'Recover');
    if (recover) return { kind: 'RecoverTrigger', span: this.span(recover, fallback) };
    const timeout = token(node, 'Timeout');
    if (timeout) {
      const keyword = this.span(timeout, fallback);
      const timer = this.ident(token(node, 'timer'), keyword.end);
      return { kind: 'TimeoutTrigger', span: cover(keyword, timer.span), timer };
    }
    const message = this.ident(token(node, 'message'), fallback);
    let span = message.span;
    const params: ast.Ident[] = [];
    const open = token(node, 'LParen');
    if (open) span = cover(span, this.span(open, span.end));
    for (const param of tokenList(node, 'params')) {
      const id = this.ident(param, span.end);
      params.push(id);
      span = cover(span, id.span);
    }
    const close = token(node, 'RParen');
    if (close) span = cover(span, this.span(close, span.end));
    let from: ast.Ident | null = null;
    const fromKeyword = token(node, 'From');
    if (fromKeyword) {
      span = cover(span, this.span(fromKeyword, span.end));
      from = this.ident(token(node, 'from'), span.end);
      span = cover(span, from.span);
    }
    return { kind: 'MessageTrigger', span, message, params, from };
  }

  networkDecl(node: CstNode, fallback: number): ast.NetworkDecl {
    let span = this.keywordSpan(node, 'Network', fallback);
    const timing = token(node, 'timing');
    let delta: ast.Expr | null = null;
    if (timing) span = cover(span, this.span(timing, span.end));
    if (timing?.tokenType === t.Sync) {
      const open = token(node, 'LParen');
      if (open) span = cover(span, this.span(open, span.end));
      delta = this.expression(child(node, 'delta'), span.end);
      span = cover(span, delta.span);
      const close = token(node, 'RParen');
      if (close) span = cover(span, this.span(close, span.end));
    }
    const ordering = token(node, 'ordering');
    if (ordering) span = cover(span, this.span(ordering, span.end));
    const reliability = token(node, 'reliability');
    if (reliability) span = cover(span, this.span(reliability, span.end));
    return {
      kind: 'NetworkDecl',
      span,
      timing: timing?.tokenType === t.Sync ? 'sync' : 'async',
      delta,
      ordering: ordering?.tokenType === t.Fifo ? 'fifo' : 'unordered',
      reliability: reliability?.tokenType === t.Lossy ? 'lossy' : 'reliable',
    };
  }

  quorumDecl(node: CstNode, fallback: number): ast.QuorumDecl {
    let span = this.keywordSpan(node, 'Quorum', fallback);
    const access = token(node, 'access');
    if (access) span = cover(span, this.span(access, span.end));
    const name = this.ident(token(node, 'name'), span.end);
    const eq = this.optSpan(token(node, 'Equals'), name.span.end);
    const size = this.arith(child(node, 'size'), eq.end);
    span = cover(cover(span, name.span), size.span);
    const of = token(node, 'Of');
    if (of) span = cover(span, this.span(of, span.end));
    const role = this.ident(token(node, 'role'), span.end);
    span = cover(span, role.span);
    return { kind: 'QuorumDecl', span, access: access?.tokenType === t.Write ? 'write' : 'read', name, size, role };
  }

  propertyDecl(node: CstNode, fallback: number): ast.PropertyDecl {
    const keyword = token(node, 'property');
    const start = keyword ? this.span(keyword, fallback) : at(fallback);
    const property = keyword?.tokenType === t.Eventually ? 'eventually' : 'invariant';
    const name = this.ident(token(node, 'name'), start.end);
    let span = cover(start, name.span);
    const withinNodes = childList(node, 'within');
    const early = token(node, 'Within');
    let within: ast.Expr | null = null;
    if (early) {
      span = cover(span, this.span(early, span.end));
      within = this.arith(withinNodes[0], span.end);
      span = cover(span, within.span);
    }
    const colon = this.optSpan(token(node, 'Colon'), span.end);
    const body = this.expression(child(node, 'body'), colon.end);
    span = cover(span, body.span);
    const late = token(node, 'lateWithin');
    if (late) {
      const lateSpan = this.span(late, span.end);
      const lateValue = this.arith(withinNodes[early ? 1 : 0], lateSpan.end);
      span = cover(cover(span, lateSpan), lateValue.span);
      if (within === null) within = lateValue;
      else this.syntaxError('`within` is given twice; keep one', cover(lateSpan, lateValue.span));
    }
    if (within !== null && property === 'invariant') {
      this.syntaxError('`within K` applies to `eventually` properties; an `invariant` must hold in every state', within.span);
    }
    return { kind: 'PropertyDecl', span, property, name, body, within };
  }

  checkDecl(node: CstNode, fallback: number): ast.CheckDecl {
    let span = this.keywordSpan(node, 'Check', fallback);
    const nameToken = token(node, 'name');
    const name = nameToken ? this.ident(nameToken, span.end) : null;
    if (name) span = cover(span, name.span);
    const mode = token(node, 'mode');
    if (mode) span = cover(span, this.span(mode, span.end));
    const items: ast.RunSetting[] = [];
    const body = child(node, 'body');
    if (body) {
      const lowered = this.runBody(body, span.end);
      span = cover(span, lowered.span);
      for (const item of lowered.items) {
        if (isScriptedFault(item)) {
          this.diagnostics.push(
            diagnostic(
              'FTP213',
              'error',
              'a scripted fault belongs in a `scenario`; a `check` takes budgets (`crash up to 1`), bounds and expectations',
              item.span,
            ),
          );
        } else {
          items.push(item);
        }
      }
    }
    return { kind: 'CheckDecl', span, name, mode: mode?.tokenType === t.Simulate ? 'simulate' : 'explore', items };
  }

  scenarioDecl(node: CstNode, fallback: number): ast.ScenarioDecl {
    let span = this.keywordSpan(node, 'Scenario', fallback);
    const name = this.ident(token(node, 'name'), span.end);
    span = cover(span, name.span);
    let items: (ast.RunSetting | ast.ScriptedFault)[] = [];
    const body = child(node, 'body');
    if (body) {
      const lowered = this.runBody(body, span.end);
      span = cover(span, lowered.span);
      items = lowered.items;
    }
    return { kind: 'ScenarioDecl', span, name, items };
  }

  private runBody(node: CstNode, fallback: number): { span: Span; items: (ast.RunSetting | ast.ScriptedFault)[] } {
    const open = token(node, 'LCurly');
    let span = open ? this.span(open, fallback) : at(fallback);
    const items: (ast.RunSetting | ast.ScriptedFault)[] = [];
    for (const itemNode of childList(node, 'items')) {
      for (const item of this.runItem(itemNode, span.end)) {
        items.push(item);
        span = cover(span, item.span);
      }
    }
    const close = token(node, 'RCurly');
    if (close) span = cover(span, this.span(close, span.end));
    return { span, items };
  }

  // ---------------------------------------------------------------- run settings

  private runItem(inner: CstNode, fallback: number): (ast.RunSetting | ast.ScriptedFault)[] {
    switch (inner.name) {
      case 'withSetting':
        return this.withSetting(inner, fallback);
      case 'crashItem':
        return [this.crashItem(inner, fallback)];
      case 'recoverItem': {
        const start = this.keywordSpan(inner, 'Recover', fallback);
        const nodeExpr = this.arith(child(inner, 'node'), start.end);
        const trigger = this.faultTrigger(child(inner, 'trigger'), nodeExpr.span.end);
        return [{ kind: 'ScriptedRecover', span: cover(cover(start, nodeExpr.span), trigger.span), node: nodeExpr, trigger }];
      }
      case 'dropItem':
        return [this.dropItem(inner, fallback)];
      case 'messageBudget':
        return [this.messageBudget(inner, fallback)];
      case 'partitionItem':
        return [this.partitionItem(inner, fallback)];
      case 'byzantineItem':
        return [this.byzantineItem(inner, fallback)];
      case 'boundSetting': {
        const keyword = token(inner, 'setting');
        const start = keyword ? this.span(keyword, fallback) : at(fallback);
        const value = this.arith(child(inner, 'value'), start.end);
        return [{ kind: 'BoundSetting', span: cover(start, value.span), setting: boundName(keyword), value }];
      }
      case 'expectSetting': {
        const start = this.keywordSpan(inner, 'Expect', fallback);
        const property = this.ident(token(inner, 'property'), start.end);
        let span = cover(start, property.span);
        const outcome = token(inner, 'outcome');
        if (outcome) span = cover(span, this.span(outcome, span.end));
        return [{ kind: 'Expectation', span, property, outcome: outcome?.tokenType === t.Violated ? 'violated' : 'holds' }];
      }
      default:
        return [];
    }
  }

  private withSetting(node: CstNode, fallback: number): ast.ParamOverride[] {
    let end = this.keywordSpan(node, 'With', fallback).end;
    const out: ast.ParamOverride[] = [];
    for (const override of childList(node, 'overrides')) {
      const name = this.ident(token(override, 'name'), end);
      const eq = this.optSpan(token(override, 'Equals'), name.span.end);
      const value = this.arith(child(override, 'value'), eq.end);
      out.push({ kind: 'ParamOverride', span: cover(name.span, value.span), name, value });
      end = value.span.end;
    }
    return out;
  }

  /** `up to E`: the limit and the span of the whole phrase. */
  private budgetLimit(node: CstNode | undefined, fallback: number): { limit: ast.Expr; span: Span } {
    if (node === undefined) return { limit: { kind: 'MissingExpr', span: at(fallback) }, span: at(fallback) };
    const up = this.keywordSpan(node, 'Up', fallback);
    const to = this.optSpan(token(node, 'To'), up.end);
    const limit = this.arith(child(node, 'limit'), to.end);
    return { limit, span: cover(cover(up, to), limit.span) };
  }

  /** `of NAME` after a budget: the name, or null. */
  private ofName(node: CstNode, key: string, span: Span): { name: ast.Ident | null; span: Span } {
    const of = token(node, 'Of');
    if (!of) return { name: null, span };
    const ofSpan = this.span(of, span.end);
    const name = this.ident(token(node, key), ofSpan.end);
    return { name, span: cover(cover(span, ofSpan), name.span) };
  }

  private crashItem(node: CstNode, fallback: number): ast.CrashBudget | ast.ScriptedFault {
    const start = this.keywordSpan(node, 'Crash', fallback);
    const budget = child(node, 'budget');
    if (budget === undefined) {
      const target = this.arith(child(node, 'node'), start.end);
      const trigger = this.faultTrigger(child(node, 'trigger'), target.span.end);
      return { kind: 'ScriptedCrash', span: cover(cover(start, target.span), trigger.span), node: target, trigger };
    }
    const { limit, span: limitSpan } = this.budgetLimit(budget, start.end);
    const role = this.ofName(node, 'role', cover(start, limitSpan));
    let span = role.span;
    const and = token(node, 'And');
    const recover = token(node, 'Recover');
    if (and) span = cover(span, this.span(and, span.end));
    if (recover) span = cover(span, this.span(recover, span.end));
    const whileToken = token(node, 'While');
    const sending = token(node, 'Sending');
    if (whileToken) span = cover(span, this.span(whileToken, span.end));
    if (sending) span = cover(span, this.span(sending, span.end));
    return {
      kind: 'CrashBudget',
      span,
      limit,
      role: role.name,
      recover: recover !== undefined,
      whileSending: sending !== undefined,
    };
  }

  private dropItem(node: CstNode, fallback: number): ast.DropBudget | ast.ScriptedFault {
    const start = this.keywordSpan(node, 'Drop', fallback);
    const budget = child(node, 'budget');
    if (budget !== undefined) {
      const { limit, span: limitSpan } = this.budgetLimit(budget, start.end);
      const message = this.ofName(node, 'ofMessage', cover(start, limitSpan));
      return { kind: 'DropBudget', span: message.span, limit, message: message.name };
    }
    const message = this.ident(token(node, 'message'), start.end);
    let span = cover(start, message.span);
    const from = this.optionalArith(node, 'From', 'from', span);
    span = from.span;
    const to = this.optionalArith(node, 'To', 'to', span);
    span = to.span;
    const times = this.optionalArith(node, 'Times', 'count', span);
    span = times.span;
    return { kind: 'ScriptedDrop', span, message, from: from.value, to: to.value, count: times.value };
  }

  /** `KEYWORD expr` when the keyword is present. */
  private optionalArith(node: CstNode, keyword: string, key: string, span: Span): { value: ast.Expr | null; span: Span } {
    const tok = token(node, keyword);
    if (!tok) return { value: null, span };
    const keywordSpan = this.span(tok, span.end);
    const value = this.arith(child(node, key), keywordSpan.end);
    return { value, span: cover(cover(span, keywordSpan), value.span) };
  }

  private messageBudget(node: CstNode, fallback: number): ast.DuplicateBudget | ast.DelayBudget {
    const keyword = token(node, 'fault');
    const start = keyword ? this.span(keyword, fallback) : at(fallback);
    const { limit, span: limitSpan } = this.budgetLimit(child(node, 'budget'), start.end);
    const message = this.ofName(node, 'message', cover(start, limitSpan));
    const kind = keyword?.tokenType === t.Delay ? 'DelayBudget' : 'DuplicateBudget';
    return { kind, span: message.span, limit, message: message.name };
  }

  private partitionItem(node: CstNode, fallback: number): ast.PartitionBudget | ast.ScriptedFault {
    const start = this.keywordSpan(node, 'Partition', fallback);
    const budget = child(node, 'budget');
    if (budget !== undefined) {
      const { limit, span } = this.budgetLimit(budget, start.end);
      return { kind: 'PartitionBudget', span: cover(start, span), limit };
    }
    let span = start;
    const groups: ast.Expr[] = [];
    for (const group of childList(node, 'groups')) {
      const lowered = this.arith(group, span.end);
      groups.push(lowered);
      span = cover(span, lowered.span);
    }
    if (groups.length === 0) groups.push({ kind: 'MissingExpr', span: at(span.end) });
    for (const pipe of tokenList(node, 'Pipe')) span = cover(span, this.span(pipe, span.end));
    const fromKeyword = token(node, 'From');
    if (fromKeyword) span = cover(span, this.span(fromKeyword, span.end));
    const steps = tokenList(node, 'Step');
    if (steps[0]) span = cover(span, this.span(steps[0], span.end));
    const from = this.arith(child(node, 'from'), span.end);
    span = cover(span, from.span);
    let to: ast.Expr | null = null;
    const toKeyword = token(node, 'To');
    if (toKeyword) {
      span = cover(span, this.span(toKeyword, span.end));
      if (steps[1]) span = cover(span, this.span(steps[1], span.end));
      to = this.arith(child(node, 'to'), span.end);
      span = cover(span, to.span);
    }
    if (groups.length === 1 && fromKeyword) {
      this.syntaxError('a partition needs at least two groups separated by `|`, e.g. `{A} | {B}`', groups[0]!.span);
    }
    return { kind: 'ScriptedPartition', span, groups, from, to };
  }

  private byzantineItem(node: CstNode, fallback: number): ast.ByzantineBudget | ast.ScriptedFault {
    const start = this.keywordSpan(node, 'Byzantine', fallback);
    const budget = child(node, 'budget');
    if (budget !== undefined) {
      const { limit, span: limitSpan } = this.budgetLimit(budget, start.end);
      const role = this.ofName(node, 'role', cover(start, limitSpan));
      return { kind: 'ByzantineBudget', span: role.span, limit, role: role.name };
    }
    const target = this.arith(child(node, 'node'), start.end);
    return { kind: 'ScriptedByzantine', span: cover(start, target.span), node: target };
  }

  private faultTrigger(node: CstNode | undefined, fallback: number): ast.FaultTrigger {
    if (node === undefined) return { kind: 'WhenTrue', span: at(fallback), condition: { kind: 'MissingExpr', span: at(fallback) } };
    const atKeyword = token(node, 'At');
    if (atKeyword) {
      let span = this.span(atKeyword, fallback);
      const step = token(node, 'Step');
      if (step) span = cover(span, this.span(step, span.end));
      const value = this.arith(child(node, 'step'), span.end);
      return { kind: 'AtStep', span: cover(span, value.span), step: value };
    }
    const after = token(node, 'After');
    if (after) {
      let span = this.span(after, fallback);
      const receive = token(node, 'Receive');
      const send = token(node, 'Send');
      const verb = receive ?? send;
      if (verb) span = cover(span, this.span(verb, span.end));
      const message = this.ident(token(node, 'message'), span.end);
      span = cover(span, message.span);
      const peer = this.optionalArith(node, receive ? 'From' : 'To', 'peer', span);
      if (send) return { kind: 'AfterSend', span: peer.span, message, to: peer.value };
      return { kind: 'AfterReceive', span: peer.span, message, from: peer.value };
    }
    const when = token(node, 'When');
    const whenSpan = when ? this.span(when, fallback) : at(fallback);
    const condition = this.expression(child(node, 'condition'), whenSpan.end);
    return { kind: 'WhenTrue', span: cover(whenSpan, condition.span), condition };
  }

  // ---------------------------------------------------------------- statements

  block(node: CstNode | undefined, fallback: number): ast.Block {
    if (node === undefined) return { kind: 'Block', span: at(fallback), stmts: [] };
    const open = token(node, 'LCurly');
    let span = open ? this.span(open, fallback) : at(fallback);
    const stmts: ast.Stmt[] = [];
    for (const statement of childList(node, 'stmts')) {
      const lowered = this.statement(statement, span.end);
      if (lowered === null) continue;
      stmts.push(lowered);
      span = cover(span, lowered.span);
    }
    const close = token(node, 'RCurly');
    if (close) span = cover(span, this.span(close, span.end));
    return { kind: 'Block', span, stmts };
  }

  private statement(inner: CstNode, fallback: number): ast.Stmt | null {
    switch (inner.name) {
      case 'assignStmt':
        return this.assignStmt(inner, fallback);
      case 'letStmt': {
        const start = this.keywordSpan(inner, 'Let', fallback);
        const name = this.ident(token(inner, 'name'), start.end);
        const eq = this.optSpan(token(inner, 'Equals'), name.span.end);
        const value = this.expression(child(inner, 'value'), eq.end);
        return { kind: 'LetStmt', span: cover(start, value.span), name, value };
      }
      case 'ifStmt':
        return this.ifStmt(inner, fallback);
      case 'sendStmt':
        return this.sendStmt(inner, fallback);
      case 'setTimerStmt': {
        let span = this.keywordSpan(inner, 'Set', fallback);
        const timerKeyword = token(inner, 'Timer');
        if (timerKeyword) span = cover(span, this.span(timerKeyword, span.end));
        const timer = this.ident(token(inner, 'timer'), span.end);
        span = cover(span, timer.span);
        const after = token(inner, 'After');
        if (after) span = cover(span, this.span(after, span.end));
        const value = this.expression(child(inner, 'after'), span.end);
        return { kind: 'SetTimerStmt', span: cover(span, value.span), timer, after: value };
      }
      case 'cancelTimerStmt': {
        let span = this.keywordSpan(inner, 'Cancel', fallback);
        const timerKeyword = token(inner, 'Timer');
        if (timerKeyword) span = cover(span, this.span(timerKeyword, span.end));
        const timer = this.ident(token(inner, 'timer'), span.end);
        return { kind: 'CancelTimerStmt', span: cover(span, timer.span), timer };
      }
      case 'chooseStmt':
        return this.chooseStmt(inner, fallback);
      case 'recordStmt': {
        const verb = token(inner, 'verb');
        const start = verb ? this.span(verb, fallback) : at(fallback);
        const value = this.expression(child(inner, 'value'), start.end);
        const kind = verb?.tokenType === t.Deliver ? 'DeliverStmt' : 'DecideStmt';
        return { kind, span: cover(start, value.span), value };
      }
      default:
        return null;
    }
  }

  private assignStmt(node: CstNode, fallback: number): ast.AssignStmt {
    const target = this.ident(token(node, 'target'), fallback);
    let span = target.span;
    const indices: ast.Expr[] = [];
    for (const index of childList(node, 'indices')) {
      const lowered = this.expression(index, span.end);
      indices.push(lowered);
      span = cover(span, lowered.span);
    }
    for (const bracket of tokenList(node, 'RBracket')) span = cover(span, this.span(bracket, span.end));
    const opToken = token(node, 'op');
    if (opToken) span = cover(span, this.span(opToken, span.end));
    const op = opToken?.tokenType === t.PlusEq ? '+=' : opToken?.tokenType === t.MinusEq ? '-=' : '=';
    const value = this.expression(child(node, 'value'), span.end);
    return { kind: 'AssignStmt', span: cover(span, value.span), target, indices, op, value };
  }

  private ifStmt(node: CstNode, fallback: number): ast.IfStmt {
    const start = this.keywordSpan(node, 'If', fallback);
    const condition = this.expression(child(node, 'condition'), start.end);
    const then = this.block(child(node, 'then'), condition.span.end);
    let span = cover(cover(start, condition.span), then.span);
    let elseBlock: ast.Block | null = null;
    const elseKeyword = token(node, 'Else');
    if (elseKeyword) {
      span = cover(span, this.span(elseKeyword, span.end));
      const elseIf = child(node, 'elseIf');
      if (elseIf) {
        const nested = this.ifStmt(elseIf, span.end);
        elseBlock = { kind: 'Block', span: nested.span, stmts: [nested] };
      } else {
        elseBlock = this.block(child(node, 'else'), span.end);
      }
      span = cover(span, elseBlock.span);
    }
    return { kind: 'IfStmt', span, condition, then, else: elseBlock };
  }

  private sendStmt(node: CstNode, fallback: number): ast.SendStmt | ast.BroadcastStmt {
    const verb = token(node, 'verb');
    let span = verb ? this.span(verb, fallback) : at(fallback);
    const message = this.ident(token(node, 'message'), span.end);
    span = cover(span, message.span);
    const args: ast.MessageArg[] = [];
    const argsNode = child(node, 'args');
    if (argsNode) {
      const open = token(argsNode, 'LParen');
      if (open) span = cover(span, this.span(open, span.end));
      for (const arg of childList(argsNode, 'args')) {
        const lowered = this.messageArg(arg, span.end);
        args.push(lowered);
        span = cover(span, lowered.span);
      }
      const close = token(argsNode, 'RParen');
      if (close) span = cover(span, this.span(close, span.end));
    }
    const to = token(node, 'To');
    if (to) span = cover(span, this.span(to, span.end));
    const target = this.expression(child(node, 'to'), span.end);
    span = cover(span, target.span);
    const kind = verb?.tokenType === t.Broadcast ? 'BroadcastStmt' : 'SendStmt';
    return { kind, span, message, args, to: target };
  }

  private messageArg(node: CstNode, fallback: number): ast.MessageArg {
    const nameToken = token(node, 'name');
    const name = nameToken ? this.ident(nameToken, fallback) : null;
    const colon = name ? this.optSpan(token(node, 'Colon'), name.span.end) : at(fallback);
    const value = this.expression(child(node, 'value'), colon.end);
    return { kind: 'MessageArg', span: name ? cover(name.span, value.span) : value.span, name, value };
  }

  private chooseStmt(node: CstNode, fallback: number): ast.ChooseStmt | ast.ChooseValueStmt {
    let span = this.keywordSpan(node, 'Choose', fallback);
    const nameToken = token(node, 'name');
    if (nameToken) {
      const name = this.ident(nameToken, span.end);
      const inKeyword = this.optSpan(token(node, 'In'), name.span.end);
      const domain = this.domain(child(node, 'domain'), inKeyword.end);
      const body = this.block(child(node, 'body'), domain.span.end);
      return { kind: 'ChooseValueStmt', span: cover(cover(span, domain.span), body.span), name, domain, body };
    }
    const branches: ast.Block[] = [];
    for (const branch of childList(node, 'branches')) {
      const lowered = this.block(branch, span.end);
      branches.push(lowered);
      span = cover(span, lowered.span);
    }
    return { kind: 'ChooseStmt', span, branches };
  }

  // ---------------------------------------------------------------- types

  typeExpr(node: CstNode | undefined, fallback: number): ast.TypeExpr {
    if (node === undefined) return { kind: 'MissingType', span: at(fallback) };
    const simple = token(node, 'Bool') ?? token(node, 'Int') ?? token(node, 'Node');
    if (simple) {
      const span = this.span(simple, fallback);
      const kind = simple.tokenType === t.Bool ? 'BoolType' : simple.tokenType === t.Int ? 'IntType' : 'NodeIdType';
      return { kind, span };
    }
    const collection = token(node, 'Set') ?? token(node, 'Seq') ?? token(node, 'Map');
    if (collection) {
      let span = this.span(collection, fallback);
      const lt = token(node, 'Lt');
      if (lt) span = cover(span, this.span(lt, span.end));
      let result: ast.TypeExpr;
      if (collection.tokenType === t.Map) {
        const key = this.typeExpr(child(node, 'key'), span.end);
        const comma = this.optSpan(token(node, 'Comma'), key.span.end);
        const value = this.typeExpr(child(node, 'value'), comma.end);
        span = cover(cover(span, key.span), value.span);
        result = { kind: 'MapType', span, key, value };
      } else {
        const element = this.typeExpr(child(node, 'element'), span.end);
        span = cover(span, element.span);
        result = { kind: collection.tokenType === t.Set ? 'SetType' : 'SeqType', span, element };
      }
      const gt = token(node, 'Gt');
      if (gt) result.span = cover(result.span, this.span(gt, result.span.end));
      return result;
    }
    const lowNode = child(node, 'low');
    if (lowNode === undefined) return { kind: 'MissingType', span: at(fallback) };
    const low = this.arith(lowNode, fallback);
    if (token(node, 'DotDot')) {
      const high = this.arith(child(node, 'high'), low.span.end);
      return { kind: 'RangeType', span: cover(low.span, high.span), low, high };
    }
    const labelTokens = tokenList(node, 'labels');
    if (token(node, 'Pipe') !== undefined) {
      const labels: ast.Ident[] = [];
      if (low.kind === 'NameExpr') labels.push({ kind: 'Ident', span: low.span, name: low.name });
      else this.syntaxError('an enum label must be a name, like `INIT | DONE`', low.span);
      let span = low.span;
      for (const label of labelTokens) {
        const id = this.ident(label, span.end);
        labels.push(id);
        span = cover(span, id.span);
      }
      return { kind: 'EnumType', span, labels };
    }
    if (low.kind === 'NameExpr') return { kind: 'NamedType', span: low.span, name: { kind: 'Ident', span: low.span, name: low.name } };
    if (low.kind !== 'MissingExpr') {
      this.syntaxError(
        'expected a type (`bool`, `int`, `lo..hi`, `A | B`, `set<T>`, `map<K, V>`, `seq<T>` or a type name); a value alone is not a type',
        low.span,
      );
    }
    return { kind: 'MissingType', span: low.span };
  }

  // ---------------------------------------------------------------- expressions

  /** A full expression chain. */
  expression(node: CstNode | undefined, fallback: number): ast.Expr {
    return this.chain(node, fallback);
  }

  /** An arithmetic chain (same CST shape as an expression). */
  arith(node: CstNode | undefined, fallback: number): ast.Expr {
    return this.chain(node, fallback);
  }

  private domain(node: CstNode | undefined, fallback: number): ast.Expr {
    if (node === undefined) return { kind: 'MissingExpr', span: at(fallback) };
    const low = this.arith(child(node, 'low'), fallback);
    const dots = token(node, 'DotDot');
    if (!dots) return low;
    const dotsSpan = this.span(dots, low.span.end);
    const high = this.arith(child(node, 'high'), dotsSpan.end);
    return { kind: 'RangeExpr', span: cover(cover(low.span, dotsSpan), high.span), low, high };
  }

  private chain(node: CstNode | undefined, fallback: number): ast.Expr {
    if (node === undefined) return { kind: 'MissingExpr', span: at(fallback) };
    const operands = childList(node, 'operands');
    if (operands.length === 0) return { kind: 'MissingExpr', span: at(fallback) };
    const state: Chain = { operands, ops: tokenList(node, 'ops'), index: 0, prefix: 0, end: fallback };
    return this.climb(state, 0);
  }

  /** Precedence climbing over the flat operand/operator lists of a chain. */
  private climb(chain: Chain, minPrecedence: number): ast.Expr {
    let left = this.prefixed(chain);
    while (chain.index < chain.ops.length) {
      const opToken = chain.ops[chain.index]!;
      const info = binaryOperators.get(opToken.tokenType);
      if (info === undefined || info.precedence < minPrecedence) break;
      const opSpan = this.span(opToken, left.span.end);
      chain.index++;
      chain.prefix = 0;
      chain.end = opSpan.end;
      const right = this.climb(chain, info.rightAssociative ? info.precedence : info.precedence + 1);
      left = { kind: 'BinaryExpr', span: cover(cover(left.span, opSpan), right.span), op: info.op, left, right };
    }
    return left;
  }

  /** The current operand with its remaining prefix operators. */
  private prefixed(chain: Chain): ast.Expr {
    const operand = chain.operands[chain.index];
    if (operand === undefined) return { kind: 'MissingExpr', span: at(chain.end) };
    const prefixes = tokenList(operand, 'prefix');
    if (chain.prefix < prefixes.length) {
      const prefix = prefixes[chain.prefix++]!;
      const prefixSpan = this.span(prefix, chain.end);
      chain.end = prefixSpan.end;
      if (prefix.tokenType === t.Not) {
        const inner = this.climb(chain, NOT_OPERAND_PRECEDENCE);
        return { kind: 'UnaryExpr', span: cover(prefixSpan, inner.span), op: 'not', operand: inner };
      }
      const inner = this.prefixed(chain);
      return { kind: 'UnaryExpr', span: cover(prefixSpan, inner.span), op: '-', operand: inner };
    }
    const core = this.postfixed(operand, chain.end);
    chain.end = core.span.end;
    return core;
  }

  /** A primary followed by `.field` and `[index]` accesses. */
  private postfixed(operand: CstNode, fallback: number): ast.Expr {
    let expr = this.primary(operand, fallback);
    for (const postfix of childList(operand, 'postfix')) {
      const dot = token(postfix, 'Dot');
      if (dot) {
        const dotSpan = this.span(dot, expr.span.end);
        const field = this.ident(token(postfix, 'field'), dotSpan.end);
        expr = { kind: 'FieldExpr', span: cover(cover(expr.span, dotSpan), field.span), target: expr, field };
        continue;
      }
      const open = token(postfix, 'LBracket');
      const openSpan = open ? this.span(open, expr.span.end) : at(expr.span.end);
      const index = this.expression(child(postfix, 'index'), openSpan.end);
      let span = cover(cover(expr.span, openSpan), index.span);
      const close = token(postfix, 'RBracket');
      if (close) span = cover(span, this.span(close, span.end));
      expr = { kind: 'IndexExpr', span, target: expr, index };
    }
    return expr;
  }

  /** The primary inlined in an operand node. */
  private primary(node: CstNode, fallback: number): ast.Expr {
    const children = node.children;
    if (children['IntLiteral']) return this.intLiteral(token(node, 'IntLiteral')!, fallback);
    if (children['True']) return { kind: 'BoolLit', span: this.span(token(node, 'True')!, fallback), value: true };
    if (children['False']) return { kind: 'BoolLit', span: this.span(token(node, 'False')!, fallback), value: false };
    if (children['Self']) return { kind: 'SelfExpr', span: this.span(token(node, 'Self')!, fallback) };
    const name = token(node, 'name');
    if (name && children['variable']) return this.countExpr(node, fallback);
    if (name) {
      const callee = this.ident(name, fallback);
      const call = child(node, 'call');
      if (!call) return { kind: 'NameExpr', span: callee.span, name: callee.name };
      let span = callee.span;
      const open = token(call, 'LParen');
      if (open) span = cover(span, this.span(open, span.end));
      const args: ast.Expr[] = [];
      for (const arg of childList(call, 'args')) {
        const lowered = this.expression(arg, span.end);
        args.push(lowered);
        span = cover(span, lowered.span);
      }
      const close = token(call, 'RParen');
      if (close) span = cover(span, this.span(close, span.end));
      return { kind: 'CallExpr', span, callee, args };
    }
    const paren = token(node, 'LParen');
    if (paren) {
      let span = this.span(paren, fallback);
      const inner = this.expression(child(node, 'inner'), span.end);
      span = cover(span, inner.span);
      const close = token(node, 'RParen');
      if (close) span = cover(span, this.span(close, span.end));
      // No node for parentheses: the inner expression's span grows to include them.
      return { ...inner, span };
    }
    const open = token(node, 'open');
    if (open) {
      let span = this.span(open, fallback);
      const operand = this.expression(child(node, 'size'), span.end);
      span = cover(span, operand.span);
      const close = token(node, 'close');
      if (close) span = cover(span, this.span(close, span.end));
      return { kind: 'SizeExpr', span, operand };
    }
    const setLit = child(node, 'setLit');
    if (setLit) return this.literal(setLit, 'SetLit', 'LCurly', 'RCurly', fallback);
    const seqLit = child(node, 'seqLit');
    if (seqLit) return this.literal(seqLit, 'SeqLit', 'LBracket', 'RBracket', fallback);
    const cond = child(node, 'condExpr');
    if (cond) return this.condExpr(cond, fallback);
    const quant = child(node, 'quantExpr');
    if (quant) return this.quantExpr(quant, fallback);
    return { kind: 'MissingExpr', span: at(fallback) };
  }

  private intLiteral(tok: IToken, fallback: number): ast.IntLit {
    const span = this.span(tok, fallback);
    let value = Number(tok.image);
    if (!(value <= MAX_INT_LITERAL)) {
      this.diagnostics.push(
        diagnostic('FTP104', 'error', `the number ${abbreviate(tok.image)} is too large: the largest allowed is ${MAX_INT_LITERAL}`, span),
      );
      value = MAX_INT_LITERAL;
    }
    return { kind: 'IntLit', span, value };
  }

  private literal(
    node: CstNode,
    kind: 'SetLit' | 'SeqLit',
    openKey: string,
    closeKey: string,
    fallback: number,
  ): ast.SetLit | ast.SeqLit {
    const open = token(node, openKey);
    let span = open ? this.span(open, fallback) : at(fallback);
    const elements: ast.Expr[] = [];
    for (const element of childList(node, 'elements')) {
      const lowered = this.expression(element, span.end);
      elements.push(lowered);
      span = cover(span, lowered.span);
    }
    const close = token(node, closeKey);
    if (close) span = cover(span, this.span(close, span.end));
    return { kind, span, elements };
  }

  /** `count x in D [where c]`, inlined in an operand: `name` holds the `count` keyword. */
  private countExpr(node: CstNode, fallback: number): ast.CountExpr {
    const start = this.keywordSpan(node, 'name', fallback);
    const variable = this.ident(token(node, 'variable'), start.end);
    const inKeyword = this.optSpan(token(node, 'In'), variable.span.end);
    const domain = this.domain(child(node, 'domain'), inKeyword.end);
    let span = cover(start, domain.span);
    let condition: ast.Expr | null = null;
    const where = token(node, 'Where');
    if (where) {
      span = cover(span, this.span(where, span.end));
      condition = this.expression(child(node, 'where'), span.end);
      span = cover(span, condition.span);
    }
    return { kind: 'CountExpr', span, variable, domain, condition };
  }

  private condExpr(node: CstNode, fallback: number): ast.CondExpr {
    const start = this.keywordSpan(node, 'If', fallback);
    const condition = this.expression(child(node, 'condition'), start.end);
    const thenKeyword = this.optSpan(token(node, 'Then'), condition.span.end);
    const then = this.expression(child(node, 'then'), thenKeyword.end);
    const elseKeyword = this.optSpan(token(node, 'Else'), then.span.end);
    const otherwise = this.expression(child(node, 'else'), elseKeyword.end);
    return { kind: 'CondExpr', span: cover(start, otherwise.span), condition, then, else: otherwise };
  }

  private quantExpr(node: CstNode, fallback: number): ast.QuantExpr {
    const keyword = token(node, 'quantifier');
    const start = keyword ? this.span(keyword, fallback) : at(fallback);
    const variable = this.ident(token(node, 'variable'), start.end);
    const inKeyword = this.optSpan(token(node, 'In'), variable.span.end);
    const domain = this.domain(child(node, 'domain'), inKeyword.end);
    const colon = this.optSpan(token(node, 'Colon'), domain.span.end);
    const body = this.expression(child(node, 'body'), colon.end);
    return {
      kind: 'QuantExpr',
      span: cover(start, body.span),
      quantifier: keyword?.tokenType === t.Exists ? 'exists' : 'forall',
      variable,
      domain,
      body,
    };
  }

  // ---------------------------------------------------------------- helpers

  /** The span of a rule's leading keyword (always present unless recovery inserted nothing). */
  private keywordSpan(node: CstNode, key: string, fallback: number): Span {
    const tok = token(node, key);
    return tok ? this.span(tok, fallback) : at(fallback);
  }

  /** The span of an optional token, or a zero-width span at `fallback`. */
  private optSpan(tok: IToken | undefined, fallback: number): Span {
    return tok ? this.span(tok, fallback) : at(fallback);
  }
}

function isScriptedFault(item: ast.RunSetting | ast.ScriptedFault): item is ast.ScriptedFault {
  return (
    item.kind === 'ScriptedCrash' ||
    item.kind === 'ScriptedRecover' ||
    item.kind === 'ScriptedDrop' ||
    item.kind === 'ScriptedPartition' ||
    item.kind === 'ScriptedByzantine'
  );
}

function boundName(tok: IToken | undefined): ast.BoundSetting['setting'] {
  switch (tok?.tokenType) {
    case t.States:
      return 'states';
    case t.Runs:
      return 'runs';
    case t.Steps:
      return 'steps';
    case t.Seed:
      return 'seed';
    default:
      return 'depth';
  }
}

function abbreviate(digits: string): string {
  return digits.length > 20 ? `${digits.slice(0, 12)}…(${digits.length} digits)` : digits;
}
