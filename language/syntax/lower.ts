import type { CstNode } from 'chevrotain';
import type * as ast from '../ast.js';
import type { Span } from '../span.js';
import { at, child, childList, cover, token, tokenList } from './cst.js';
import { RunLowerer } from './lower-run.js';
import * as t from './tokens.js';

export { MAX_INT_LITERAL } from './lower-expr.js';

/**
 * CST -> AST. Every function accepts a CST that recovery left incomplete: a
 * missing child becomes a `Missing*` node, an empty name, an empty list or null,
 * placed (zero-width) right after the last piece that is present. A node's span
 * covers its own tokens and its children's spans, so children always nest.
 *
 * `parse.ts` lowers each declaration (and each node member) as it is parsed;
 * expressions and types live in `lower-expr.ts`, checks and scenarios in
 * `lower-run.ts`.
 */
export class Lowerer extends RunLowerer {
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
}
