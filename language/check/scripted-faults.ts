import type * as ast from '../ast.js';
import { checkByzantineFields } from './byzantine-fields.js';
import { checkConstInt } from './constants.js';
import { error, globalContext, recordType, type Checker, type ExprContext } from './context.js';
import { checkBool, checkExpr } from './expressions.js';
import { lookupMessage } from './lookups.js';
import type { RoleInfo } from './model.js';
import { asRoleName } from './names.js';
import { printCount } from './print.js';
import { anyNodeType, setOf, typeToString } from './types.js';

/**
 * The scripted faults of a scenario. Each names one node (`Coordinator` for a
 * single-node role, `Participant[2]`); an index out of the default count is a
 * warning, since a `with` override may make it valid.
 */

function faultContext(): ExprContext {
  return globalContext('a scripted fault', 'FTP213');
}

/** Checks that `expr` denotes exactly one node; returns its role when it does. */
function checkSingleNode(c: Checker, expr: ast.Expr): RoleInfo | null {
  const ec = faultContext();
  const role = asRoleName(c, ec, expr);
  const type = checkExpr(c, ec, expr);
  if (role !== null && role.replicated) {
    error(c, 'FTP213', `a scripted fault needs one node, but ${role.name} has ${printCount(role.decl.count, role.count)}; name one, like ${role.name}[1]`, expr.span);
    return null;
  }
  if (type.kind === 'error') return null;
  if (type.kind !== 'node' || type.role === null) {
    error(c, 'FTP213', `a scripted fault needs one node, like Coordinator or Participant[2], not ${typeToString(type)}`, expr.span);
    return null;
  }
  return c.model.roleByName.get(type.role) ?? null;
}

function checkTrigger(c: Checker, trigger: ast.FaultTrigger): void {
  switch (trigger.kind) {
    case 'AtStep':
      checkConstInt(c, trigger.step, 'a step number', { min: 0 });
      return;
    case 'AfterReceive':
      lookupMessage(c, trigger.message);
      if (trigger.from) checkSingleNode(c, trigger.from);
      return;
    case 'AfterSend':
      lookupMessage(c, trigger.message);
      if (trigger.to) checkSingleNode(c, trigger.to);
      return;
    case 'WhenTrue':
      checkBool(c, globalContext('a scenario trigger'), trigger.condition, "the condition of 'when'");
      return;
  }
}

/** One side of a partition: a set of nodes and roles (`{A, Participant[1]}`), or a role. */
function checkGroup(c: Checker, group: ast.Expr): void {
  const ec = faultContext();
  if (group.kind === 'SetLit') {
    for (const element of group.elements) {
      if (asRoleName(c, ec, element) !== null) checkExpr(c, ec, element);
      else checkSingleNode(c, element);
    }
    recordType(c, group, setOf(anyNodeType));
    return;
  }
  if (asRoleName(c, ec, group) !== null) {
    checkExpr(c, ec, group);
    return;
  }
  const type = checkExpr(c, ec, group);
  if (type.kind !== 'error' && !(type.kind === 'set' && type.element.kind === 'node')) {
    error(c, 'FTP213', `a partition side must be a set of nodes or roles, like {Coordinator, Participant[1]}, not ${typeToString(type)}`, group.span);
  }
}

export function checkScriptedFault(c: Checker, fault: ast.ScriptedFault): void {
  switch (fault.kind) {
    case 'ScriptedCrash':
    case 'ScriptedRecover':
      checkSingleNode(c, fault.node);
      checkTrigger(c, fault.trigger);
      return;
    case 'ScriptedDrop':
      lookupMessage(c, fault.message);
      if (fault.from) checkSingleNode(c, fault.from);
      if (fault.to) checkSingleNode(c, fault.to);
      if (fault.count) checkConstInt(c, fault.count, 'the number of messages to drop', { min: 1 });
      return;
    case 'ScriptedPartition': {
      for (const group of fault.groups) checkGroup(c, group);
      const from = checkConstInt(c, fault.from, 'a step number', { min: 0 });
      if (fault.to) {
        const to = checkConstInt(c, fault.to, 'a step number', { min: 0 });
        if (to < from) error(c, 'FTP213', `the partition heals at step ${to}, before it starts at step ${from}`, fault.to.span);
      }
      return;
    }
    case 'ScriptedByzantine': {
      const role = checkSingleNode(c, fault.node);
      if (role !== null) checkByzantineFields(c, role, fault.span);
      return;
    }
  }
}
