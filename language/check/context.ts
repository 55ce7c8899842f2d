import type * as ast from '../ast.js';
import type { DiagnosticCode } from '../codes.js';
import { diagnostic, type Diagnostic, type RelatedInfo, type Severity } from '../diagnostic.js';
import type { Span } from '../span.js';
import type { ConstEnv } from './const-eval.js';
import type {
  CheckedModel,
  Definition,
  FieldInfo,
  MessageInfo,
  ParamInfo,
  PropertyInfo,
  QuorumInfo,
  RoleInfo,
  StateInfo,
  SymbolRef,
  Type,
} from './model.js';

/**
 * The state of one run of the checker: the model being filled, symbol tables,
 * the facts lints need, and the diagnostics so far. Made by `checkProtocol`,
 * passed to every phase; nothing here outlives one check.
 */

/** One `send` or `broadcast`, with the role it goes to when that is known statically. */
export interface SendSite {
  /** The sending role. */
  role: string;
  message: string;
  stmt: ast.SendStmt | ast.BroadcastStmt;
  /** The receiving role: from a role name, `R[i]`, or a value of type `R` or `set<R>`. */
  targetRole: string | null;
}

/** What lints need beyond the model. */
export interface CheckFacts {
  sends: SendSite[];
  /** Roles that send each message (a syntactic scan made before typing). */
  sendersByMessage: Map<string, Set<string>>;
  /** How often each definition is used. */
  useCounts: Map<Definition, number>;
  /** Params and quorum sizes under each check's or scenario's overrides, computed once. */
  blockEnvs: Map<ast.ScenarioDecl | ast.CheckDecl, ConstEnv>;
  /** The messages each role sends (from the scan), for Byzantine field checks. */
  sentBy: Map<string, MessageInfo[]>;
}

/** Every declaration of the file, registered or not (duplicates are checked too, but not registered). */
export interface DeclaredItems {
  params: ParamInfo[];
  messages: MessageInfo[];
  roles: RoleInfo[];
  quorums: QuorumInfo[];
  properties: PropertyInfo[];
  types: ast.TypeDecl[];
}

export interface FieldEntry {
  info: FieldInfo;
  definition: Definition;
}

export interface StateEntry {
  info: StateInfo;
  definition: Definition;
}

export interface SymbolTable {
  /** The shared namespace of params, types, messages, roles, quorums, properties, scenarios, checks. */
  globals: Map<string, Definition>;
  /** Message -> field name -> field. */
  fields: Map<MessageInfo, Map<string, FieldEntry>>;
  /** Role -> state name -> state. */
  states: Map<RoleInfo, Map<string, StateEntry>>;
  /** Role -> timer -> definition (at the first `set timer`). */
  timers: Map<RoleInfo, Map<string, Definition>>;
  typeDecls: Map<string, ast.TypeDecl>;
  /** Declaration position of every registered param, for "uses a later param". */
  paramOrder: Map<string, number>;
  /** Roles that declare a state of each name, for FTP215 in properties. */
  stateOwners: Map<string, string[]>;
}

/** A handler-local name: `let`, handler parameter, `from` binding, quantifier/count/choose variable. */
export interface Local {
  name: string;
  decl: ast.Ident;
  type: Type;
  definition: Definition;
  /** How the user would call it in a message. */
  what: string;
}

export interface Scope {
  parent: Scope | null;
  locals: Map<string, Local>;
}

/** Where an expression is checked; decides how names resolve. */
export interface ExprContext {
  /** `handler`: inside a role; `global`: properties, inits, scenario triggers; `const`: constants. */
  mode: 'handler' | 'global' | 'const';
  role: RoleInfo | null;
  scope: Scope;
  /** const mode: params declared at a position below this may be used. */
  paramLimit: number;
  /** const mode: whether quorum names are constants here. */
  allowQuorums: boolean;
  /** What is being checked, for messages: "an invariant", "a node count". */
  place: string;
  /** The code for an out-of-range `Role[i]` (FTP213 in scripted faults). */
  indexCode: DiagnosticCode;
}

/** `decide` / `deliver` values seen in one role. */
export interface EventTypes {
  decide: { type: Type; span: Span } | null;
  deliver: { type: Type; span: Span } | null;
}

