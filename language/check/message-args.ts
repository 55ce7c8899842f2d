import type * as ast from '../ast.js';
import { spanOf } from '../span.js';
import { addReference, error, plural, type Checker, type ExprContext } from './context.js';
import { checkAssignable, checkExpr } from './expressions.js';
import type { MessageInfo, Type } from './model.js';
import { lookupMessage } from './lookups.js';
import { didYouMean } from './suggest.js';
import { errorType } from './types.js';

/**
 * The fields of a message by position, as written: a duplicated field still takes
 * its place, so a typo in a declaration does not also break every send of it.
 */
export function positionalFields(c: Checker, message: MessageInfo): { name: string; type: Type }[] {
  return message.decl.fields.map((field) => ({ name: field.name.name, type: c.declTypes.get(field) ?? errorType }));
}

/** "2 fields (value, round)", "no fields". */
export function describeFields(fields: readonly { name: string }[]): string {
  return fields.length === 0 ? 'no fields' : `${plural(fields.length, 'field')} (${fields.map((f) => f.name).join(', ')})`;
}

/** The arguments of `send M(...)`/`broadcast M(...)`: all by position or all by name. */
export function checkMessageArgs(c: Checker, ec: ExprContext, ident: ast.Ident, args: readonly ast.MessageArg[]): MessageInfo | null {
  const message = lookupMessage(c, ident);
  if (message === null) {
    for (const arg of args) checkExpr(c, ec, arg.value);
    return null;
  }
  const named = args.filter((arg) => arg.name !== null);
  if (named.length > 0 && named.length < args.length) {
    error(c, 'FTP207', 'message arguments must be all positional or all named', spanOf(args[0]!.span, args[args.length - 1]!.span));
    for (const arg of args) checkExpr(c, ec, arg.value);
    return message;
  }
  if (named.length === 0) {
    const fields = positionalFields(c, message);
    if (args.length !== fields.length) {
      const span = args.length === 0 ? ident.span : spanOf(args[0]!.span, args[args.length - 1]!.span);
      error(c, 'FTP207', `${message.name} has ${describeFields(fields)}, but ${args.length} argument${args.length === 1 ? ' is' : 's are'} given`, span);
    }
    args.forEach((arg, i) => {
      const field = fields[i];
      if (field === undefined) checkExpr(c, ec, arg.value);
      else checkAssignable(c, ec, arg.value, field.type, `field '${field.name}' of ${message.name}`);
    });
    return message;
  }
  const fields = c.symbols.fields.get(message)!;
  const given = new Map<string, ast.MessageArg>();
  let unknown = false;
  for (const arg of args) {
    const name = arg.name!;
    const field = fields.get(name.name);
    if (field === undefined) {
      unknown = true;
      if (name.name !== '') error(c, 'FTP204', `${message.name} has no field '${name.name}'${didYouMean(name.name, fields.keys())}`, name.span);
      checkExpr(c, ec, arg.value);
      continue;
    }
    addReference(c, field.definition, name.span);
    const first = given.get(name.name);
    if (first !== undefined) {
      error(c, 'FTP206', `field '${name.name}' is given twice`, name.span, [{ span: first.span, message: 'first given here' }]);
    } else {
      given.set(name.name, arg);
    }
    checkAssignable(c, ec, arg.value, field.info.type, `field '${name.name}' of ${message.name}`);
  }
  const missing = message.fields.filter((field) => !given.has(field.name)).map((field) => field.name);
  if (missing.length > 0 && !unknown) {
    error(c, 'FTP207', `${message.name} needs a value for ${plural(missing.length, 'field')}: ${missing.join(', ')}`, ident.span);
  }
  return message;
}
