import type * as ast from '../ast.js';
import type { CheckedModel, RoleInfo } from './model.js';

/**
 * Constant whole-number expressions: param values, node counts, range bounds,
 * quorum sizes, budgets and bounds. The checker guarantees (for a file without
 * errors) that these only use numbers, `+ - * / %`, unary `-`, params and, where
 * allowed, quorum names; the engine re-evaluates them under a check's `with`
 * overrides with `blockEnv` + `evalConst`.
 */

/** Values of params (and quorum sizes) by name: a Map, or anything with its `get`. */
export type ConstEnv = Pick<ReadonlyMap<string, number>, 'get'>;

/** Evaluates a constant; NaN when it uses an unknown name, divides by zero or is not constant. */
export function evalConst(expr: ast.Expr, env: ConstEnv): number {
  switch (expr.kind) {
    case 'IntLit':
      return expr.value;
    case 'NameExpr':
      return env.get(expr.name) ?? Number.NaN;
    case 'UnaryExpr':
      return expr.op === '-' ? -evalConst(expr.operand, env) : Number.NaN;
    case 'BinaryExpr': {
      const left = evalConst(expr.left, env);
      const right = evalConst(expr.right, env);
      switch (expr.op) {
        case '+':
          return left + right;
        case '-':
          return left - right;
        case '*':
          return left * right;
        case '/':
          return right === 0 ? Number.NaN : Math.trunc(left / right);
        case '%':
          return right === 0 ? Number.NaN : left % right;
        default:
          return Number.NaN;
      }
    }
    default:
      return Number.NaN;
  }
}

/** The first sub-expression that is not allowed in a constant, or null. */
export function findNonConstant(expr: ast.Expr): ast.Expr | null {
  switch (expr.kind) {
    case 'IntLit':
    case 'NameExpr':
    case 'MissingExpr':
      return null;
    case 'UnaryExpr':
      return expr.op === '-' ? findNonConstant(expr.operand) : expr;
    case 'BinaryExpr':
      if (expr.op === '+' || expr.op === '-' || expr.op === '*' || expr.op === '/' || expr.op === '%') {
        return findNonConstant(expr.left) ?? findNonConstant(expr.right);
      }
      return expr;
    default:
      return expr;
  }
}

/**
 * Param values in declaration order, each computed from the ones before it unless
 * overridden, followed by quorum sizes. With no overrides this is the default env.
 */
export function paramEnv(model: CheckedModel, overrides: ConstEnv = new Map()): Map<string, number> {
  const env = paramValues(model, overrides);
  for (const quorum of model.quorums) {
    if (!env.has(quorum.name)) env.set(quorum.name, evalConst(quorum.decl.size, env));
  }
  return env;
}

/** Param values only (no quorum sizes), each computed from the ones before it unless overridden. */
export function paramValues(model: CheckedModel, overrides: ConstEnv = new Map()): Map<string, number> {
  const env = new Map<string, number>();
  for (const param of model.params) {
    const override = overrides.get(param.name);
    env.set(param.name, override ?? evalConst(param.decl.value, env));
  }
  return env;
}

/**
 * Params under overrides, with quorum sizes computed only when asked for: what the
 * checker's lints use, so a file with many checks and many quorums stays linear.
 */
export function lazyEnv(model: CheckedModel, overrides: ConstEnv = new Map()): ConstEnv {
  const params = paramValues(model, overrides);
  const quorums = new Map<string, number>();
  return {
    get(name: string): number | undefined {
      const value = params.get(name);
      if (value !== undefined) return value;
      const quorum = model.quorumByName.get(name);
      if (quorum === undefined) return undefined;
      let size = quorums.get(name);
      if (size === undefined) {
        size = evalConst(quorum.decl.size, params);
        quorums.set(name, size);
      }
      return size;
    },
  };
}

/**
 * The `with` overrides of a check or scenario, applied in order: each value is
 * evaluated in the env that the overrides before it produced.
 */
export function blockOverrides(model: CheckedModel, block: ast.ScenarioDecl | ast.CheckDecl): Map<string, number> {
  const overrides = new Map<string, number>();
  let env: ConstEnv | null = null;
  for (const item of block.items) {
    if (item.kind !== 'ParamOverride' || !model.paramByName.has(item.name.name)) continue;
    env ??= paramValues(model);
    overrides.set(item.name.name, evalConst(item.value, env));
    env = paramValues(model, overrides);
  }
  return overrides;
}

/** The env of a check or scenario: params and quorum sizes under its `with` overrides. */
export function blockEnv(model: CheckedModel, block: ast.ScenarioDecl | ast.CheckDecl): Map<string, number> {
  return paramEnv(model, blockOverrides(model, block));
}

/** How many nodes a role has in an env: 1 for a single node, else its `[count]`. */
export function roleCount(role: RoleInfo, env: ConstEnv): number {
  return role.decl.count === null ? 1 : evalConst(role.decl.count, env);
}
