import type * as ast from '../ast.js';
import { addReference, error, lookupLocal, recordRef, recordType, type Checker, type ExprContext, type Scope } from './context.js';
import { eventFieldType, eventNames, isEventName } from './events.js';
import type { RoleInfo, Type } from './model.js';
import { didYouMean } from './suggest.js';
import { errorType, intType, labelType, nodeType, setOf } from './types.js';

/**
 * Resolves a bare name in an expression. Inside a handler: locals (innermost
 * first) > the role's own state > `decided`/`decision`/`delivered` > params >
 * quorums > roles > enum labels. Elsewhere there is no "own" node, so state
 * names are FTP215; in constants only params (and quorums where allowed) are.
 */

/** The type of a role's name used as a value: its only node, or the set of its nodes. */
function roleValueType(role: RoleInfo): Type {
  return role.replicated ? setOf(nodeType(role.name)) : nodeType(role.name);
}

function* scopeNames(scope: Scope): Generator<string> {
  for (let s: Scope | null = scope; s !== null; s = s.parent) yield* s.locals.keys();
}

function visibleNames(c: Checker, ec: ExprContext): string[] {
  const names: string[] = [...scopeNames(ec.scope)];
  if (ec.mode === 'handler' && ec.role) {
    names.push(...ec.role.states.map((s) => s.name), ...eventNames);
  }
  names.push(...c.model.paramByName.keys());
  if (ec.mode !== 'const' || ec.allowQuorums) names.push(...c.model.quorumByName.keys());
  if (ec.mode !== 'const') names.push(...c.model.roleByName.keys(), ...c.model.labels);
  return names;
}

function notConstant(c: Checker, ec: ExprContext, expr: ast.NameExpr, what: string): void {
  error(c, 'FTP210', `${ec.place} must be a constant whole number; '${expr.name}' is ${what}`, expr.span);
}

export function resolveNameExpr(c: Checker, ec: ExprContext, expr: ast.NameExpr): Type {
  return recordType(c, expr, resolve(c, ec, expr));
}

function resolve(c: Checker, ec: ExprContext, expr: ast.NameExpr): Type {
  const name = expr.name;
  if (name === '') return errorType;

  const local = lookupLocal(ec.scope, name);
  if (local !== undefined) {
    recordRef(c, expr, { kind: 'local', name, decl: local.decl });
    addReference(c, local.definition, expr.span);
    return local.type;
  }

  if (ec.mode === 'handler' && ec.role) {
    const state = c.symbols.states.get(ec.role)?.get(name);
    if (state !== undefined) {
      recordRef(c, expr, { kind: 'state', role: ec.role.name, name });
      addReference(c, state.definition, expr.span);
      return state.info.type;
    }
    if (isEventName(name)) {
      recordRef(c, expr, { kind: 'event', name });
      return eventFieldType(c, ec.role.name, name, expr.span);
    }
  }

  const param = c.model.paramByName.get(name);
  if (param !== undefined) {
    recordRef(c, expr, { kind: 'param', name });
    addReference(c, c.symbols.globals.get(name), expr.span);
    if (ec.mode === 'const') {
      const position = c.symbols.paramOrder.get(name) ?? 0;
      if (position === ec.paramLimit) {
        error(c, 'FTP210', `param '${name}' cannot be defined in terms of itself`, expr.span);
        return errorType;
      }
      if (position > ec.paramLimit) {
        error(c, 'FTP210', `param '${name}' is declared later; a param may only use params declared before it`, expr.span);
        return errorType;
      }
    }
    return intType;
  }

  const quorum = c.model.quorumByName.get(name);
  if (quorum !== undefined) {
    recordRef(c, expr, { kind: 'quorum', name });
    addReference(c, c.symbols.globals.get(name), expr.span);
    if (ec.mode === 'const' && !ec.allowQuorums) {
      error(c, 'FTP210', `${ec.place} may only use params, not the quorum '${name}'`, expr.span);
      return errorType;
    }
    return intType;
  }

  const role = c.model.roleByName.get(name);
  if (role !== undefined) {
    recordRef(c, expr, { kind: 'role', name });
    addReference(c, c.symbols.globals.get(name), expr.span);
    if (ec.mode === 'const') {
      notConstant(c, ec, expr, 'a node role');
      return errorType;
    }
    return roleValueType(role);
  }

  if (c.model.labels.has(name)) {
    recordRef(c, expr, { kind: 'label', name });
    if (ec.mode === 'const') {
      notConstant(c, ec, expr, 'an enum label');
      return errorType;
    }
    return labelType(name);
  }

  const owners = c.symbols.stateOwners.get(name);
  if (owners !== undefined || isEventName(name)) {
    if (ec.mode === 'const') {
      notConstant(c, ec, expr, owners ? 'node state' : 'a built-in node field');
    } else if (ec.mode === 'handler') {
      // A state of another role: a node only sees its own state.
      error(c, 'FTP201', `'${name}' is not a state of ${ec.role?.name ?? 'this role'} (it belongs to ${owners?.join(', ')})`, expr.span);
    } else {
      const example = owners?.[0] ?? c.model.roles[0]?.name ?? 'Role';
      error(c, 'FTP215', `state of which node? ${ec.place} has no node of its own: write p.${name} inside forall p in ${example}`, expr.span);
    }
    return errorType;
  }

  const global = c.symbols.globals.get(name);
  if (global !== undefined) {
    addReference(c, global, expr.span);
    error(c, 'FTP215', `'${name}' is a ${global.kind}, not a value`, expr.span);
    return errorType;
  }

  error(c, 'FTP201', `unknown name '${name}'${didYouMean(name, visibleNames(c, ec))}`, expr.span);
  return errorType;
}

/**
 * The role a name denotes when it resolves to one (no local, state, built-in,
 * param or quorum of that name shadows it); null otherwise.
 */
export function asRoleName(c: Checker, ec: ExprContext, expr: ast.Expr): RoleInfo | null {
  if (expr.kind !== 'NameExpr' || ec.mode === 'const') return null;
  const name = expr.name;
  const role = c.model.roleByName.get(name);
  if (role === undefined || lookupLocal(ec.scope, name) !== undefined) return null;
  if (ec.mode === 'handler' && ec.role && (c.symbols.states.get(ec.role)?.has(name) || isEventName(name))) return null;
  if (c.model.paramByName.has(name) || c.model.quorumByName.has(name)) return null;
  return role;
}

/** Whether every name in `expr` is a param or quorum (not shadowed by a local or state). */
export function usesOnlyConstants(c: Checker, ec: ExprContext, expr: ast.Expr): boolean {
  switch (expr.kind) {
    case 'IntLit':
      return true;
    case 'NameExpr':
      if (lookupLocal(ec.scope, expr.name) !== undefined) return false;
      if (ec.mode === 'handler' && ec.role && c.symbols.states.get(ec.role)?.has(expr.name)) return false;
      return c.model.paramByName.has(expr.name) || c.model.quorumByName.has(expr.name);
    case 'UnaryExpr':
      return expr.op === '-' && usesOnlyConstants(c, ec, expr.operand);
    case 'BinaryExpr':
      return ['+', '-', '*', '/', '%'].includes(expr.op) && usesOnlyConstants(c, ec, expr.left) && usesOnlyConstants(c, ec, expr.right);
    default:
      return false;
  }
}
