import type { Span } from './span.js';

/**
 * The abstract syntax tree of one `.ftp` file. Plain JSON-shaped data: unions
 * tagged by `kind`, a `span` on every node. A parse that recovered from errors
 * still yields a tree; missing parts become `Missing*` nodes or empty lists, so
 * every later phase can run on half-typed text.
 */

export interface Ident {
  kind: 'Ident';
  span: Span;
  name: string;
}

export interface ProtocolFile {
  kind: 'ProtocolFile';
  span: Span;
  /** `protocol NAME`; absent when the header is missing. */
  name: Ident | null;
  decls: Decl[];
}

export type Decl =
  | ParamDecl
  | TypeDecl
  | MessageDecl
  | NodeDecl
  | NetworkDecl
  | QuorumDecl
  | PropertyDecl
  | ScenarioDecl
  | CheckDecl;

/** `param N = 3` */
export interface ParamDecl {
  kind: 'ParamDecl';
  span: Span;
  name: Ident;
  value: Expr;
}

/** `type Value = 0..1` */
export interface TypeDecl {
  kind: 'TypeDecl';
  span: Span;
  name: Ident;
  type: TypeExpr;
}

/** `message Vote { value: bool, round: 0..3 }` */
export interface MessageDecl {
  kind: 'MessageDecl';
  span: Span;
  name: Ident;
  fields: FieldDecl[];
}

export interface FieldDecl {
  kind: 'FieldDecl';
  span: Span;
  name: Ident;
  type: TypeExpr;
  /** `signed value: Value`: a Byzantine relay cannot alter it. */
  signed: boolean;
}

/** `node Participant[N] { ... }`; `count` is null for a single node. */
export interface NodeDecl {
  kind: 'NodeDecl';
  span: Span;
  name: Ident;
  count: Expr | null;
  states: StateDecl[];
  handlers: Handler[];
}

export interface StateDecl {
  kind: 'StateDecl';
  span: Span;
  name: Ident;
  type: TypeExpr;
  /** `stable state ...` survives a crash; the rest is re-initialised on recovery. */
  stable: boolean;
  /** null = the type's default (false, the range's low end, the first label, empty set/map/seq). */
  init: Expr | AnyInit | null;
}

/** `= any`: every value of the type is a possible initial state. */
export interface AnyInit {
  kind: 'AnyInit';
  span: Span;
}

export type TypeExpr =
  | BoolType
  | IntType
  | RangeType
  | EnumType
  | NamedType
  | NodeIdType
  | SetType
  | MapType
  | SeqType
  | MissingType;

export interface BoolType { kind: 'BoolType'; span: Span }
/** Unbounded `int`: fine for computed state, but `any` and Byzantine values need a range. */
export interface IntType { kind: 'IntType'; span: Span }
export interface RangeType { kind: 'RangeType'; span: Span; low: Expr; high: Expr }
/** `INIT | WAIT | COMMIT` */
export interface EnumType { kind: 'EnumType'; span: Span; labels: Ident[] }
/** A `type` alias or a node role (a node id of that role). */
export interface NamedType { kind: 'NamedType'; span: Span; name: Ident }
/** `node`: the id of any node. */
export interface NodeIdType { kind: 'NodeIdType'; span: Span }
export interface SetType { kind: 'SetType'; span: Span; element: TypeExpr }
export interface MapType { kind: 'MapType'; span: Span; key: TypeExpr; value: TypeExpr }
export interface SeqType { kind: 'SeqType'; span: Span; element: TypeExpr }
export interface MissingType { kind: 'MissingType'; span: Span }

/** `on <trigger> [when guard] { body }` */
export interface Handler {
  kind: 'Handler';
  span: Span;
  trigger: Trigger;
  guard: Expr | null;
  body: Block;
}

export type Trigger = StartTrigger | RecoverTrigger | TimeoutTrigger | MessageTrigger;

export interface StartTrigger { kind: 'StartTrigger'; span: Span }
export interface RecoverTrigger { kind: 'RecoverTrigger'; span: Span }
export interface TimeoutTrigger { kind: 'TimeoutTrigger'; span: Span; timer: Ident }
/**
 * `on Vote(v, r) from p`: `params` bind the message's fields by position (none,
 * or all of them); `from` binds the sender, or filters by role when it names one.
 */
