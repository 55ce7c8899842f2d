import type * as ast from '../ast.js';
import { evalConst } from './const-eval.js';
import { addReference, declareLocal, error, newScope, recordType, warn, type Checker, type ExprContext } from './context.js';
import { eventFieldType, eventNames, isEventName } from './events.js';
import type { Type } from './model.js';
import { asRoleName, resolveNameExpr, usesOnlyConstants } from './names.js';
import { checkBinary, checkCall, checkUnary } from './operators.js';
import { printCount, printExpr } from './print.js';
import { didYouMean } from './suggest.js';
import {
  boolType,
  errorType,
  intType,
  isAssignable,
  joinTypes,
  mismatchMessage,
  nodeType,
  seqOf,
  setOf,
  typeToString,
} from './types.js';

/**
 * Types every expression, records it in `model.types` (and names in `model.refs`),
 * and reports what does not fit. An expression that already has a diagnostic gets
 * the `error` type, which fits everywhere, so one mistake gives one diagnostic.
 * `expected` only steers empty literals (`{}` as a map, `[]` as a seq<T>).
 */
export function checkExpr(c: Checker, ec: ExprContext, expr: ast.Expr, expected?: Type): Type {
  return recordType(c, expr, typeOf(c, ec, expr, expected));
}

/** Checks that `expr` is a bool; `what` is the subject of the message ("a guard"). */
export function checkBool(c: Checker, ec: ExprContext, expr: ast.Expr, what: string): Type {
  const type = checkExpr(c, ec, expr, boolType);
  if (type.kind !== 'bool' && type.kind !== 'error') {
    error(c, 'FTP208', `${what} must be a bool, not ${typeToString(type)}`, expr.span);
  }
  return type;
}

/** Checks that `expr` is a whole number. */
export function checkInt(c: Checker, ec: ExprContext, expr: ast.Expr, what: string): Type {
  const type = checkExpr(c, ec, expr, intType);
  if (type.kind !== 'int' && type.kind !== 'error') {
    error(c, 'FTP208', `${what} must be a whole number, not ${typeToString(type)}`, expr.span);
  }
  return type;
}

/** Checks that `expr` fits where a value of `expected` goes; `what` prefixes the message. */
export function checkAssignable(c: Checker, ec: ExprContext, expr: ast.Expr, expected: Type, what: string): Type {
  const type = checkExpr(c, ec, expr, expected);
  if (!isAssignable(expected, type)) error(c, 'FTP208', `${what}: ${mismatchMessage(expected, type)}`, expr.span);
  return type;
}

/**
 * A domain of `forall`, `exists`, `count` or `choose`: a set, a role (its nodes)
 * or a range `lo..hi`. Returns the element type.
 */
export function checkDomain(c: Checker, ec: ExprContext, expr: ast.Expr): Type {
  if (expr.kind === 'RangeExpr') {
    checkInt(c, ec, expr.low, 'the low end of a range');
    checkInt(c, ec, expr.high, 'the high end of a range');
    const element: Type = { kind: 'int', range: { low: expr.low, high: expr.high } };
    recordType(c, expr, setOf(element));
    return element;
  }
  const role = asRoleName(c, ec, expr);
  if (role !== null && expr.kind === 'NameExpr') {
    resolveNameExpr(c, ec, expr);
    return nodeType(role.name);
  }
  const type = checkExpr(c, ec, expr);
  if (type.kind === 'set') return type.element;
  if (type.kind !== 'error') {
    error(c, 'FTP208', `a domain must be a set, a role or a range lo..hi, not ${typeToString(type)}`, expr.span);
  }
  return errorType;
}

function typeOf(c: Checker, ec: ExprContext, expr: ast.Expr, expected: Type | undefined): Type {
  switch (expr.kind) {
    case 'IntLit':
      return intType;
    case 'BoolLit':
      return boolType;
    case 'NameExpr':
      return resolveNameExpr(c, ec, expr);
    case 'SelfExpr':
      if (ec.mode === 'handler' && ec.role) return nodeType(ec.role.name);
      error(c, 'FTP215', `'self' is only defined inside a handler; ${ec.place} has no node of its own`, expr.span);
      return errorType;
    case 'FieldExpr':
      return checkField(c, ec, expr);
    case 'IndexExpr':
      return checkIndex(c, ec, expr);
    case 'CallExpr':
      return checkCall(c, ec, expr);
    case 'UnaryExpr':
      return checkUnary(c, ec, expr);
    case 'BinaryExpr':
      return checkBinary(c, ec, expr);
    case 'SetLit':
      return checkCollection(c, ec, expr, expected, 'set');
    case 'SeqLit':
      return checkCollection(c, ec, expr, expected, 'seq');
    case 'SizeExpr': {
      const role = asRoleName(c, ec, expr.operand);
      if (role !== null) {
        checkExpr(c, ec, expr.operand);
        return intType;
      }
      const type = checkExpr(c, ec, expr.operand);
      if (type.kind !== 'set' && type.kind !== 'map' && type.kind !== 'seq' && type.kind !== 'error') {
        error(c, 'FTP208', `|...| needs a set, map, sequence or role, not ${typeToString(type)}`, expr.operand.span);
      }
      return intType;
    }
    case 'QuantExpr':
    case 'CountExpr': {
      const element = checkDomain(c, ec, expr.domain);
      const scope = newScope(ec.scope);
      declareLocal(c, scope, expr.variable, element, `${expr.kind === 'CountExpr' ? 'count' : expr.quantifier} variable`, ec.role?.name ?? null);
      const inner: ExprContext = { ...ec, scope };
      if (expr.kind === 'QuantExpr') {
        checkBool(c, inner, expr.body, `the body of ${expr.quantifier}`);
        return boolType;
      }
      if (expr.condition) checkBool(c, inner, expr.condition, 'the condition of count');
      return intType;
    }
    case 'CondExpr': {
      checkBool(c, ec, expr.condition, 'the condition of if/then/else');
      const thenType = checkExpr(c, ec, expr.then, expected);
      const elseType = checkExpr(c, ec, expr.else, expected ?? thenType);
      const joined = joinTypes(thenType, elseType);
      if (joined === null) {
        error(c, 'FTP208', `the branches of if/then/else differ: ${typeToString(thenType)} and ${typeToString(elseType)}`, expr.else.span);
        return thenType;
      }
      return joined;
    }
    case 'RangeExpr':
      checkInt(c, ec, expr.low, 'the low end of a range');
      checkInt(c, ec, expr.high, 'the high end of a range');
      error(c, 'FTP215', `a range lo..hi is only a domain (choose v in 0..3, forall r in 1..N); use a set here`, expr.span);
      return errorType;
    case 'MissingExpr':
      return errorType;
  }
}

