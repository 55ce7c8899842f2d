import type * as ast from '../ast.js';
import { evalConst, findNonConstant } from './const-eval.js';
import { constContext, error, muted, type Checker } from './context.js';
import { checkExpr } from './expressions.js';
import { printExpr } from './print.js';
import { typeToString } from './types.js';

/**
 * Checks a constant whole-number expression (a param value, node count, range
 * bound, quorum size, budget or bound) and evaluates it with default params.
 * Returns NaN when it is not a valid constant (after reporting why).
 */
export interface ConstOptions {
  /** Params declared at this position or later may not be used (param values). */
  paramLimit?: number;
  /** Whether quorum names count as constants here. */
  allowQuorums?: boolean;
  /** The smallest valid value, reported as FTP210 below it. */
  min?: number;
}

/** The first `/` or `%` whose divisor is zero, even when the dividend is unknown. */
function divisionByZero(expr: ast.Expr, env: ReadonlyMap<string, number>): ast.Expr | null {
  if (expr.kind === 'UnaryExpr') return divisionByZero(expr.operand, env);
  if (expr.kind !== 'BinaryExpr') return null;
  if ((expr.op === '/' || expr.op === '%') && evalConst(expr.right, env) === 0) return expr;
  return divisionByZero(expr.left, env) ?? divisionByZero(expr.right, env);
}

export function checkConstInt(c: Checker, expr: ast.Expr, place: string, options: ConstOptions = {}): number {
  const ec = constContext(place, options.paramLimit ?? Infinity, options.allowQuorums ?? true);
  const offending = findNonConstant(expr);
  if (offending !== null) {
    const what = offending === expr ? printExpr(expr) : `'${printExpr(offending)}'`;
    error(c, 'FTP210', `${place} must be a constant whole number (numbers, params and + - * / %); ${what} is not`, offending.span);
    muted(c, () => checkExpr(c, ec, expr));
    return Number.NaN;
  }
  const before = c.diagnostics.length;
  const type = checkExpr(c, ec, expr);
  if (type.kind === 'error' || c.diagnostics.length !== before) return Number.NaN;
  if (type.kind !== 'int') {
    error(c, 'FTP208', `${place} must be a whole number, not ${typeToString(type)}`, expr.span);
    return Number.NaN;
  }
  const zero = divisionByZero(expr, c.env);
  if (zero !== null) {
    error(c, 'FTP210', `${place} divides by zero: ${printExpr(zero)}`, zero.span);
    return Number.NaN;
  }
  // NaN now means a name without a value, which was reported where that name is declared.
  const value = evalConst(expr, c.env);
  if (Number.isNaN(value)) return Number.NaN;
  if (options.min !== undefined && value < options.min) {
    const text = printExpr(expr);
    const shown = text === String(value) ? text : `${text} = ${value}`;
    error(c, 'FTP210', `${place} must be at least ${options.min}, but ${shown}`, expr.span);
    return Number.NaN;
  }
  return value;
}