export interface Checker {
  model: CheckedModel;
  symbols: SymbolTable;
  items: DeclaredItems;
  facts: CheckFacts;
  diagnostics: Diagnostic[];
  /** > 0: diagnostics are dropped (a lookahead pass, or an already reported subtree). */
  muted: number;
  /** > 0: nothing is recorded in the model (a lookahead pass). */
  dry: number;
  /** Param values and quorum sizes with no overrides, filled as they are checked. */
  env: Map<string, number>;
  /** The resolved type of every field and state declaration, duplicates included. */
  declTypes: Map<ast.FieldDecl | ast.StateDecl, Type>;
  /** Type aliases being resolved, to report a cycle instead of recursing forever. */
  resolvingAliases: Set<string>;
  /** Lazily computed `decide`/`deliver` types per role. */
  eventState: Map<RoleInfo, 'computing' | 'done'>;
  /** Checks every handler of a role (set by check.ts; breaks the import cycle). */
  checkRoleHandlers: (role: RoleInfo) => void;
}

export function report(
  c: Checker,
  code: DiagnosticCode,
  severity: Severity,
  message: string,
  span: Span,
  related: RelatedInfo[] = [],
  data?: Diagnostic['data'],
): void {
  if (c.muted > 0) return;
  const d = diagnostic(code, severity, message, span, related);
  if (data !== undefined) d.data = data;
  c.diagnostics.push(d);
}

/** Reports an error; `data` carries facts for quick fixes (see language/queries/code-actions.ts). */
export function error(c: Checker, code: DiagnosticCode, message: string, span: Span, related: RelatedInfo[] = [], data?: Diagnostic['data']): void {
  report(c, code, 'error', message, span, related, data);
}

export function warn(c: Checker, code: DiagnosticCode, message: string, span: Span, related: RelatedInfo[] = []): void {
  report(c, code, 'warning', message, span, related);
}

export function recordType(c: Checker, expr: ast.Expr, type: Type): Type {
  if (c.dry === 0) c.model.types.set(expr, type);
  return type;
}

export function recordRef(c: Checker, node: ast.NameExpr | ast.AssignStmt, ref: SymbolRef): void {
  if (c.dry === 0) c.model.refs.set(node, ref);
}

export function makeDefinition(kind: Definition['kind'], ident: ast.Ident, container: string | null = null): Definition {
  return { kind, name: ident.name, nameSpan: ident.span, container };
}

export function addDefinition(c: Checker, definition: Definition): Definition {
  if (c.dry === 0) c.model.definitions.push(definition);
  return definition;
}

export function addReference(c: Checker, definition: Definition | undefined, span: Span): void {
  if (definition === undefined || c.dry > 0) return;
  c.model.references.push({ definition, span });
  c.facts.useCounts.set(definition, (c.facts.useCounts.get(definition) ?? 0) + 1);
}

/** Runs `body` with diagnostics dropped: for a subtree whose mistake was already reported. */
export function muted<T>(c: Checker, body: () => T): T {
  c.muted++;
  try {
    return body();
  } finally {
    c.muted--;
  }
}

export function newScope(parent: Scope | null): Scope {
  return { parent, locals: new Map() };
}

export function lookupLocal(scope: Scope, name: string): Local | undefined {
  for (let s: Scope | null = scope; s !== null; s = s.parent) {
    const local = s.locals.get(name);
    if (local !== undefined) return local;
  }
  return undefined;
}

/** Declares a local in `scope`; a second one of the same name in the same scope is FTP206. */
export function declareLocal(c: Checker, scope: Scope, ident: ast.Ident, type: Type, what: string, container: string | null): Local | null {
  if (ident.name === '') return null;
  const existing = scope.locals.get(ident.name);
  const definition = addDefinition(c, makeDefinition('local', ident, container));
  const local: Local = { name: ident.name, decl: ident, type, definition, what };
  if (existing !== undefined) {
    error(c, 'FTP206', `'${ident.name}' is already declared here as a ${existing.what}`, ident.span, [
      { span: existing.decl.span, message: `'${ident.name}' first declared here` },
    ]);
    return local;
  }
  scope.locals.set(ident.name, local);
  return local;
}

export function handlerContext(role: RoleInfo, scope: Scope): ExprContext {
  return { mode: 'handler', role, scope, paramLimit: Infinity, allowQuorums: true, place: 'a handler', indexCode: 'FTP208' };
}

export function globalContext(place: string, indexCode: DiagnosticCode = 'FTP208'): ExprContext {
  return { mode: 'global', role: null, scope: newScope(null), paramLimit: Infinity, allowQuorums: true, place, indexCode };
}

export function constContext(place: string, paramLimit = Infinity, allowQuorums = true): ExprContext {
  return { mode: 'const', role: null, scope: newScope(null), paramLimit, allowQuorums, place, indexCode: 'FTP208' };
}

/** "1 field", "2 fields". */
export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
