import type * as ast from '../ast.js';
import { addReference, error, type Checker } from './context.js';
import type { MessageInfo, PropertyInfo, RoleInfo } from './model.js';
import { didYouMean } from './suggest.js';

/** Uses of top-level names outside expressions: messages, roles and properties named by an identifier. */

export function lookupMessage(c: Checker, ident: ast.Ident): MessageInfo | null {
  if (ident.name === '') return null;
  const message = c.model.messageByName.get(ident.name);
  if (message !== undefined) {
    addReference(c, c.symbols.globals.get(ident.name), ident.span);
    return message;
  }
  error(c, 'FTP202', `unknown message '${ident.name}'${didYouMean(ident.name, c.model.messageByName.keys())}`, ident.span, [], { message: ident.name });
  return null;
}

export function lookupRole(c: Checker, ident: ast.Ident): RoleInfo | null {
  if (ident.name === '') return null;
  const role = c.model.roleByName.get(ident.name);
  if (role !== undefined) {
    addReference(c, c.symbols.globals.get(ident.name), ident.span);
    return role;
  }
  error(c, 'FTP203', `unknown node role '${ident.name}'${didYouMean(ident.name, c.model.roleByName.keys())}`, ident.span);
  return null;
}

export function lookupProperty(c: Checker, ident: ast.Ident): PropertyInfo | null {
  if (ident.name === '') return null;
  const property = c.model.propertyByName.get(ident.name);
  if (property !== undefined) {
    addReference(c, c.symbols.globals.get(ident.name), ident.span);
    return property;
  }
  error(c, 'FTP211', `unknown property '${ident.name}'${didYouMean(ident.name, c.model.propertyByName.keys())}`, ident.span);
  return null;
}
