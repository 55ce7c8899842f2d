import type { Span } from '../span.js';
import { error, type Checker, type EventTypes } from './context.js';
import type { RoleInfo, Type } from './model.js';
import { errorType, joinTypes, seqOf, typeToString, boolType } from './types.js';

/**
 * The built-in `decided`, `decision` and `delivered` of a node. The types of
 * `decision` and `delivered` come from the role's `decide`/`deliver` statements,
 * which may appear after (or in another role than) a read of them; so they are
 * computed lazily by a silent lookahead pass over the role's handlers.
 */

export const eventNames: readonly string[] = ['decided', 'decision', 'delivered'];

export function isEventName(name: string): name is 'decided' | 'decision' | 'delivered' {
  return name === 'decided' || name === 'decision' || name === 'delivered';
}

function ensureEventTypes(c: Checker, role: RoleInfo): boolean {
  const state = c.eventState.get(role);
  if (state === 'computing') return false;
  if (state === 'done') return true;
  c.eventState.set(role, 'computing');
  c.dry++;
  c.muted++;
  try {
    c.checkRoleHandlers(role);
  } finally {
    c.dry--;
    c.muted--;
  }
  c.eventState.set(role, 'done');
  return true;
}

function decisionOf(c: Checker, role: RoleInfo): Type | null | 'cycle' {
  return ensureEventTypes(c, role) ? role.decisionType : 'cycle';
}

function deliveryOf(c: Checker, role: RoleInfo): Type | null | 'cycle' {
  return ensureEventTypes(c, role) ? role.deliveryType : 'cycle';
}

/**
 * The type of a built-in event field of a node of `role` (null = any node).
 * `what` names the node in messages ("p", "its own").
 */
export function eventFieldType(c: Checker, roleName: string | null, name: 'decided' | 'decision' | 'delivered', span: Span): Type {
  if (name === 'decided') return boolType;
  const roles = roleName === null ? c.model.roles : [c.model.roleByName.get(roleName)].filter((r): r is RoleInfo => r !== undefined);
  let result: Type | null = null;
  let any = false;
  for (const role of roles) {
    const type = name === 'decision' ? decisionOf(c, role) : deliveryOf(c, role);
    if (type === 'cycle') return name === 'decision' ? errorType : seqOf(errorType);
    if (type === null) continue;
    any = true;
    result = result === null ? type : joinTypes(result, type) ?? errorType;
  }
  if (name === 'delivered') return seqOf(result ?? errorType);
  if (!any) {
    const who = roleName === null ? 'no node ever decides' : `${roleName} never decides`;
    error(c, 'FTP204', `${who}, so there is no 'decision' to read`, span);
    return errorType;
  }
  return result ?? errorType;
}

/** Adds one `decide`/`deliver` value to a role's tally; two incompatible types are FTP208. */
export function recordEvent(c: Checker, events: EventTypes, kind: 'decide' | 'deliver', roleName: string, type: Type, span: Span): void {
  if (type.kind === 'error') return;
  const current = events[kind];
  if (current === null) {
    events[kind] = { type, span };
    return;
  }
  const joined = joinTypes(current.type, type);
  if (joined === null) {
    error(c, 'FTP208', `${roleName} must ${kind} values of one type: this is ${typeToString(type)}, an earlier ${kind} is ${typeToString(current.type)}`, span, [
      { span: current.span, message: `${kind} of ${typeToString(current.type)}` },
    ]);
    return;
  }
  events[kind] = { type: joined, span: current.span };
}