export interface MessageTrigger {
  kind: 'MessageTrigger';
  span: Span;
  message: Ident;
  params: Ident[];
  from: Ident | null;
}

export interface Block {
  kind: 'Block';
  span: Span;
  stmts: Stmt[];
}

export type Stmt =
  | AssignStmt
  | LetStmt
  | IfStmt
  | SendStmt
  | BroadcastStmt
  | SetTimerStmt
  | CancelTimerStmt
  | ChooseStmt
  | ChooseValueStmt
  | DecideStmt
  | DeliverStmt;

/** `x = e`, `m[k] = e`, `votes += p`, `n -= 1` */
export interface AssignStmt {
  kind: 'AssignStmt';
  span: Span;
  target: Ident;
  indices: Expr[];
  op: '=' | '+=' | '-=';
  value: Expr;
}

/** `let v = e`: a handler-local constant. */
export interface LetStmt {
  kind: 'LetStmt';
  span: Span;
  name: Ident;
  value: Expr;
}

export interface IfStmt {
  kind: 'IfStmt';
  span: Span;
  condition: Expr;
  then: Block;
  /** An `else if` is an IfStmt wrapped in a one-statement Block. */
  else: Block | null;
}

/** Arguments of a message: all positional or all named. */
export interface MessageArg {
  kind: 'MessageArg';
  span: Span;
  name: Ident | null;
  value: Expr;
}

/** `send Vote(true, 1) to c` */
export interface SendStmt {
  kind: 'SendStmt';
  span: Span;
  message: Ident;
  args: MessageArg[];
  to: Expr;
}

/** `broadcast Decision(v) to Participant`: to every node of the set but the sender. */
export interface BroadcastStmt {
  kind: 'BroadcastStmt';
  span: Span;
  message: Ident;
  args: MessageArg[];
  to: Expr;
}

/** `set timer t after 5` */
export interface SetTimerStmt {
  kind: 'SetTimerStmt';
  span: Span;
  timer: Ident;
  after: Expr;
}

/** `cancel timer t` */
export interface CancelTimerStmt {
  kind: 'CancelTimerStmt';
  span: Span;
  timer: Ident;
}

/** `choose { .. } or { .. }`: explicit nondeterminism between branches. */
export interface ChooseStmt {
  kind: 'ChooseStmt';
  span: Span;
  branches: Block[];
}

/** `choose v in 0..3 { .. }` / `choose p in Participant { .. }`: pick any value. */
export interface ChooseValueStmt {
  kind: 'ChooseValueStmt';
  span: Span;
  name: Ident;
  domain: Expr;
  body: Block;
}

/** `decide v`: sets the node's `decided` and `decision`, which survive crashes. */
export interface DecideStmt {
  kind: 'DecideStmt';
  span: Span;
  value: Expr;
}

/** `deliver m`: appends to the node's `delivered` sequence, which survives crashes. */
export interface DeliverStmt {
  kind: 'DeliverStmt';
  span: Span;
  value: Expr;
}

export type Expr =
  | IntLit
  | BoolLit
  | NameExpr
  | SelfExpr
  | FieldExpr
  | IndexExpr
  | CallExpr
  | UnaryExpr
  | BinaryExpr
  | SetLit
  | SeqLit
  | SizeExpr
  | QuantExpr
  | CountExpr
  | CondExpr
  | RangeExpr
  | MissingExpr;

