import type * as ast from '../ast.js';
import { error, type Checker, type ExprContext } from './context.js';
import { checkBool, checkDomain, checkExpr, checkInt } from './expressions.js';
import type { Type } from './model.js';
import { asRoleName } from './names.js';
import { didYouMean } from './suggest.js';
import { boolType, errorType, incomparable, intType, joinTypes, nodeType, setOf, typeToString } from './types.js';

/** Unary and binary operators, and the built-in functions. */

export function checkUnary(c: Checker, ec: ExprContext, expr: ast.UnaryExpr): Type {
  if (expr.op === 'not') {
    checkBool(c, ec, expr.operand, "the operand of 'not'");
    return boolType;
  }
  checkInt(c, ec, expr.operand, "the operand of '-'");
  return intType;
}

function isEmptyLiteral(expr: ast.Expr): boolean {
  return (expr.kind === 'SetLit' || expr.kind === 'SeqLit') && expr.elements.length === 0;
}

/** Types both operands; an empty literal takes its type from the other side. */
function checkPair(c: Checker, ec: ExprContext, expr: ast.BinaryExpr): [Type, Type] {
  if (isEmptyLiteral(expr.left) && !isEmptyLiteral(expr.right)) {
    const right = checkExpr(c, ec, expr.right);
    return [checkExpr(c, ec, expr.left, right), right];
  }
  const left = checkExpr(c, ec, expr.left);
  return [left, checkExpr(c, ec, expr.right, left)];
}

function isLabelLiteral(type: Type): boolean {
  return type.kind === 'enum' && type.labels.length === 1;
}

/** Reports an impossible `==`, at the label literal when one side is one. */
function checkComparable(c: Checker, left: Type, right: Type, leftExpr: ast.Expr, rightExpr: ast.Expr, whole: ast.Expr): void {
  const problem = incomparable(left, right);
  if (problem === null) return;
  const span = isLabelLiteral(right) ? rightExpr.span : isLabelLiteral(left) ? leftExpr.span : whole.span;
  error(c, 'FTP208', problem, span);
}

export function checkBinary(c: Checker, ec: ExprContext, expr: ast.BinaryExpr): Type {
  switch (expr.op) {
    case 'and':
    case 'or':
    case 'implies':
      checkBool(c, ec, expr.left, `the left side of '${expr.op}'`);
      checkBool(c, ec, expr.right, `the right side of '${expr.op}'`);
      return boolType;
    case '==':
    case '!=': {
      const [left, right] = checkPair(c, ec, expr);
      checkComparable(c, left, right, expr.left, expr.right, expr);
      return boolType;
    }
    case '<':
    case '<=':
    case '>':
    case '>=':
      checkOrdered(c, ec, expr.left, expr.op);
      checkOrdered(c, ec, expr.right, expr.op);
      return boolType;
    case 'in':
    case 'not in':
      checkMembership(c, ec, expr);
      return boolType;
    case '+':
    case '-':
      return checkPlusMinus(c, ec, expr);
    case '*':
    case '/':
    case '%':
      checkArithmetic(c, ec, expr.left, expr.op);
      checkArithmetic(c, ec, expr.right, expr.op);
      return intType;
    case 'union':
    case 'intersect':
    case 'minus':
      return checkSetOperation(c, ec, expr);
  }
}

function checkOrdered(c: Checker, ec: ExprContext, operand: ast.Expr, op: string): void {
  const type = checkExpr(c, ec, operand);
  if (type.kind === 'int' || type.kind === 'error') return;
  const hint = type.kind === 'node' ? '; compare index(p) to order node ids' : '';
  error(c, 'FTP208', `'${op}' compares whole numbers, not ${typeToString(type)}${hint}`, operand.span);
}

/**
 * `+` and `-` add and subtract numbers; on sets they are `union` and `minus`, and
 * `+` concatenates sequences. The result type in `types` tells the engine which.
 */
function checkPlusMinus(c: Checker, ec: ExprContext, expr: ast.BinaryExpr): Type {
  const [left, right] = checkPair(c, ec, expr);
  const collection = left.kind === 'set' || left.kind === 'seq' ? left : right.kind === 'set' || right.kind === 'seq' ? right : null;
  if (collection === null) {
    reportNotNumber(c, left, expr.left, expr.op);
    reportNotNumber(c, right, expr.right, expr.op);
    return intType;
  }
  if (collection.kind === 'seq' && expr.op === '-') {
    error(c, 'FTP208', `'-' cannot remove from a sequence (${typeToString(collection)})`, expr.span);
    return errorType;
  }
  const joined = joinTypes(left, right);
  if (joined === null || (joined.kind !== 'set' && joined.kind !== 'seq')) {
    error(c, 'FTP208', `'${expr.op}' needs two ${collection.kind === 'set' ? 'sets' : 'sequences'} of one type, not ${typeToString(left)} and ${typeToString(right)}`, expr.span);
    return collection;
  }
  return expr.op === '-' ? (left.kind === 'error' ? joined : left) : joined;
}

function reportNotNumber(c: Checker, type: Type, operand: ast.Expr, op: string): void {
  if (type.kind === 'int' || type.kind === 'error') return;
  error(c, 'FTP208', `'${op}' needs whole numbers, not ${typeToString(type)}`, operand.span);
}

