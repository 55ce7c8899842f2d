import type { Span } from '../language/span.js';
import type * as ast from '../language/ast.js';
import type { RtType, Value } from './values.js';

/**
 * The transition system compiled from a checked model and one run (a check, a
 * scenario, or the CLI's options): nodes laid out, params evaluated, handlers and
 * properties compiled to closures, fault budgets and scripted faults resolved.
 */

export interface NodeDef {
  id: number;
  /** `Coordinator`, `Participant[2]` */
  name: string;
  role: number;
  /** 1-based position in its role. */
  indexInRole: number;
}

export interface VarDef {
  name: string;
  type: RtType;
  stable: boolean;
  /** Initial values: one, or several for `= any`. */
  init: (ctx: ExecCtx) => Value[];
  /** Built-in `decided` / `decision` / `delivered`: written by events, survive crashes. */
  builtin: boolean;
}

export type HandlerKind = 'start' | 'recover' | 'timeout' | 'message';

export interface CompiledHandler {
  kind: HandlerKind;
  role: number;
  /** Position among the role's handlers (source order). */
  index: number;
  message: number;
  timer: number;
  /** Only senders of this role match; -1 = any. */
  fromRole: number;
  guard: ((ctx: ExecCtx) => Value) | null;
  body: (ctx: ExecCtx) => void;
  frameSize: number;
  /** Frame slots of the message fields, in field order (empty when not bound). */
  paramSlots: number[];
  /** Frame slot of the `from` binding, -1 when none. */
  fromSlot: number;
  span: Span;
  triggerSpan: Span;
}

export interface RoleDef {
  name: string;
  index: number;
  nodes: number[];
  vars: VarDef[];
  varIndex: Map<string, number>;
  timers: string[];
  handlers: CompiledHandler[];
  /** Handlers by message index, in source order. */
  messageHandlers: CompiledHandler[][];
  timeoutHandlers: CompiledHandler[][];
  start: CompiledHandler | null;
  recover: CompiledHandler | null;
  decidedSlot: number;
  decisionSlot: number;
  deliveredSlot: number;
  /** Replicated, and nothing in the model tells its nodes apart: symmetry reduction may permute them. */
  symmetric: boolean;
}

export interface FieldDef {
  name: string;
  type: RtType;
  signed: boolean;
}

export interface MessageDef {
  name: string;
  index: number;
  fields: FieldDef[];
}

export interface PropertyDef {
  name: string;
  kind: 'invariant' | 'eventually';
  /** For `eventually ... within K`; -1 otherwise. */
  within: number;
  evaluate: (ctx: ExecCtx) => Value;
  /**
   * What of the nodes' state it can read: the variables named in its `x.field`
   * expressions (by name, in whichever role has one) and whether it calls
   * `crashed`/`correct`/`byzantine` (the up and Byzantine flags). Nothing else of a
   * state is visible to a property, so states equal in these parts agree on it.
   */
  reads: PropertyReads;
  span: Span;
  nameSpan: Span;
}

export interface PropertyReads {
  fields: readonly string[];
  flags: boolean;
}

/** A fault budget with its limit evaluated; `slot` is its counter in the state. */
export interface BudgetDef {
  kind: 'crash' | 'drop' | 'duplicate' | 'delay' | 'partition' | 'byzantine';
  limit: number;
  /** Role index for crash/byzantine, message index for drop/duplicate/delay; -1 = any. */
  target: number;
  recover: boolean;
  whileSending: boolean;
  slot: number;
  span: Span;
  label: string;
}

export type ScriptTrigger =
  | { kind: 'step'; step: number }
  /** The acting node has just handled `message` (from one of `from`, null = anyone). */
  | { kind: 'receive'; message: number; from: number[] | null }
  /** The acting node has just sent `message` (to one of `to`, null = anyone). */
  | { kind: 'send'; message: number; to: number[] | null }
  | { kind: 'when'; condition: (ctx: ExecCtx) => Value };

export type ScriptAction =
  | { kind: 'crash'; node: number }
  | { kind: 'recover'; node: number }
  | { kind: 'partition'; groups: number[]; healAt: number }
  /** Loses the first `count` matching messages sent (`from`/`to` null = any). */
  | { kind: 'drop'; message: number; from: number[] | null; to: number[] | null; count: number };

