import type * as ast from '../ast.js';
import { spanOf } from '../span.js';
import { addReference, declareLocal, error, handlerContext, newScope, type Checker, type EventTypes } from './context.js';
import { checkBool } from './expressions.js';
import { lookupMessage } from './lookups.js';
import { describeFields, positionalFields } from './message-args.js';
import type { MessageInfo, RoleInfo, Type } from './model.js';
import { checkBlock, checkTimerUse, type BodyContext } from './statements.js';
import { anyNodeType, errorType, nodeType } from './types.js';

/**
 * Handlers of a role: triggers (message, field bindings, sender, timer), guards
 * and bodies. Also run silently as a lookahead to learn a role's `decide` and
 * `deliver` types (see events.ts), so it must not record anything when `c.dry`.
 */

/** The type of `from p`: a node of the only role that sends the message, else any node. */
function senderType(message: MessageInfo | null): Type {
  if (message === null) return errorType;
  return message.senders.length === 1 ? nodeType(message.senders[0]!) : anyNodeType;
}

export function checkRoleHandlers(c: Checker, role: RoleInfo): void {
  const events: EventTypes = { decide: null, deliver: null };
  const bc: BodyContext = { role, events };
  role.decl.handlers.forEach((handler, index) => checkHandler(c, bc, handler, index));
  role.decisionType = events.decide?.type ?? null;
  role.deliveryType = events.deliver?.type ?? null;
}

export function checkAllHandlers(c: Checker): void {
  for (const role of c.items.roles) {
    checkRoleHandlers(c, role);
    c.eventState.set(role, 'done');
  }
}

function checkHandler(c: Checker, bc: BodyContext, handler: ast.Handler, index: number): void {
  const role = bc.role;
  const scope = newScope(null);
  const trigger = handler.trigger;
  let message: string | null = null;
  let fromRole: string | null = null;
  let timer: string | null = null;
  switch (trigger.kind) {
    case 'StartTrigger':
    case 'RecoverTrigger':
      break;
    case 'TimeoutTrigger':
      timer = trigger.timer.name;
      checkTimerUse(c, role, trigger.timer, 'timeout');
      break;
    case 'MessageTrigger': {
      message = trigger.message.name;
      const info = lookupMessage(c, trigger.message);
      const params = trigger.params;
      const fields = info === null ? [] : positionalFields(c, info);
      if (info !== null && params.length > 0 && params.length !== fields.length) {
        error(c, 'FTP207', `${info.name} has ${describeFields(fields)}: a handler binds all of them or none, not ${params.length}`, spanOf(params[0]!.span, params[params.length - 1]!.span));
      }
      params.forEach((param, i) => declareLocal(c, scope, param, fields[i]?.type ?? errorType, 'handler parameter', role.name));
      const from = trigger.from;
      if (from !== null) {
        const sender = c.model.roleByName.get(from.name);
        if (sender !== undefined) {
          fromRole = sender.name;
          addReference(c, c.symbols.globals.get(sender.name), from.span);
        } else {
          declareLocal(c, scope, from, senderType(info), 'sender binding', role.name);
        }
      }
      break;
    }
  }
  const ec = handlerContext(role, scope);
  if (handler.guard) checkBool(c, ec, handler.guard, 'a guard');
  checkBlock(c, bc, handler.body, scope);
  if (c.dry === 0) role.handlers.push({ decl: handler, role: role.name, index, message, fromRole, timer });
}
