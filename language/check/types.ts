import type { Type } from './model.js';
import { printExpr } from './print.js';

/**
 * The algebra of checked types: constructors, printing, assignability, joins and
 * comparability. Pure functions of `Type`; resolving source types lives in
 * `resolve-type.ts`.
 */

export const boolType: Type = { kind: 'bool' };
export const intType: Type = { kind: 'int', range: null };
export const errorType: Type = { kind: 'error' };
export const anyNodeType: Type = { kind: 'node', role: null };

export function nodeType(role: string | null): Type {
  return { kind: 'node', role };
}

export function setOf(element: Type): Type {
  return { kind: 'set', element };
}

export function seqOf(element: Type): Type {
  return { kind: 'seq', element };
}

/** The type of one enum label used as a value: compatible with every enum holding it. */
export function labelType(label: string): Type {
  return { kind: 'enum', labels: [label] };
}

export function typeToString(type: Type): string {
  switch (type.kind) {
    case 'bool':
      return 'bool';
    case 'int':
      return type.range ? `${printExpr(type.range.low)}..${printExpr(type.range.high)}` : 'int';
    case 'enum':
      return type.labels.join(' | ');
    case 'node':
      return type.role ?? 'node';
    case 'set':
      return `set<${typeToString(type.element)}>`;
    case 'map':
      return `map<${typeToString(type.key)}, ${typeToString(type.value)}>`;
    case 'seq':
      return `seq<${typeToString(type.element)}>`;
    case 'error':
      return '?';
  }
}

/** Whether a value of type `source` may be stored where `target` is expected. */
export function isAssignable(target: Type, source: Type): boolean {
  if (target.kind === 'error' || source.kind === 'error') return true;
  switch (target.kind) {
    case 'bool':
      return source.kind === 'bool';
    case 'int':
      // Ranges are checked when a value is stored (FTP405 at run time), not here.
      return source.kind === 'int';
    case 'enum': {
      if (source.kind !== 'enum') return false;
      const labels = new Set(target.labels);
      return source.labels.every((label) => labels.has(label));
    }
    case 'node':
      return source.kind === 'node' && (target.role === null || source.role === target.role);
    case 'set':
      return source.kind === 'set' && isAssignable(target.element, source.element);
    case 'seq':
      return source.kind === 'seq' && isAssignable(target.element, source.element);
    case 'map':
      if (source.kind === 'set') return source.element.kind === 'error'; // `{}`
      return source.kind === 'map' && isAssignable(target.key, source.key) && isAssignable(target.value, source.value);
  }
}

function sameRange(a: Type & { kind: 'int' }, b: Type & { kind: 'int' }): boolean {
  if (a.range === null || b.range === null) return a.range === b.range;
  return (
    (a.range.low === b.range.low && a.range.high === b.range.high) ||
    (printExpr(a.range.low) === printExpr(b.range.low) && printExpr(a.range.high) === printExpr(b.range.high))
  );
}

/**
 * The least type holding values of both `a` and `b` (for `if` branches, set
 * literals, `union`, and the `decide` values of one role); null when none.
 */
export function joinTypes(a: Type, b: Type): Type | null {
  if (a.kind === 'error') return b;
  if (b.kind === 'error') return a;
  switch (a.kind) {
    case 'bool':
      return b.kind === 'bool' ? a : null;
    case 'int':
      if (b.kind !== 'int') return null;
      return sameRange(a, b) ? a : { kind: 'int', range: null };
    case 'enum': {
      if (b.kind !== 'enum') return null;
      const labels = [...a.labels];
      for (const label of b.labels) if (!labels.includes(label)) labels.push(label);
      return labels.length === a.labels.length ? a : { kind: 'enum', labels };
    }
    case 'node':
      if (b.kind !== 'node') return null;
      return a.role === b.role ? a : anyNodeType;
    case 'set': {
      if (b.kind === 'map' && a.element.kind === 'error') return b;
      if (b.kind !== 'set') return null;
      const element = joinTypes(a.element, b.element);
      return element ? setOf(element) : null;
    }
    case 'seq': {
      if (b.kind !== 'seq') return null;
      const element = joinTypes(a.element, b.element);
      return element ? seqOf(element) : null;
    }
    case 'map': {
      if (b.kind === 'set' && b.element.kind === 'error') return a;
      if (b.kind !== 'map') return null;
      const key = joinTypes(a.key, b.key);
      const value = joinTypes(a.value, b.value);
      return key && value ? { kind: 'map', key, value } : null;
    }
  }
}

