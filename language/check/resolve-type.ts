import type * as ast from '../ast.js';
import { checkConstInt } from './constants.js';
import { addReference, error, type Checker } from './context.js';
import { describeKind } from './declarations.js';
import type { Type } from './model.js';
import { printExpr } from './print.js';
import { didYouMean } from './suggest.js';
import { anyNodeType, boolType, errorType, intType, nodeType, seqOf, setOf, unboundedPart } from './types.js';

/**
 * Source types (`TypeExpr`) to checked `Type`s: aliases resolve lazily (a cycle
 * is reported once), role names become node ids, range bounds must be constants.
 */

/** The resolved type of a `type` alias; resolves it on first use. */
export function resolveAlias(c: Checker, decl: ast.TypeDecl): Type {
  const name = decl.name.name;
  const known = c.model.typeAliases.get(name);
  if (known !== undefined && c.symbols.typeDecls.get(name) === decl) return known;
  const inProgress = c.resolvingAliases;
  if (inProgress.has(name)) return errorType;
  inProgress.add(name);
  const type = resolveTypeExpr(c, decl.type);
  inProgress.delete(name);
  if (c.symbols.typeDecls.get(name) === decl) c.model.typeAliases.set(name, type);
  return type;
}

export function resolveTypeExpr(c: Checker, type: ast.TypeExpr): Type {
  switch (type.kind) {
    case 'BoolType':
      return boolType;
    case 'IntType':
      return intType;
    case 'RangeType': {
      const low = checkConstInt(c, type.low, 'the low end of a range');
      const high = checkConstInt(c, type.high, 'the high end of a range');
      if (low > high) {
        error(c, 'FTP208', `the range ${printExpr(type.low)}..${printExpr(type.high)} is empty: ${low} > ${high}`, type.span);
      }
      return { kind: 'int', range: { low: type.low, high: type.high } };
    }
    case 'EnumType': {
      const seen = new Map<string, ast.Ident>();
      for (const label of type.labels) {
        if (label.name === '') continue;
        const first = seen.get(label.name);
        const global = c.symbols.globals.get(label.name);
        if (global !== undefined && (global.kind === 'param' || global.kind === 'quorum' || global.kind === 'role')) {
          // Params, quorums and roles win over labels in expressions, so this label could never be written.
          error(c, 'FTP206', `label '${label.name}' is hidden by the ${describeKind(global.kind)} '${label.name}'; rename one of them`, label.span, [
            { span: global.nameSpan, message: `the ${describeKind(global.kind)} '${label.name}'` },
          ]);
        }
        if (first !== undefined) {
          error(c, 'FTP206', `label '${label.name}' appears twice in this enum`, label.span, [{ span: first.span, message: 'first here' }]);
        } else {
          seen.set(label.name, label);
        }
      }
      return { kind: 'enum', labels: [...seen.keys()] };
    }
    case 'NamedType':
      return resolveNamedType(c, type);
    case 'NodeIdType':
      return anyNodeType;
    case 'SetType':
      return setOf(resolveTypeExpr(c, type.element));
    case 'MapType': {
      const key = resolveTypeExpr(c, type.key);
      const unbounded = unboundedPart(key);
      if (unbounded !== null) {
        error(c, 'FTP214', `a map is total, so its keys must have finitely many values; ${unbounded}`, type.key.span);
      }
      return { kind: 'map', key, value: resolveTypeExpr(c, type.value) };
    }
    case 'SeqType':
      return seqOf(resolveTypeExpr(c, type.element));
    case 'MissingType':
      return errorType;
  }
}

function resolveNamedType(c: Checker, type: ast.NamedType): Type {
  const name = type.name.name;
  if (name === '') return errorType;
  const decl = c.symbols.typeDecls.get(name);
  if (decl !== undefined) {
    addReference(c, c.symbols.globals.get(name), type.name.span);
    if (c.resolvingAliases.has(name)) {
      error(c, 'FTP212', `type '${name}' is defined in terms of itself`, type.name.span);
      return errorType;
    }
    return resolveAlias(c, decl);
  }
  const role = c.model.roleByName.get(name);
  if (role !== undefined) {
    addReference(c, c.symbols.globals.get(name), type.name.span);
    return nodeType(role.name);
  }
  const other = c.symbols.globals.get(name);
  if (other !== undefined) {
    addReference(c, other, type.name.span);
    error(c, 'FTP212', `'${name}' is a ${other.kind}, not a type`, type.name.span);
    return errorType;
  }
  const candidates = [...c.symbols.typeDecls.keys(), ...c.model.roleByName.keys(), 'bool', 'int', 'node'];
  error(c, 'FTP212', `unknown type '${name}'${didYouMean(name, candidates)}`, type.name.span);
  return errorType;
}