function checkArithmetic(c: Checker, ec: ExprContext, operand: ast.Expr, op: string): void {
  reportNotNumber(c, checkExpr(c, ec, operand), operand, op);
}

/** The type of a set operand: a role name counts as the set of its nodes. */
function checkSetOperand(c: Checker, ec: ExprContext, operand: ast.Expr, expected: Type | undefined, op: string): Type {
  const role = asRoleName(c, ec, operand);
  const type = checkExpr(c, ec, operand, expected);
  if (role !== null) return setOf(nodeType(role.name));
  if (type.kind === 'set' || type.kind === 'error') return type;
  const hint = type.kind === 'node' ? `; write {${operand.kind === 'NameExpr' ? operand.name : '...'}} for a set of one node` : '';
  error(c, 'FTP208', `'${op}' needs sets, not ${typeToString(type)}${hint}`, operand.span);
  return errorType;
}

function checkSetOperation(c: Checker, ec: ExprContext, expr: ast.BinaryExpr): Type {
  let left: Type;
  let right: Type;
  if (isEmptyLiteral(expr.left) && !isEmptyLiteral(expr.right)) {
    right = checkSetOperand(c, ec, expr.right, undefined, expr.op);
    left = checkSetOperand(c, ec, expr.left, right, expr.op);
  } else {
    left = checkSetOperand(c, ec, expr.left, undefined, expr.op);
    right = checkSetOperand(c, ec, expr.right, left, expr.op);
  }
  if (left.kind === 'error') return right.kind === 'error' ? errorType : right;
  if (right.kind === 'error') return left;
  const joined = joinTypes(left, right);
  if (joined === null) {
    error(c, 'FTP208', `'${expr.op}' of sets of different types: ${typeToString(left)} and ${typeToString(right)}`, expr.span);
    return left;
  }
  return expr.op === 'minus' ? left : joined;
}

function checkMembership(c: Checker, ec: ExprContext, expr: ast.BinaryExpr): void {
  const role = asRoleName(c, ec, expr.right);
  let element: Type;
  if (expr.right.kind === 'RangeExpr') {
    element = checkDomain(c, ec, expr.right);
  } else if (role !== null) {
    checkExpr(c, ec, expr.right);
    element = nodeType(role.name);
  } else if (expr.right.kind === 'SetLit' && expr.right.elements.length > 0) {
    // Compare with each element, so a wrong label is reported where it is written.
    const left = checkExpr(c, ec, expr.left);
    const set = checkExpr(c, ec, expr.right, left.kind === 'error' ? undefined : setOf(left));
    if (set.kind === 'set') {
      for (const item of expr.right.elements) {
        const itemType = c.model.types.get(item) ?? errorType;
        checkComparable(c, left, itemType, expr.left, item, expr);
      }
    }
    return;
  } else {
    const right = checkExpr(c, ec, expr.right);
    if (right.kind === 'set' || right.kind === 'seq') element = right.element;
    else {
      if (right.kind !== 'error') {
        error(c, 'FTP208', `'${expr.op}' needs a set, a sequence or a role on its right, not ${typeToString(right)}`, expr.right.span);
      }
      checkExpr(c, ec, expr.left);
      return;
    }
  }
  const left = checkExpr(c, ec, expr.left, element);
  checkComparable(c, left, element, expr.left, expr.right, expr);
}

const builtins: Record<string, { arity: number; observes?: boolean }> = {
  min: { arity: 1 },
  max: { arity: 1 },
  index: { arity: 1 },
  crashed: { arity: 1, observes: true },
  correct: { arity: 1, observes: true },
  byzantine: { arity: 1, observes: true },
};

export function checkCall(c: Checker, ec: ExprContext, expr: ast.CallExpr): Type {
  const name = expr.callee.name;
  const builtin = Object.hasOwn(builtins, name) ? builtins[name] : undefined;
  if (builtin === undefined) {
    if (name !== '') error(c, 'FTP201', `unknown function '${name}'${didYouMean(name, Object.keys(builtins))}`, expr.callee.span);
    for (const arg of expr.args) checkExpr(c, ec, arg);
    return errorType;
  }
  if (builtin.observes && ec.mode === 'handler') {
    error(c, 'FTP215', `${name}(...) is an observer's view, for properties and scenarios; a node learns of failures only through messages and timeouts`, expr.span);
  }
  if (expr.args.length !== builtin.arity) {
    error(c, 'FTP207', `${name} takes ${builtin.arity} argument, ${expr.args.length} given`, expr.span);
    for (const arg of expr.args) checkExpr(c, ec, arg);
    return name === 'min' || name === 'max' || name === 'index' ? intType : boolType;
  }
  const arg = expr.args[0]!;
  if (name === 'min' || name === 'max') {
    const type = checkExpr(c, ec, arg);
    const ok = type.kind === 'error' || (type.kind === 'set' && (type.element.kind === 'int' || type.element.kind === 'error'));
    if (!ok) error(c, 'FTP208', `${name} needs a set of whole numbers, not ${typeToString(type)}`, arg.span);
    return intType;
  }
  const type = checkExpr(c, ec, arg);
  if (type.kind !== 'node' && type.kind !== 'error') {
    error(c, 'FTP208', `${name} needs a node id, not ${typeToString(type)}`, arg.span);
  }
  return name === 'index' ? intType : boolType;
}