/** Why two values can never be compared with `==`, or null when they can. */
export function incomparable(a: Type, b: Type): string | null {
  if (a.kind === 'error' || b.kind === 'error') return null;
  if (a.kind === 'enum' && b.kind === 'enum') {
    const other = new Set(b.labels);
    if (a.labels.some((label) => other.has(label))) return null;
    if (a.labels.length === 1) return `${a.labels[0]} is not a label of ${typeToString(b)} (labels: ${b.labels.join(', ')})`;
    if (b.labels.length === 1) return `${b.labels[0]} is not a label of ${typeToString(a)} (labels: ${a.labels.join(', ')})`;
    return `${typeToString(a)} and ${typeToString(b)} share no label`;
  }
  if (a.kind === 'node' && b.kind === 'node') {
    if (a.role !== null && b.role !== null && a.role !== b.role) return `a ${a.role} id is never equal to a ${b.role} id`;
    return null;
  }
  if (a.kind === 'set' && b.kind === 'set') return incomparable(a.element, b.element);
  if (a.kind === 'seq' && b.kind === 'seq') return incomparable(a.element, b.element);
  if (a.kind === 'map' && b.kind === 'map') return incomparable(a.key, b.key) ?? incomparable(a.value, b.value);
  if ((a.kind === 'map' && b.kind === 'set' && b.element.kind === 'error') || (b.kind === 'map' && a.kind === 'set' && a.element.kind === 'error')) return null;
  if (a.kind === b.kind && (a.kind === 'bool' || a.kind === 'int')) return null;
  return `cannot compare ${typeToString(a)} with ${typeToString(b)}`;
}

/**
 * Whether every value of the type can be enumerated: what `any`, map keys and
 * Byzantine message fields need. Returns the offending part, or null.
 */
export function unboundedPart(type: Type): string | null {
  switch (type.kind) {
    case 'bool':
    case 'enum':
    case 'node':
    case 'error':
      return null;
    case 'int':
      return type.range ? null : 'int has no range';
    case 'set':
      return unboundedPart(type.element);
    case 'map':
      return unboundedPart(type.key) ?? unboundedPart(type.value);
    case 'seq':
      return `${typeToString(type)} can grow without bound`;
  }
}

/** The node role a value designates: a node id of role R, or a set of such ids. */
export function targetRole(type: Type): string | null {
  if (type.kind === 'node') return type.role;
  if (type.kind === 'set' && type.element.kind === 'node') return type.element.role;
  return null;
}

/** Why `found` does not fit where `expected` is wanted, with the labels at fault for enums. */
export function mismatchMessage(expected: Type, found: Type): string {
  if (expected.kind === 'enum' && found.kind === 'enum') {
    const allowed = new Set(expected.labels);
    const missing = found.labels.filter((label) => !allowed.has(label));
    const verb = missing.length === 1 ? 'is not a label' : 'are not labels';
    return `${missing.join(', ')} ${verb} of ${typeToString(expected)} (labels: ${expected.labels.join(', ')})`;
  }
  if (expected.kind === 'node' && found.kind === 'node') {
    return `expected ${expected.role === null ? 'a node id' : `a ${expected.role} id`}, found ${found.role === null ? 'the id of any node' : `a ${found.role} id`}`;
  }
  return `expected ${typeToString(expected)}, found ${typeToString(found)}`;
}