function checkCollection(c: Checker, ec: ExprContext, expr: ast.SetLit | ast.SeqLit, expected: Type | undefined, kind: 'set' | 'seq'): Type {
  const make = kind === 'set' ? setOf : seqOf;
  if (expr.elements.length === 0) {
    if (expected && (expected.kind === kind || (kind === 'set' && expected.kind === 'map'))) return expected;
    return make(errorType);
  }
  const hint = expected && expected.kind === kind ? expected.element : undefined;
  let element: Type = errorType;
  for (const item of expr.elements) {
    const type = checkExpr(c, ec, item, hint ?? (element.kind === 'error' ? undefined : element));
    const joined = joinTypes(element, type);
    if (joined === null) {
      error(c, 'FTP208', `the elements of a ${kind} must have one type: ${typeToString(type)} does not go with ${typeToString(element)}`, item.span);
    } else {
      element = joined;
    }
  }
  return make(element);
}

function checkField(c: Checker, ec: ExprContext, expr: ast.FieldExpr): Type {
  const target = checkExpr(c, ec, expr.target);
  const name = expr.field.name;
  if (target.kind === 'error' || name === '') return errorType;
  if (target.kind !== 'node') {
    const role = asRoleName(c, ec, expr.target);
    const hint = role ? `; ${role.name} is a set of nodes: name one, like ${role.name}[1]` : '';
    error(c, 'FTP208', `only a node id has state; ${printExpr(expr.target)} is a ${typeToString(target)}${hint}`, expr.target.span);
    return errorType;
  }
  if (ec.mode === 'handler' && expr.target.kind !== 'SelfExpr') {
    // Handlers model real nodes: another node's state is only known through messages.
    error(c, 'FTP215', `a node cannot read another node's state (${printExpr(expr)}); send it in a message`, expr.span);
  }
  const role = target.role === null ? undefined : c.model.roleByName.get(target.role);
  if (role !== undefined) {
    const state = c.symbols.states.get(role)?.get(name);
    if (state !== undefined) {
      addReference(c, state.definition, expr.field.span);
      return state.info.type;
    }
    if (isEventName(name)) return eventFieldType(c, role.name, name, expr.field.span);
    const candidates = [...(c.symbols.states.get(role)?.keys() ?? []), ...eventNames];
    error(c, 'FTP204', `${role.name} has no state '${name}'${didYouMean(name, candidates)}`, expr.field.span);
    return errorType;
  }
  if (isEventName(name)) return eventFieldType(c, null, name, expr.field.span);
  error(c, 'FTP204', `${printExpr(expr.target)} may be a node of any role, so only decided, decision and delivered can be read, not '${name}'`, expr.field.span);
  return errorType;
}

function checkIndex(c: Checker, ec: ExprContext, expr: ast.IndexExpr): Type {
  const role = asRoleName(c, ec, expr.target);
  if (role !== null) {
    checkExpr(c, ec, expr.target);
    checkInt(c, ec, expr.index, 'a node number');
    if (!role.replicated) {
      error(c, 'FTP208', `${role.name} is a single node: write ${role.name}, not ${role.name}[...]`, expr.span);
      return nodeType(role.name);
    }
    if (usesOnlyConstants(c, ec, expr.index)) {
      const value = evalConst(expr.index, c.env);
      if (value < 1) {
        // A literal is wrong under every override; an expression over params may be fixed by `with`.
        const severity = expr.index.kind === 'IntLit' ? error : warn;
        severity(c, ec.indexCode, `node numbers start at 1: ${role.name}[${printExpr(expr.index)}] does not exist`, expr.index.span);
      } else if (value > role.count) {
        warn(c, ec.indexCode, `${role.name}[${value}] is out of range: ${role.name} has ${printCount(role.decl.count, role.count)}`, expr.index.span);
      }
    }
    return nodeType(role.name);
  }
  const target = checkExpr(c, ec, expr.target);
  switch (target.kind) {
    case 'map':
      checkAssignable(c, ec, expr.index, target.key, 'a map key');
      return target.value;
    case 'seq':
      checkInt(c, ec, expr.index, 'a sequence position');
      return target.element;
    case 'error':
      checkExpr(c, ec, expr.index);
      return errorType;
    default:
      checkExpr(c, ec, expr.index);
      error(c, 'FTP208', `only maps, sequences and replicated roles can be indexed; ${printExpr(expr.target)} is a ${typeToString(target)}`, expr.target.span);
      return errorType;
  }
}
