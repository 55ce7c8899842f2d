import type { CstNode, IToken } from 'chevrotain';
import type * as ast from '../ast.js';
import { diagnostic } from '../diagnostic.js';
import type { Span } from '../span.js';
import { at, child, childList, cover, token, tokenList } from './cst.js';
import { ExprLowerer } from './lower-expr.js';
import * as t from './tokens.js';

/** CST -> AST for `check` and `scenario` declarations: settings, budgets, scripted faults. */
export class RunLowerer extends ExprLowerer {
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
