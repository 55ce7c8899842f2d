import type * as ast from '../ast.js';
import {
  addReference,
  declareLocal,
  error,
  handlerContext,
  lookupLocal,
  newScope,
  recordRef,
  type Checker,
  type EventTypes,
  type ExprContext,
  type Scope,
} from './context.js';
import { recordEvent, isEventName, eventNames } from './events.js';
import { checkAssignable, checkBool, checkDomain, checkExpr, checkInt } from './expressions.js';
import { checkMessageArgs } from './message-args.js';
import type { RoleInfo, Type } from './model.js';
import { asRoleName } from './names.js';
import { didYouMean } from './suggest.js';
import { errorType, mismatchMessage, isAssignable, targetRole, typeToString } from './types.js';

/** Handler bodies: statements, block scopes, assignments, sends, timers and events. */

export interface BodyContext {
  role: RoleInfo;
  events: EventTypes;
}

export function checkBlock(c: Checker, bc: BodyContext, block: ast.Block, parent: Scope): void {
  const ec = handlerContext(bc.role, newScope(parent));
  for (const stmt of block.stmts) checkStmt(c, bc, ec, stmt);
}

function checkStmt(c: Checker, bc: BodyContext, ec: ExprContext, stmt: ast.Stmt): void {
  switch (stmt.kind) {
    case 'AssignStmt':
      checkAssign(c, ec, stmt);
      return;
    case 'LetStmt': {
      const type = checkExpr(c, ec, stmt.value);
      declareLocal(c, ec.scope, stmt.name, type, 'let binding', bc.role.name);
      return;
    }
    case 'IfStmt':
      checkBool(c, ec, stmt.condition, 'the condition of if');
      checkBlock(c, bc, stmt.then, ec.scope);
      if (stmt.else) checkBlock(c, bc, stmt.else, ec.scope);
      return;
    case 'SendStmt':
    case 'BroadcastStmt':
      checkSend(c, bc, ec, stmt);
      return;
    case 'SetTimerStmt': {
      const definition = c.symbols.timers.get(bc.role)?.get(stmt.timer.name);
      // The first `set timer` is the definition; later ones are uses.
      if (definition !== undefined && definition.nameSpan !== stmt.timer.span) addReference(c, definition, stmt.timer.span);
      checkInt(c, ec, stmt.after, 'a timer delay');
      return;
    }
    case 'CancelTimerStmt':
      checkTimerUse(c, bc.role, stmt.timer, 'cancel');
      return;
    case 'ChooseStmt':
      for (const branch of stmt.branches) checkBlock(c, bc, branch, ec.scope);
      return;
    case 'ChooseValueStmt': {
      const element = checkDomain(c, ec, stmt.domain);
      const scope = newScope(ec.scope);
      declareLocal(c, scope, stmt.name, element, 'choose variable', bc.role.name);
      checkBlock(c, bc, stmt.body, scope);
      return;
    }
    case 'DecideStmt':
    case 'DeliverStmt': {
      const type = checkExpr(c, ec, stmt.value);
      recordEvent(c, bc.events, stmt.kind === 'DecideStmt' ? 'decide' : 'deliver', bc.role.name, type, stmt.value.span);
      return;
    }
  }
}

/** A timer named by `cancel timer` or `on timeout` must be set somewhere in the role. */
export function checkTimerUse(c: Checker, role: RoleInfo, timer: ast.Ident, use: 'cancel' | 'timeout'): boolean {
  if (timer.name === '') return false;
  const definition = c.symbols.timers.get(role)?.get(timer.name);
  if (definition !== undefined) {
    addReference(c, definition, timer.span);
    return true;
  }
  const hint = didYouMean(timer.name, c.symbols.timers.get(role)?.keys() ?? []);
  const effect = use === 'timeout' ? 'so this handler never runs' : 'so there is nothing to cancel';
  error(c, 'FTP205', `${role.name} never sets timer '${timer.name}' (no 'set timer ${timer.name}'), ${effect}${hint}`, timer.span);
  return false;
}

function checkSend(c: Checker, bc: BodyContext, ec: ExprContext, stmt: ast.SendStmt | ast.BroadcastStmt): void {
  const message = checkMessageArgs(c, ec, stmt.message, stmt.args);
  const role = asRoleName(c, ec, stmt.to);
  const to = checkExpr(c, ec, stmt.to);
  const before = c.diagnostics.length;
  if (stmt.kind === 'SendStmt') {
    if (to.kind !== 'node' && to.kind !== 'error') {
      const hint = to.kind === 'set' ? '; use broadcast to send to a set' : '';
      error(c, 'FTP208', `send needs one node id, not ${typeToString(to)}${hint}`, stmt.to.span);
    }
  } else if (role === null && to.kind !== 'error' && !(to.kind === 'set' && (to.element.kind === 'node' || to.element.kind === 'error'))) {
    const hint = to.kind === 'node' ? '; use send for one node' : '';
    error(c, 'FTP208', `broadcast needs a role or a set of node ids, not ${typeToString(to)}${hint}`, stmt.to.span);
  }
  // A send whose target is wrong is reported once, not again by the lints.
  if (c.dry === 0 && message !== null && c.diagnostics.length === before) {
    c.facts.sends.push({ role: bc.role.name, message: message.name, stmt, targetRole: role?.name ?? targetRole(to) });
  }
}