export interface IntLit { kind: 'IntLit'; span: Span; value: number }
export interface BoolLit { kind: 'BoolLit'; span: Span; value: boolean }
/** A state variable, a binding, a param, an enum label or a role (the set of its nodes). */
export interface NameExpr { kind: 'NameExpr'; span: Span; name: string }
export interface SelfExpr { kind: 'SelfExpr'; span: Span }
/** `p.phase`: a node's state (or `decided`, `decision`, `delivered`). */
export interface FieldExpr { kind: 'FieldExpr'; span: Span; target: Expr; field: Ident }
/** `Participant[1]` (a node id, 1-based), `m[k]` (a map), `s[i]` (a sequence, 1-based). */
export interface IndexExpr { kind: 'IndexExpr'; span: Span; target: Expr; index: Expr }
/** Built-ins: `min(S)`, `max(S)`, `crashed(p)`, `correct(p)`, `byzantine(p)`, `index(p)`. */
export interface CallExpr { kind: 'CallExpr'; span: Span; callee: Ident; args: Expr[] }

export type UnaryOp = 'not' | '-';
export interface UnaryExpr { kind: 'UnaryExpr'; span: Span; op: UnaryOp; operand: Expr }

export type BinaryOp =
  | 'implies' | 'or' | 'and'
  | '==' | '!=' | '<' | '<=' | '>' | '>=' | 'in' | 'not in'
  | '+' | '-' | '*' | '/' | '%'
  | 'union' | 'intersect' | 'minus';
export interface BinaryExpr { kind: 'BinaryExpr'; span: Span; op: BinaryOp; left: Expr; right: Expr }

/** `{a, b}`; `{}` is the empty set (or empty map, by context). */
export interface SetLit { kind: 'SetLit'; span: Span; elements: Expr[] }
/** `[a, b]`; `[]` is the empty sequence. */
export interface SeqLit { kind: 'SeqLit'; span: Span; elements: Expr[] }
/** `|votes|`: the size of a set, map or sequence. */
export interface SizeExpr { kind: 'SizeExpr'; span: Span; operand: Expr }

/** `forall p in Participant: body`; the body extends as far right as it can. */
export interface QuantExpr {
  kind: 'QuantExpr';
  span: Span;
  quantifier: 'forall' | 'exists';
  variable: Ident;
  domain: Expr;
  body: Expr;
}

/** `count p in Participant where p.phase == COMMIT` */
export interface CountExpr {
  kind: 'CountExpr';
  span: Span;
  variable: Ident;
  domain: Expr;
  condition: Expr | null;
}

/** `if c then a else b` */
export interface CondExpr { kind: 'CondExpr'; span: Span; condition: Expr; then: Expr; else: Expr }

/** `lo..hi`, only as a domain (`choose v in 0..3`, `forall r in 1..N`). */
export interface RangeExpr { kind: 'RangeExpr'; span: Span; low: Expr; high: Expr }

/** Where the parser recovered from a missing expression. */
export interface MissingExpr { kind: 'MissingExpr'; span: Span }

/** `network async fifo reliable`, `network sync(2) unordered lossy` */
export interface NetworkDecl {
  kind: 'NetworkDecl';
  span: Span;
  timing: 'async' | 'sync';
  /** The delivery bound of `sync(delta)`; null for `async`. */
  delta: Expr | null;
  ordering: 'fifo' | 'unordered';
  reliability: 'reliable' | 'lossy';
}

/**
 * `quorum write Qw = 3 of Replica`: a named quorum size, usable as a constant;
 * the checker verifies that read/write and write/write quorums intersect.
 */
export interface QuorumDecl {
  kind: 'QuorumDecl';
  span: Span;
  access: 'read' | 'write';
  name: Ident;
  size: Expr;
  role: Ident;
}

/** `invariant NAME: expr` and `eventually NAME: expr [within K]` */
export interface PropertyDecl {
  kind: 'PropertyDecl';
  span: Span;
  property: 'invariant' | 'eventually';
  name: Ident;
  body: Expr;
  /** `eventually ... within K`: must hold within K steps of every run. */
  within: Expr | null;
}

/** `with N = 4, f = 1`: parameter overrides for one scenario or check. */
export interface ParamOverride {
  kind: 'ParamOverride';
  span: Span;
  name: Ident;
  value: Expr;
}

/** Fault budgets that exploration and simulation may spend. */
export type FaultBudget =
  | CrashBudget
  | DropBudget
  | DuplicateBudget
  | DelayBudget
  | PartitionBudget
  | ByzantineBudget;

