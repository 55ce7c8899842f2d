import type { CstNode, IToken, TokenType } from 'chevrotain';
import type * as ast from '../ast.js';
import { diagnostic } from '../diagnostic.js';
import { at, child, childList, cover, LowerBase, token, tokenList } from './cst.js';
import * as t from './tokens.js';

/**
 * CST -> AST for expressions and types. The grammar parses binary operators as
 * flat chains; precedence climbing here builds the tree.
 */

/** The largest integer literal: values must fit the engine's 32-bit state slots. */
export const MAX_INT_LITERAL = 2147483647;

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
  operands: readonly CstNode[];
  ops: readonly IToken[];
  /** The operand being read. */
  index: number;
  /** How many of its prefix operators are already applied. */
  prefix: number;
  /** The end of the last piece read: where a missing operand goes. */
  end: number;
}

export class ExprLowerer extends LowerBase {
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

  /** A full expression chain. */
  expression(node: CstNode | undefined, fallback: number): ast.Expr {
    return this.chain(node, fallback);
  }

  /** An arithmetic chain (same CST shape as an expression). */
  arith(node: CstNode | undefined, fallback: number): ast.Expr {
    return this.chain(node, fallback);
  }

  protected domain(node: CstNode | undefined, fallback: number): ast.Expr {
    if (node === undefined) return { kind: 'MissingExpr', span: at(fallback) };
    const low = this.arith(child(node, 'low'), fallback);
    const dots = token(node, 'DotDot');
    if (!dots) return low;
    const dotsSpan = this.span(dots, low.span.end);
    const high = this.arith(child(node, 'high'), dotsSpan.end);
    return { kind: 'RangeExpr', span: cover(cover(low.span, dotsSpan), high.span), low, high };
  }

  protected chain(node: CstNode | undefined, fallback: number): ast.Expr {
    if (node === undefined) return { kind: 'MissingExpr', span: at(fallback) };
    const operands = childList(node, 'operands');
    if (operands.length === 0) return { kind: 'MissingExpr', span: at(fallback) };
    const state: Chain = { operands, ops: tokenList(node, 'ops'), index: 0, prefix: 0, end: fallback };
    return this.climb(state, 0);
  }

  /** Precedence climbing over the flat operand/operator lists of a chain. */
  protected climb(chain: Chain, minPrecedence: number): ast.Expr {
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
  protected prefixed(chain: Chain): ast.Expr {
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
  protected postfixed(operand: CstNode, fallback: number): ast.Expr {
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
  protected primary(node: CstNode, fallback: number): ast.Expr {
    // Names first: they are most of the primaries.
    const name = token(node, 'name');
    if (name) {
      if (node.children['variable']) return this.countExpr(node, fallback);
      const call = child(node, 'call');
      if (!call) return { kind: 'NameExpr', span: this.span(name, fallback), name: name.image };
      const callee = this.ident(name, fallback);
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
    const literal = token(node, 'IntLiteral');
    if (literal) return this.intLiteral(literal, fallback);
    const constant = token(node, 'True') ?? token(node, 'False');
    if (constant) return { kind: 'BoolLit', span: this.span(constant, fallback), value: constant.tokenType === t.True };
    const self = token(node, 'Self');
    if (self) return { kind: 'SelfExpr', span: this.span(self, fallback) };
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

  protected intLiteral(tok: IToken, fallback: number): ast.IntLit {
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

  protected literal(
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
  protected countExpr(node: CstNode, fallback: number): ast.CountExpr {
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

  protected condExpr(node: CstNode, fallback: number): ast.CondExpr {
    const start = this.keywordSpan(node, 'If', fallback);
    const condition = this.expression(child(node, 'condition'), start.end);
    const thenKeyword = this.optSpan(token(node, 'Then'), condition.span.end);
    const then = this.expression(child(node, 'then'), thenKeyword.end);
    const elseKeyword = this.optSpan(token(node, 'Else'), then.span.end);
    const otherwise = this.expression(child(node, 'else'), elseKeyword.end);
    return { kind: 'CondExpr', span: cover(start, otherwise.span), condition, then, else: otherwise };
  }

  protected quantExpr(node: CstNode, fallback: number): ast.QuantExpr {
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
}

function abbreviate(digits: string): string {
  return digits.length > 20 ? `${digits.slice(0, 12)}…(${digits.length} digits)` : digits;
}