/** One scripted fault: fires once, when its trigger first holds. */
export interface ScriptEvent {
  index: number;
  trigger: ScriptTrigger;
  action: ScriptAction;
  span: Span;
  label: string;
}

export interface RunBounds {
  depth: number;
  states: number;
  runs: number;
  steps: number;
  seed: number;
}

export interface Expectation {
  property: string;
  outcome: 'holds' | 'violated';
  span: Span;
}

export interface TransitionSystem {
  protocol: string;
  runName: string;
  runKind: 'check' | 'scenario' | 'default';
  mode: 'explore' | 'simulate';
  runSpan: Span;
  params: Map<string, number>;
  nodes: NodeDef[];
  roles: RoleDef[];
  messages: MessageDef[];
  labels: string[];
  timing: 'async' | 'sync';
  delta: number;
  fifo: boolean;
  lossy: boolean;
  budgets: BudgetDef[];
  /** Byzantine nodes fixed by the scenario. */
  fixedByzantine: number[];
  script: ScriptEvent[];
  /** Whether states carry a saturating step counter (step triggers, `within`). */
  clockLimit: number;
  properties: PropertyDef[];
  expectations: Expectation[];
  bounds: RunBounds;
  /** Whether any role may be reduced by symmetry. */
  symmetry: boolean;
}

/** A message in flight. */
export interface Msg {
  type: number;
  src: number;
  dst: number;
  fields: readonly Value[];
  /** Ticks left before its `sync` deadline; -1 = no deadline (async, or delayed by a fault). */
  left: number;
}

export const FLAG_UP = 1;
export const FLAG_BYZANTINE = 2;
export const FLAG_STARTED = 4;

export interface NodeState {
  vars: readonly Value[];
  flags: number;
  /** Per role timer: -1 disarmed, otherwise ticks left (always 0 under `async`). */
  timers: readonly number[];
}

/** A global state. Treated as immutable once built: successors copy what they change. */
export interface State {
  nodes: readonly NodeState[];
  /** In canonical order (sorted; FIFO channels keep their order). */
  msgs: readonly Msg[];
  /** Budget used, per BudgetDef slot. */
  used: readonly number[];
  /** Partition group per node (bit i = node i in the second group); 0 = no partition. */
  partition: number;
  /** Step when a scripted partition heals; -1 none. */
  healAt: number;
  /** Bit i set = script event i has fired; drop events count down in `dropsLeft`. */
  fired: number;
  dropsLeft: readonly number[];
  /** Saturating step counter, present when `clockLimit > 0`. */
  clock: number;
  /** Bit i set = `eventually ... within` property i has held on this path. */
  seen: number;
}

/** A message produced by a handler before it is put in flight. */
export interface OutMsg {
  type: number;
  dst: number;
  fields: Value[];
  span: Span;
}

export interface ExecEvent {
  kind: 'decide' | 'deliver';
  value: Value;
}

/** What a running handler (or a property) sees. */
export interface ExecCtx {
  sys: TransitionSystem;
  state: State;
  /** The node running the handler; -1 in properties. */
  self: number;
  /** The running node's variables (a private copy while a handler runs). */
  vars: Value[] | null;
  timers: number[] | null;
  frame: Value[];
  sends: OutMsg[];
  events: ExecEvent[];
  /** Nondeterminism oracle: returns a choice in [0, n). */
  choose: (n: number) => number;
  byzantine: boolean;
  inStart: boolean;
  /** Called after each send; returning true cuts the handler there (a scripted `after send` crash). */
  onSend: ((type: number, dst: number) => boolean) | null;
}

/** Thrown by handlers when a value leaves its range, an index is bad, or a division by zero happens. */
export class RuntimeFault extends Error {
  constructor(
    message: string,
    readonly span: Span,
  ) {
    super(message);
  }
}

/** Thrown when `choose` has nothing to choose from: the branch yields no successor. */
export class Blocked extends Error {}

/** Thrown to cut a handler right after a scripted `after send` crash point. */
export class CutHandler extends Error {}

export type RunSource = ast.CheckDecl | ast.ScenarioDecl | null;
