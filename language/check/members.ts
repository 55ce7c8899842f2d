import { addDefinition, error, globalContext, makeDefinition, type Checker } from './context.js';
import { checkAssignable } from './expressions.js';
import { isEventName } from './events.js';
import type { FieldInfo, StateInfo } from './model.js';
import { resolveAlias, resolveTypeExpr } from './resolve-type.js';
import { errorType, unboundedPart } from './types.js';

/**
 * The members of declarations: alias types, message fields, role states and
 * their initial values.
 */

export function resolveAliases(c: Checker): void {
  for (const decl of c.items.types) resolveAlias(c, decl);
}

export function checkMessageFields(c: Checker): void {
  for (const message of c.items.messages) {
    const fields = c.symbols.fields.get(message)!;
    for (const decl of message.decl.fields) {
      const definition = addDefinition(c, makeDefinition('field', decl.name, message.name));
      const info: FieldInfo = { name: decl.name.name, decl, type: resolveTypeExpr(c, decl.type), signed: decl.signed };
      c.declTypes.set(decl, info.type);
      if (decl.name.name === '') continue;
      const first = fields.get(info.name);
      if (first !== undefined) {
        error(c, 'FTP206', `message ${message.name} already has a field '${info.name}'`, decl.name.span, [
          { span: first.definition.nameSpan, message: `'${info.name}' first declared here` },
        ]);
        continue;
      }
      fields.set(info.name, { info, definition });
      message.fields.push(info);
    }
  }
}

export function checkRoleStates(c: Checker): void {
  for (const role of c.items.roles) {
    const states = c.symbols.states.get(role)!;
    for (const decl of role.decl.states) {
      const definition = addDefinition(c, makeDefinition('state', decl.name, role.name));
      const info: StateInfo = { name: decl.name.name, decl, type: resolveTypeExpr(c, decl.type), stable: decl.stable, index: role.states.length };
      c.declTypes.set(decl, info.type);
      if (info.name === '') continue;
      if (isEventName(info.name)) {
        error(c, 'FTP206', `'${info.name}' is a built-in field of every node; choose another name`, decl.name.span);
        continue;
      }
      const first = states.get(info.name);
      if (first !== undefined) {
        error(c, 'FTP206', `${role.name} already has a state '${info.name}'`, decl.name.span, [
          { span: first.definition.nameSpan, message: `'${info.name}' first declared here` },
        ]);
        continue;
      }
      states.set(info.name, { info, definition });
      role.states.push(info);
    }
  }
}

/** Initial values are checked where no node is "own": they cannot read state. */
export function checkStateInits(c: Checker): void {
  const ec = globalContext('an initial value');
  for (const role of c.items.roles) {
    for (const decl of role.decl.states) {
      const init = decl.init;
      if (init === null) continue;
      const type = c.declTypes.get(decl) ?? errorType;
      if (init.kind === 'AnyInit') {
        const unbounded = unboundedPart(type);
        if (unbounded !== null) {
          error(c, 'FTP214', `'any' needs a type with finitely many values to choose from; ${unbounded}`, init.span);
        }
        continue;
      }
      checkAssignable(c, ec, init, type, `the initial value of '${decl.name.name}'`);
    }
  }
}