/** `crash up to 1 of Coordinator [and recover] [while sending]` */
export interface CrashBudget {
  kind: 'CrashBudget';
  span: Span;
  limit: Expr;
  /** null = any role. */
  role: Ident | null;
  recover: boolean;
  /** A crash may cut a handler after any of its sends (a partial broadcast). */
  whileSending: boolean;
}
/** `drop up to 2 [of Vote]` */
export interface DropBudget { kind: 'DropBudget'; span: Span; limit: Expr; message: Ident | null }
/** `duplicate up to 1 [of Vote]` */
export interface DuplicateBudget { kind: 'DuplicateBudget'; span: Span; limit: Expr; message: Ident | null }
/** `delay up to 1 [of Vote]`: in `sync(delta)`, a message may miss its bound. */
export interface DelayBudget { kind: 'DelayBudget'; span: Span; limit: Expr; message: Ident | null }
/** `partition up to 1`: split the nodes in two, heal later. */
export interface PartitionBudget { kind: 'PartitionBudget'; span: Span; limit: Expr }
/** `byzantine up to f of General` */
export interface ByzantineBudget { kind: 'ByzantineBudget'; span: Span; limit: Expr; role: Ident | null }

/** Bounds of a run: `depth 40`, `states 100000`, `runs 500`, `steps 200`, `seed 7`. */
export interface BoundSetting {
  kind: 'BoundSetting';
  span: Span;
  setting: 'depth' | 'states' | 'runs' | 'steps' | 'seed';
  value: Expr;
}

/** `expect Atomicity holds` / `expect Termination violated` */
export interface Expectation {
  kind: 'Expectation';
  span: Span;
  property: Ident;
  outcome: 'holds' | 'violated';
}

/** When a scripted fault fires. */
export type FaultTrigger =
  | { kind: 'AtStep'; span: Span; step: Expr }
  /** `after receive Vote [from P[1]]`: at the end of that handler. */
  | { kind: 'AfterReceive'; span: Span; message: Ident; from: Expr | null }
  /** `after send Vote [to P[1]]`: right after that send, cutting the handler. */
  | { kind: 'AfterSend'; span: Span; message: Ident; to: Expr | null }
  /** `when expr`: in the first state where it holds. */
  | { kind: 'WhenTrue'; span: Span; condition: Expr };

/** Scripted faults of a scenario, applied exactly as written. */
export type ScriptedFault =
  | { kind: 'ScriptedCrash'; span: Span; node: Expr; trigger: FaultTrigger }
  | { kind: 'ScriptedRecover'; span: Span; node: Expr; trigger: FaultTrigger }
  /** `drop Vote [from X] [to Y]`: the first matching message is lost. */
  | { kind: 'ScriptedDrop'; span: Span; message: Ident; from: Expr | null; to: Expr | null; count: Expr | null }
  /** `partition {A, B} | {C} from step 3 [to step 8]` */
  | { kind: 'ScriptedPartition'; span: Span; groups: Expr[]; from: Expr; to: Expr | null }
  /** `byzantine General[1]` */
  | { kind: 'ScriptedByzantine'; span: Span; node: Expr };

export type RunSetting = ParamOverride | FaultBudget | BoundSetting | Expectation;

/** `scenario NAME { scripted faults, budgets, bounds, expectations }` */
export interface ScenarioDecl {
  kind: 'ScenarioDecl';
  span: Span;
  name: Ident;
  items: (RunSetting | ScriptedFault)[];
}

/** `check [NAME] explore|simulate { budgets, bounds, expectations }` */
export interface CheckDecl {
  kind: 'CheckDecl';
  span: Span;
  name: Ident | null;
  mode: 'explore' | 'simulate';
  items: RunSetting[];
}

export type AstNode =
  | ProtocolFile | Decl | FieldDecl | StateDecl | AnyInit | TypeExpr | Handler | Trigger | Block | Stmt
  | MessageArg | Expr | ParamOverride | FaultBudget | BoundSetting | Expectation | FaultTrigger | ScriptedFault | Ident;

export function assertNever(value: never): never {
  throw new Error(`unexpected value: ${JSON.stringify(value)}`);
}
