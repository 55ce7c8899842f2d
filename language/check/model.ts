import type * as ast from '../ast.js';

/**
 * The checked model: the AST plus everything the checker learned, so the engine,
 * hover and completion never resolve a name again. Counts and ranges keep their
 * expressions because a check or scenario may override params (`with N = 4`).
 */

export type Type =
  | { kind: 'bool' }
  /** `range` is null for unbounded `int`. */
  | { kind: 'int'; range: { low: ast.Expr; high: ast.Expr } | null }
  /** Labels compare by name across enums. */
  | { kind: 'enum'; labels: string[] }
  /** The id of a node of `role`, or of any node when null. */
  | { kind: 'node'; role: string | null }
  | { kind: 'set'; element: Type }
  | { kind: 'map'; key: Type; value: Type }
  | { kind: 'seq'; element: Type }
  /** The type of something that already has a diagnostic; compatible with everything. */
  | { kind: 'error' };

/** What a name in an expression or assignment refers to. */
export type SymbolRef =
  /** A state variable of the node running the handler. */
  | { kind: 'state'; role: string; name: string }
  /** The node's built-in `decided`, `decision` or `delivered`. */
  | { kind: 'event'; name: 'decided' | 'decision' | 'delivered' }
  /** A handler parameter, `from` binding, `let`, quantifier, `count` or `choose` variable. */
  | { kind: 'local'; name: string; decl: ast.Ident }
  | { kind: 'param'; name: string }
  | { kind: 'quorum'; name: string }
  | { kind: 'label'; name: string }
  /**
   * A role used as a value: the set of its node ids when it is replicated (`Participant`,
   * type `set<Participant>`), or its one node id when it is a single node (`Coordinator`,
   * type `Coordinator`). `types` tells which.
   */
  | { kind: 'role'; name: string };

export interface ParamInfo {
  name: string;
  decl: ast.ParamDecl;
  /** The value with no overrides; NaN when it could not be evaluated. */
  value: number;
}

export interface FieldInfo {
  name: string;
  decl: ast.FieldDecl;
  type: Type;
  signed: boolean;
}

export interface MessageInfo {
  name: string;
  decl: ast.MessageDecl;
  /** Position among message declarations, stable for the engine's encodings. */
  index: number;
  fields: FieldInfo[];
  /**
   * Roles with a `send` or `broadcast` of this message anywhere, in role order.
   * A handler's `from p` binding has type `R` when this is exactly `[R]`, else `node`.
   */
  senders: string[];
}

export interface StateInfo {
  name: string;
  decl: ast.StateDecl;
  type: Type;
  stable: boolean;
  /** Position among the role's states. */
  index: number;
}

export interface HandlerInfo {
  decl: ast.Handler;
  role: string;
  /** Position among the role's handlers, in source order (guards are tried in that order). */
  index: number;
  /** For a message handler: the message, the field bindings and the sender binding. */
  message: string | null;
  /** The role the sender must have when `from` names a role; null = any sender. */
  fromRole: string | null;
  /** The timer of a `timeout` handler. */
  timer: string | null;
}

export interface RoleInfo {
  name: string;
  decl: ast.NodeDecl;
  index: number;
  /** The count with no overrides (1 for a single node); NaN when not evaluable. */
  count: number;
  /** Whether the role was declared with `[N]` (so its nodes are named `Role[i]`). */
  replicated: boolean;
  states: StateInfo[];
  handlers: HandlerInfo[];
  /** Timers this role sets anywhere (`set timer t`). */
  timers: string[];
  /** The type of `decide` values in this role; null when it never decides. */
  decisionType: Type | null;
  /** The type of `deliver` values in this role; null when it never delivers. */
  deliveryType: Type | null;
}

export interface QuorumInfo {
  name: string;
  decl: ast.QuorumDecl;
  access: 'read' | 'write';
  role: string;
  /** With no overrides; NaN when not evaluable. */
  size: number;
}

export interface PropertyInfo {
  name: string;
  decl: ast.PropertyDecl;
  property: 'invariant' | 'eventually';
}

export interface NetworkInfo {
  timing: 'async' | 'sync';
  delta: ast.Expr | null;
  ordering: 'fifo' | 'unordered';
  reliability: 'reliable' | 'lossy';
  decl: ast.NetworkDecl | null;
}

/** Where a declared name lives, for go-to-definition and references. */
export interface Definition {
  kind: 'param' | 'type' | 'message' | 'field' | 'role' | 'state' | 'timer' | 'quorum' | 'property' | 'scenario' | 'check' | 'local';
  name: string;
  /** The span of the declaring identifier. */
  nameSpan: ast.Ident['span'];
  /** The owning role (states, timers) or message (fields). */
  container: string | null;
}

/** One use of a declared name. */
export interface Reference {
  definition: Definition;
  span: ast.Ident['span'];
}

export interface CheckedModel {
  file: ast.ProtocolFile;
  name: string;
  /** In declaration order. Lookups by name via the `*ByName` maps. */
  params: ParamInfo[];
  messages: MessageInfo[];
  roles: RoleInfo[];
  quorums: QuorumInfo[];
  properties: PropertyInfo[];
  scenarios: ast.ScenarioDecl[];
  checks: ast.CheckDecl[];
  network: NetworkInfo;
  paramByName: Map<string, ParamInfo>;
  messageByName: Map<string, MessageInfo>;
  roleByName: Map<string, RoleInfo>;
  quorumByName: Map<string, QuorumInfo>;
  propertyByName: Map<string, PropertyInfo>;
  /** Resolved type aliases. */
  typeAliases: Map<string, Type>;
  /** Every enum label declared anywhere. */
  labels: Set<string>;
  /** What each NameExpr and each assignment target refers to. */
  refs: Map<ast.NameExpr | ast.AssignStmt, SymbolRef>;
  /** The type of every checked expression. */
  types: Map<ast.Expr, Type>;
  /** Every declaration and every use, for editor queries. */
  definitions: Definition[];
  references: Reference[];
  /** True when the file has errors: the engine refuses to run it. */
  hasErrors: boolean;
}