function checkAssign(c: Checker, ec: ExprContext, stmt: ast.AssignStmt): void {
  let type = resolveTarget(c, ec, stmt);
  for (const index of stmt.indices) {
    if (type.kind === 'map') {
      checkAssignable(c, ec, index, type.key, 'a map key');
      type = type.value;
    } else if (type.kind === 'seq') {
      checkInt(c, ec, index, 'a sequence position');
      type = type.element;
    } else {
      checkExpr(c, ec, index);
      if (type.kind !== 'error') {
        error(c, 'FTP208', `only maps and sequences can be indexed; '${stmt.target.name}' is a ${typeToString(type)} here`, index.span);
      }
      type = errorType;
    }
  }
  if (stmt.op === '=') {
    checkAssignable(c, ec, stmt.value, type, `cannot assign to '${stmt.target.name}'`);
    return;
  }
  checkCompound(c, ec, stmt, type);
}

/** `s += e`, `s -= e`: a set element, a sequence element (only +=), or a number. */
function checkCompound(c: Checker, ec: ExprContext, stmt: ast.AssignStmt, type: Type): void {
  const op = stmt.op;
  switch (type.kind) {
    case 'set':
      checkElement(c, ec, stmt, type.element, type, op === '+=' ? 'add to' : 'remove from');
      return;
    case 'seq':
      if (op === '-=') {
        checkExpr(c, ec, stmt.value, type.element);
        error(c, 'FTP208', `a sequence only grows: '-=' is not allowed on ${typeToString(type)}`, stmt.span);
        return;
      }
      checkElement(c, ec, stmt, type.element, type, 'append to');
      return;
    case 'int':
      checkInt(c, ec, stmt.value, `the right side of '${op}'`);
      return;
    case 'error':
      checkExpr(c, ec, stmt.value);
      return;
    default:
      checkExpr(c, ec, stmt.value);
      error(c, 'FTP208', `'${op}' works on sets, sequences and whole numbers; '${stmt.target.name}' is a ${typeToString(type)}`, stmt.span);
  }
}

function checkElement(c: Checker, ec: ExprContext, stmt: ast.AssignStmt, element: Type, collection: Type, verb: string): void {
  const value = checkExpr(c, ec, stmt.value, element);
  if (isAssignable(element, value)) return;
  const hint = value.kind === collection.kind ? `; to ${verb} several, write ${stmt.target.name} = ${stmt.target.name} ${stmt.op === '+=' ? 'union' : 'minus'} ...` : '';
  error(c, 'FTP208', `cannot ${verb} ${typeToString(collection)}: ${mismatchMessage(element, value)}${hint}`, stmt.value.span);
}

/** What an assignment target is; only the role's own state may be assigned. */
function resolveTarget(c: Checker, ec: ExprContext, stmt: ast.AssignStmt): Type {
  const ident = stmt.target;
  const name = ident.name;
  if (name === '') return errorType;
  const local = lookupLocal(ec.scope, name);
  if (local !== undefined) {
    recordRef(c, stmt, { kind: 'local', name, decl: local.decl });
    addReference(c, local.definition, ident.span);
    error(c, 'FTP209', `cannot assign to '${name}': it is a ${local.what}, not a state variable`, ident.span);
    return local.type;
  }
  const role = ec.role!;
  const state = c.symbols.states.get(role)?.get(name);
  if (state !== undefined) {
    recordRef(c, stmt, { kind: 'state', role: role.name, name });
    addReference(c, state.definition, ident.span);
    return state.info.type;
  }
  if (isEventName(name)) {
    recordRef(c, stmt, { kind: 'event', name });
    const how = name === 'delivered' ? 'deliver' : 'decide';
    error(c, 'FTP209', `cannot assign to '${name}': it is written by '${how}'`, ident.span);
    return errorType;
  }
  const global = c.symbols.globals.get(name);
  if (global !== undefined) {
    addReference(c, global, ident.span);
    if (global.kind === 'param') {
      recordRef(c, stmt, { kind: 'param', name });
      error(c, 'FTP210', `cannot assign to param '${name}': params are constants (a check may override them with 'with ${name} = ...')`, ident.span);
    } else {
      if (global.kind === 'quorum' || global.kind === 'role') recordRef(c, stmt, { kind: global.kind, name });
      error(c, 'FTP209', `cannot assign to '${name}': it is a ${global.kind === 'role' ? 'node role' : global.kind}, not a state variable`, ident.span);
    }
    return errorType;
  }
  if (c.model.labels.has(name)) {
    recordRef(c, stmt, { kind: 'label', name });
    error(c, 'FTP209', `cannot assign to '${name}': it is an enum label`, ident.span);
    return errorType;
  }
  const candidates = [...(c.symbols.states.get(role)?.keys() ?? []), ...eventNames];
  const elsewhere = c.symbols.stateOwners.get(name);
  const note = elsewhere ? ` (a state of ${elsewhere.join(', ')}, not of ${role.name})` : didYouMean(name, candidates);
  error(c, 'FTP201', `unknown state '${name}' in ${role.name}${note}`, ident.span);
  return errorType;
}
