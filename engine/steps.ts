import type {
  CompiledHandler,
  ExecCtx,
  ExecEvent,
  Msg,
  NodeState,
  OutMsg,
  State,
  TransitionSystem,
} from './system.js';
import { Blocked, CutHandler, FLAG_BYZANTINE, FLAG_STARTED, FLAG_UP, RuntimeFault } from './system.js';
import { insertMsg, sameMsg } from './state.js';
import { ChoiceOdometer } from './choice-odometer.js';
import type { Value } from './values.js';

export type StepKind =
  | 'start'
  | 'deliver'
  | 'timeout'
  | 'recover'
  | 'crash'
  | 'drop'
  | 'duplicate'
  | 'delay'
  | 'partition'
  | 'heal'
  | 'tick';

/** Why a sent message never entered the network. */
export type LostReason = 'partition' | 'receiver-down' | 'scripted-drop' | 'cut-by-crash';

export interface SentMsg {
  msg: Msg;
  lost: LostReason | null;
}

/** What one step did: enough to draw it, explain it and replay it. */
export interface StepInfo {
  kind: StepKind;
  node: number;
  msg: Msg | null;
  handler: CompiledHandler | null;
  timer: number;
  /** True for steps that spend a fault budget: a run may stop without taking them. */
  fault: boolean;
  budget: number;
  script: number;
  sends: SentMsg[];
  events: ExecEvent[];
  /** The acting node crashed at the end of the step (a crash while sending, or a scripted crash). */
  crashed: boolean;
  /** Partition groups (bit i = node i in the second group). */
  partition: number;
  error: RuntimeFault | null;
}

export interface Successor {
  state: State;
  step: StepInfo;
}

const sharedFrame: Value[] = new Array<Value>(256).fill(0);

/** Every state the system may start in (one per combination of `any` values and Byzantine choices). */
export function initialStates(sys: TransitionSystem): State[] {
  const base: State = {
    nodes: [],
    msgs: [],
    used: sys.budgets.map(() => 0),
    partition: 0,
    healAt: -1,
    fired: 0,
    dropsLeft: sys.script.map((e) => (e.action.kind === 'drop' ? e.action.count : 0)),
    clock: 0,
    seen: 0,
  };
  let partial: NodeState[][] = [[]];
  for (const node of sys.nodes) {
    const role = sys.roles[node.role]!;
    const ctx = makeCtx(sys, base, node.id);
    let choices: Value[][] = [[]];
    for (const v of role.vars) {
      const vals = v.init(ctx);
      const next: Value[][] = [];
      for (const prefix of choices) for (const x of vals) next.push([...prefix, x]);
      choices = next;
      if (choices.length * partial.length > 1_000_000) break;
    }
    const flags = FLAG_UP | (role.start ? 0 : FLAG_STARTED);
    const timers = role.timers.map(() => -1);
    const next: NodeState[][] = [];
    for (const prefix of partial) for (const vars of choices) next.push([...prefix, { vars, flags, timers }]);
    partial = next;
  }
  let states: State[] = partial.map((nodes) => ({ ...base, nodes }));
  // Byzantine nodes: those fixed by the scenario, then every choice within each budget.
  const fixed = new Set(sys.fixedByzantine);
  for (const budget of sys.budgets) {
    if (budget.kind !== 'byzantine') continue;
    const candidates = sys.nodes.filter((n) => budget.target < 0 || n.role === budget.target).map((n) => n.id);
    const subsets: number[][] = [[]];
    for (const id of candidates) {
      const len = subsets.length;
      for (let i = 0; i < len; i++) if (subsets[i]!.length < budget.limit) subsets.push([...subsets[i]!, id]);
    }
    const next: State[] = [];
    for (const s of states) {
      for (const subset of subsets) {
        if (subset.some((id) => (s.nodes[id]!.flags & FLAG_BYZANTINE) !== 0)) continue;
        const nodes = s.nodes.slice();
        for (const id of subset) nodes[id] = { ...nodes[id]!, flags: nodes[id]!.flags | FLAG_BYZANTINE };
        const used = s.used.slice();
        used[budget.slot] = subset.length;
        next.push({ ...s, nodes, used });
      }
    }
    states = next;
  }
  if (fixed.size > 0) {
    states = states.map((s) => ({
      ...s,
      nodes: s.nodes.map((n, id) => (fixed.has(id) ? { ...n, flags: n.flags | FLAG_BYZANTINE } : n)),
    }));
  }
  return states;
}

export function makeCtx(sys: TransitionSystem, state: State, self: number): ExecCtx {
  return {
    sys,
    state,
    self,
    vars: null,
    timers: null,
    frame: sharedFrame,
    sends: [],
    events: [],
    choose: () => 0,
    byzantine: self >= 0 && ((state.nodes[self]?.flags ?? 0) & FLAG_BYZANTINE) !== 0,
    inStart: false,
    onSend: null,
  };
}

const readCtxs = new WeakMap<TransitionSystem, ExecCtx>();

/**
 * A context for read-only evaluation (guards, properties, triggers), reused per
 * system: evaluation keeps no reference to it, and the explorer calls it for
 * every state, so allocating one each time would feed the garbage collector.
 */
export function readCtx(sys: TransitionSystem, state: State, self: number): ExecCtx {
  let ctx = readCtxs.get(sys);
  if (!ctx) {
    ctx = makeCtx(sys, state, self);
    readCtxs.set(sys, ctx);
  }
  ctx.state = state;
  ctx.self = self;
  ctx.byzantine = self >= 0 && ((state.nodes[self]?.flags ?? 0) & FLAG_BYZANTINE) !== 0;
  return ctx;
}

interface Outcome {
  vars: Value[];
  timers: number[];
  sends: OutMsg[];
  events: ExecEvent[];
  /** A scripted `after send` crash cut the handler. */
  cut: boolean;
  error: RuntimeFault | null;
}

/** How one run of a handler's body ended: normally (null), with a runtime error, blocked (`choose` among nothing), or cut by a scripted crash. */
export type BodyEnd = RuntimeFault | 'blocked' | 'cut' | null;

/** Runs a handler's body once on `ctx`; every error becomes a runtime fault at the handler. */
export function runBody(ctx: ExecCtx, handler: CompiledHandler): BodyEnd {
  try {
    handler.body(ctx);
    return null;
  } catch (e) {
    if (e instanceof CutHandler) return 'cut';
    if (e instanceof Blocked) return 'blocked';
    if (e instanceof RuntimeFault) return e;
    return new RuntimeFault(e instanceof Error ? e.message : String(e), handler.span);
  }
}

/** Runs a handler once per combination of its `choose` decisions. */
function runHandler(
  sys: TransitionSystem,
  s: State,
  nodeId: number,
  handler: CompiledHandler,
  msg: Msg | null,
  baseVars: readonly Value[] | null,
  onSend: ((type: number, dst: number) => boolean) | null,
  firedTimer = -1,
): Outcome[] {
  const node = s.nodes[nodeId]!;
  const outcomes: Outcome[] = [];
  const odometer = new ChoiceOdometer();
  const ctx = makeCtx(sys, s, nodeId);
  ctx.inStart = handler.kind === 'start';
  ctx.onSend = onSend;
  ctx.choose = (n: number) => odometer.choose(n);
  for (let runs = 0; runs < 100_000; runs++) {
    odometer.startRun();
    ctx.vars = (baseVars ?? node.vars).slice();
    ctx.timers = node.timers.slice();
    if (firedTimer >= 0) ctx.timers[firedTimer] = -1;
    ctx.sends = [];
    ctx.events = [];
    if (msg) bindMessage(ctx.frame, handler, msg);
    const end = runBody(ctx, handler);
    if (end !== 'blocked') {
      outcomes.push({ vars: ctx.vars, timers: ctx.timers, sends: ctx.sends, events: ctx.events, cut: end === 'cut', error: end instanceof RuntimeFault ? end : null });
    }
    if (!odometer.advance()) break;
  }
  return outcomes;
}

function guardHolds(sys: TransitionSystem, s: State, nodeId: number, h: CompiledHandler, msg: Msg | null): boolean {
  if (!h.guard) return true;
  const ctx = readCtx(sys, s, nodeId);
  if (msg) bindMessage(ctx.frame, h, msg);
  try {
    return h.guard(ctx) !== 0;
  } catch {
    // A guard that fails counts as enabled, so the handler's error surfaces as a step.
    return true;
  }
}

export function bindMessage(frame: Value[], h: CompiledHandler, m: Msg): void {
  for (let i = 0; i < h.paramSlots.length; i++) frame[h.paramSlots[i]!] = m.fields[i] ?? 0;
  if (h.fromSlot >= 0) frame[h.fromSlot] = m.src;
}

/** The handler a message would run at its receiver now, or null when none is enabled. */
export function handlerFor(sys: TransitionSystem, s: State, m: Msg): CompiledHandler | null {
  const dst = sys.nodes[m.dst]!;
  const list = sys.roles[dst.role]!.messageHandlers[m.type];
  if (!list) return null;
  for (const h of list) {
    if (h.fromRole >= 0 && sys.nodes[m.src]!.role !== h.fromRole) continue;
    if (guardHolds(sys, s, m.dst, h, m)) return h;
  }
  return null;
}

export function timeoutHandlerFor(sys: TransitionSystem, s: State, nodeId: number, timer: number): CompiledHandler | null {
  const list = sys.roles[sys.nodes[nodeId]!.role]!.timeoutHandlers[timer] ?? [];
  for (const h of list) if (guardHolds(sys, s, nodeId, h, null)) return h;
  return null;
}

function isUp(s: State, id: number): boolean {
  return (s.nodes[id]!.flags & FLAG_UP) !== 0;
}

export function crashBudgetFor(sys: TransitionSystem, s: State, nodeId: number, whileSending: boolean): number {
  const role = sys.nodes[nodeId]!.role;
  for (const b of sys.budgets) {
    if (b.kind !== 'crash' || (b.target >= 0 && b.target !== role)) continue;
    if (whileSending && !b.whileSending) continue;
    if (s.used[b.slot]! < b.limit) return b.slot;
  }
  return -1;
}

export function canRecover(sys: TransitionSystem, nodeId: number): boolean {
  const role = sys.nodes[nodeId]!.role;
  return sys.budgets.some((b) => b.kind === 'crash' && b.recover && (b.target < 0 || b.target === role));
}

export function messageBudgetFor(sys: TransitionSystem, s: State, kind: 'drop' | 'duplicate' | 'delay', m: Msg): number {
  for (const b of sys.budgets) {
    if (b.kind !== kind || (b.target >= 0 && b.target !== m.type)) continue;
    if (s.used[b.slot]! < b.limit) return b.slot;
  }
  return -1;
}

/** A working copy of a state that successors are built in. */
class Draft {
  nodes: NodeState[];
  msgs: Msg[];
  used: number[];
  partition: number;
  healAt: number;
  fired: number;
  dropsLeft: number[];
  clock: number;
  seen: number;

  constructor(readonly sys: TransitionSystem, s: State) {
    this.nodes = s.nodes.slice();
    this.msgs = s.msgs.slice();
    this.used = s.used as number[];
    this.partition = s.partition;
    this.healAt = s.healAt;
    this.fired = s.fired;
    this.dropsLeft = s.dropsLeft as number[];
    this.clock = s.clock;
    this.seen = s.seen;
  }

  spend(slot: number): void {
    this.used = this.used.slice();
    this.used[slot] = this.used[slot]! + 1;
  }

  removeMsg(m: Msg): void {
    const i = this.msgs.findIndex((x) => sameMsg(x, m));
    if (i >= 0) this.msgs.splice(i, 1);
  }

  /** Puts a handler's sends in flight, or records why each was lost. */
  send(src: number, out: OutMsg[], sent: SentMsg[]): void {
    const sys = this.sys;
    for (const o of out) {
      const msg: Msg = { type: o.type, src, dst: o.dst, fields: o.fields, left: sys.timing === 'sync' ? sys.delta : -1 };
      let lost: LostReason | null = null;
      if (this.partition !== 0 && ((this.partition >> src) & 1) !== ((this.partition >> o.dst) & 1)) lost = 'partition';
      else if (!isUpNode(this.nodes[o.dst]!)) lost = 'receiver-down';
      else {
        for (const e of sys.script) {
          const a = e.action;
          if (a.kind !== 'drop' || this.dropsLeft[e.index]! <= 0) continue;
          if (a.message !== o.type || (a.from && !a.from.includes(src)) || (a.to && !a.to.includes(o.dst))) continue;
          this.dropsLeft = this.dropsLeft.slice();
          this.dropsLeft[e.index] = this.dropsLeft[e.index]! - 1;
          lost = 'scripted-drop';
          break;
        }
      }
      sent.push({ msg, lost });
      if (!lost) insertMsg(sys.fifo, this.msgs, msg);
    }
  }

  crash(id: number): void {
    const sys = this.sys;
    const role = sys.roles[sys.nodes[id]!.role]!;
    const node = this.nodes[id]!;
    // Volatile state is reset at the crash (not at recovery) so crashed states compare equal.
    const ctx = makeCtx(sys, this.freeze(), id);
    const vars = node.vars.map((v, i) => (role.vars[i]!.stable ? v : role.vars[i]!.init(ctx)[0]!));
    this.nodes[id] = { vars, flags: node.flags & ~FLAG_UP, timers: node.timers.map(() => -1) };
    this.msgs = this.msgs.filter((m) => m.dst !== id);
  }

  freeze(): State {
    return {
      nodes: this.nodes,
      msgs: this.msgs,
      used: this.used,
      partition: this.partition,
      healAt: this.healAt,
      fired: this.fired,
      dropsLeft: this.dropsLeft,
      clock: this.clock,
      seen: this.seen,
    };
  }
}

function isUpNode(n: NodeState): boolean {
  return (n.flags & FLAG_UP) !== 0;
}

function emptyStep(kind: StepKind, node: number): StepInfo {
  return { kind, node, msg: null, handler: null, timer: -1, fault: false, budget: -1, script: -1, sends: [], events: [], crashed: false, partition: 0, error: null };
}

/**
 * Every successor of a state, in a fixed order (the explorer stores only the
 * position of a successor, and replays it to rebuild a trace).
 */
export function successors(sys: TransitionSystem, s: State): Successor[] {
  const out: Successor[] = [];
  // Scripted faults whose moment has come happen before anything else.
  for (const e of sys.script) {
    if ((s.fired >> e.index) & 1) continue;
    const t = e.trigger;
    let due = false;
    if (t.kind === 'step' && e.action.kind !== 'drop') due = s.clock >= t.step;
    else if (t.kind === 'when') {
      try {
        due = t.condition(readCtx(sys, s, -1)) !== 0;
      } catch {
        due = false;
      }
    }
    if (!due) continue;
    const d = new Draft(sys, s);
    d.fired |= 1 << e.index;
    const a = e.action;
    const step = emptyStep('crash', -1);
    step.script = e.index;
    // A due scripted fault is not optional: the state is not terminal while it waits.
    step.fault = false;
    if (a.kind === 'crash') {
      step.node = a.node;
      if (isUp(s, a.node)) d.crash(a.node);
    } else if (a.kind === 'recover') {
      step.kind = 'recover';
      step.node = a.node;
      if (!isUp(s, a.node)) recoverInto(sys, d, a.node, step, out);
    } else if (a.kind === 'partition') {
      step.kind = 'partition';
      let mask = 0;
      a.groups.forEach((g, id) => {
        if (g) mask |= 1 << id;
      });
      applyPartition(d, mask);
      d.healAt = a.healAt;
      step.partition = mask;
    }
    if (a.kind !== 'recover' || isUp(s, a.node)) out.push({ state: finish(sys, d), step });
    return out;
  }
  if (s.partition !== 0 && s.healAt >= 0 && s.clock >= s.healAt) {
    const d = new Draft(sys, s);
    d.partition = 0;
    d.healAt = -1;
    out.push({ state: finish(sys, d), step: emptyStep('heal', -1) });
    return out;
  }

  forEachHandlerStep(sys, s, (id, h, msg, index, timer) => {
    if (h.kind === 'start') {
      handlerSteps(sys, s, id, h, null, 'start', out, (d) => {
        d.nodes[id] = { ...d.nodes[id]!, flags: d.nodes[id]!.flags | FLAG_STARTED };
      });
    } else if (msg) handlerSteps(sys, s, id, h, msg, 'deliver', out, (d) => d.msgs.splice(index, 1));
    // The handler runs with the timer already disarmed, so it may set it again.
    else handlerSteps(sys, s, id, h, null, 'timeout', out, () => {}, timer);
  });

  // Time passes (sync networks only).
  if (sys.timing === 'sync') tickStep(sys, s, out);

  // Recovery of crashed nodes (crash-recovery budgets).
  for (let id = 0; id < s.nodes.length; id++) {
    if (isUp(s, id) || !canRecover(sys, id)) continue;
    recoverInto(sys, new Draft(sys, s), id, emptyStep('recover', id), out);
  }

  // Partition heals (budgeted partitions heal whenever the run lets them).
  if (s.partition !== 0 && s.healAt < 0 && sys.budgets.some((b) => b.kind === 'partition')) {
    const d = new Draft(sys, s);
    d.partition = 0;
    out.push({ state: finish(sys, d), step: emptyStep('heal', -1) });
  }

  faultSteps(sys, s, out);
  return out;
}

/** The successors that recover crashed node `id`, in `successors` order. */
/**
 * The handler runs enabled in `s`, in successor order: start handlers, then
 * deliveries (under FIFO only each channel's head; identical messages once),
 * then expired timers. `index` is the message's position, `timer` the timer's.
 * Both successor generators take their handler steps from here, in this order.
 */
export function forEachHandlerStep(
  sys: TransitionSystem,
  s: State,
  visit: (node: number, handler: CompiledHandler, msg: Msg | null, index: number, timer: number) => void,
): void {
  for (let id = 0; id < s.nodes.length; id++) {
    const node = s.nodes[id]!;
    if (node.flags & FLAG_STARTED || !(node.flags & FLAG_UP)) continue;
    visit(id, sys.roles[sys.nodes[id]!.role]!.start!, null, -1, -1);
  }
  for (let i = 0; i < s.msgs.length; i++) {
    const m = s.msgs[i]!;
    if (i > 0) {
      const prev = s.msgs[i - 1]!;
      if (sys.fifo ? prev.src === m.src && prev.dst === m.dst : sameMsg(prev, m)) continue;
    }
    const dst = s.nodes[m.dst]!;
    if (!(dst.flags & FLAG_UP) || !(dst.flags & FLAG_STARTED)) continue;
    const h = handlerFor(sys, s, m);
    if (h) visit(m.dst, h, m, i, -1);
  }
  for (let id = 0; id < s.nodes.length; id++) {
    const node = s.nodes[id]!;
    if (!(node.flags & FLAG_UP)) continue;
    for (let t = 0; t < node.timers.length; t++) {
      if (node.timers[t]! !== 0) continue;
      const h = timeoutHandlerFor(sys, s, id, t);
      if (h) visit(id, h, null, -1, t);
    }
  }
}

export function recoverySuccessors(sys: TransitionSystem, s: State, id: number): Successor[] {
  const out: Successor[] = [];
  recoverInto(sys, new Draft(sys, s), id, emptyStep('recover', id), out);
  return out;
}

function recoverInto(sys: TransitionSystem, d: Draft, id: number, step: StepInfo, out: Successor[]): void {
  const role = sys.roles[sys.nodes[id]!.role]!;
  const node = d.nodes[id]!;
  const ctx = makeCtx(sys, d.freeze(), id);
  // Volatile state is re-initialised: every `any` value is possible again.
  let choices: Value[][] = [[]];
  role.vars.forEach((v, i) => {
    const vals = v.stable ? [node.vars[i]!] : v.init(ctx);
    const next: Value[][] = [];
    for (const p of choices) for (const x of vals) next.push([...p, x]);
    choices = next;
  });
  for (const vars of choices) {
    const d2 = new Draft(sys, d.freeze());
    d2.nodes[id] = { vars, flags: node.flags | FLAG_UP | FLAG_STARTED, timers: node.timers.map(() => -1) };
    if (!role.recover) {
      out.push({ state: finish(sys, d2), step: { ...step } });
      continue;
    }
    const base = d2.freeze();
    for (const o of runHandler(sys, base, id, role.recover, null, null, null)) {
      const d3 = new Draft(sys, base);
      const st: StepInfo = { ...step, handler: role.recover, events: o.events, error: o.error, sends: [] };
      d3.nodes[id] = { ...d3.nodes[id]!, vars: o.vars, timers: o.timers };
      d3.send(id, o.sends, st.sends);
      out.push({ state: finish(sys, d3), step: st });
    }
  }
}

/** Adds the successors of running one handler: one per outcome, plus crashes part-way through its sends. */
function handlerSteps(
  sys: TransitionSystem,
  s: State,
  id: number,
  h: CompiledHandler,
  msg: Msg | null,
  kind: StepKind,
  out: Successor[],
  consume: (d: Draft) => void,
  timer = -1,
): void {
  // Scripted crashes tied to this node's sends or receipts.
  let sendScript = -1;
  const onSend = scriptedSendHook(sys, s, id, (index) => {
    sendScript = index;
  });
  const outcomes = runHandler(sys, s, id, h, msg, null, onSend, timer);
  for (const o of outcomes) {
    const d = new Draft(sys, s);
    consume(d);
    const step = emptyStep(kind, id);
    step.msg = msg;
    step.handler = h;
    step.timer = timer;
    step.events = o.events;
    step.error = o.error;
    d.nodes[id] = { ...d.nodes[id]!, vars: o.vars, timers: o.timers };
    d.send(id, o.sends, step.sends);
    if (o.cut && sendScript >= 0) {
      d.fired |= 1 << sendScript;
      step.script = sendScript;
      step.crashed = true;
      d.crash(id);
    } else if (msg) {
      const r = scriptedReceive(sys, s, id, msg);
      if (r >= 0) {
        d.fired |= 1 << r;
        step.script = r;
        step.crashed = true;
        d.crash(id);
      }
    }
    out.push({ state: finish(sys, d), step });
    // A crash while sending: the handler's state change happened, only a prefix of its sends left.
    if (!step.crashed && o.sends.length > 0 && !(s.nodes[id]!.flags & FLAG_BYZANTINE)) {
      const slot = crashBudgetFor(sys, s, id, true);
      if (slot < 0) continue;
      for (let k = 0; k < o.sends.length; k++) {
        const dk = new Draft(sys, s);
        consume(dk);
        const sk: StepInfo = { ...step, sends: [], crashed: true, fault: true, budget: slot };
        dk.nodes[id] = { ...dk.nodes[id]!, vars: o.vars, timers: o.timers };
        dk.send(id, o.sends.slice(0, k), sk.sends);
        for (const cut of o.sends.slice(k)) {
          sk.sends.push({ msg: { type: cut.type, src: id, dst: cut.dst, fields: cut.fields, left: -1 }, lost: 'cut-by-crash' });
        }
        dk.spend(slot);
        dk.crash(id);
        out.push({ state: finish(sys, dk), step: sk });
      }
    }
  }
}

function scriptedSendHook(sys: TransitionSystem, s: State, id: number, found: (index: number) => void) {
  if (sys.script.length === 0) return null;
  const pending = sys.script.filter(
    (e) => e.trigger.kind === 'send' && e.action.kind === 'crash' && e.action.node === id && !((s.fired >> e.index) & 1),
  );
  if (pending.length === 0) return null;
  return (type: number, dst: number): boolean => {
    for (const e of pending) {
      const t = e.trigger;
      if (t.kind === 'send' && t.message === type && (!t.to || t.to.includes(dst))) {
        found(e.index);
        return true;
      }
    }
    return false;
  };
}

function scriptedReceive(sys: TransitionSystem, s: State, id: number, m: Msg): number {
  for (const e of sys.script) {
    const t = e.trigger;
    if (t.kind !== 'receive' || e.action.kind !== 'crash' || e.action.node !== id || (s.fired >> e.index) & 1) continue;
    if (t.message === m.type && (!t.from || t.from.includes(m.src))) return e.index;
  }
  return -1;
}

function applyPartition(d: Draft, mask: number): void {
  d.partition = mask;
  d.msgs = d.msgs.filter((m) => ((mask >> m.src) & 1) === ((mask >> m.dst) & 1));
}

/**
 * `sync(delta)`: time may pass only when nothing is due now — no message at its
 * deadline that could be delivered, no expired timer with an enabled handler.
 */
function tickStep(sys: TransitionSystem, s: State, out: Successor[]): void {
  // Every node starts at time 0: no time passes before the start handlers have run.
  for (const node of s.nodes) if (node.flags & FLAG_UP && !(node.flags & FLAG_STARTED)) return;
  let pending = false;
  for (const m of s.msgs) {
    if (m.left > 0) pending = true;
    else if (m.left === 0 && isUp(s, m.dst) && handlerFor(sys, s, m)) return;
  }
  for (let id = 0; id < s.nodes.length; id++) {
    if (!isUp(s, id)) continue;
    const timers = s.nodes[id]!.timers;
    for (let t = 0; t < timers.length; t++) {
      if (timers[t]! > 0) pending = true;
      else if (timers[t] === 0 && timeoutHandlerFor(sys, s, id, t)) return;
    }
  }
  if (!pending) return;
  const d = new Draft(sys, s);
  d.msgs = s.msgs.map((m) => (m.left > 0 ? { ...m, left: m.left - 1 } : m.left === 0 ? { ...m, left: -1 } : m));
  for (let id = 0; id < s.nodes.length; id++) {
    const node = s.nodes[id]!;
    if (node.timers.some((t) => t >= 0)) {
      d.nodes[id] = { ...node, timers: node.timers.map((t) => (t > 0 ? t - 1 : -1)) };
    }
  }
  out.push({ state: finish(sys, d), step: emptyStep('tick', -1) });
}

function faultSteps(sys: TransitionSystem, s: State, out: Successor[]): void {
  // Crashes.
  for (let id = 0; id < s.nodes.length; id++) {
    const node = s.nodes[id]!;
    if (!(node.flags & FLAG_UP) || node.flags & FLAG_BYZANTINE) continue;
    const slot = crashBudgetFor(sys, s, id, false);
    if (slot < 0) continue;
    const d = new Draft(sys, s);
    d.spend(slot);
    d.crash(id);
    const step = emptyStep('crash', id);
    step.fault = true;
    step.budget = slot;
    out.push({ state: finish(sys, d), step });
  }
  // Message faults: drop (budgeted or lossy links), duplicate, delay.
  for (let i = 0; i < s.msgs.length; i++) {
    const m = s.msgs[i]!;
    if (i > 0 && sameMsg(s.msgs[i - 1]!, m)) continue;
    const drop = messageBudgetFor(sys, s, 'drop', m);
    if (drop >= 0 || sys.lossy) {
      const d = new Draft(sys, s);
      if (drop >= 0 && !sys.lossy) d.spend(drop);
      d.removeMsg(m);
      const step = emptyStep('drop', m.dst);
      step.msg = m;
      step.fault = true;
      step.budget = sys.lossy ? -1 : drop;
      out.push({ state: finish(sys, d), step });
    }
    const dup = messageBudgetFor(sys, s, 'duplicate', m);
    if (dup >= 0) {
      const d = new Draft(sys, s);
      d.spend(dup);
      insertMsg(sys.fifo, d.msgs, m);
      const step = emptyStep('duplicate', m.dst);
      step.msg = m;
      step.fault = true;
      step.budget = dup;
      out.push({ state: finish(sys, d), step });
    }
    if (sys.timing === 'sync' && m.left >= 0) {
      const delay = messageBudgetFor(sys, s, 'delay', m);
      if (delay >= 0) {
        const d = new Draft(sys, s);
        d.spend(delay);
        d.removeMsg(m);
        insertMsg(sys.fifo, d.msgs, { ...m, left: -1 });
        const step = emptyStep('delay', m.dst);
        step.msg = m;
        step.fault = true;
        step.budget = delay;
        out.push({ state: finish(sys, d), step });
      }
    }
  }
  // Partitions: every split into two non-empty groups (node 0 stays in the first).
  if (s.partition === 0 && sys.nodes.length > 1) {
    const budget = sys.budgets.find((b) => b.kind === 'partition' && s.used[b.slot]! < b.limit);
    if (budget) {
      const n = sys.nodes.length;
      for (let mask = 2; mask < 1 << n; mask += 2) {
        const d = new Draft(sys, s);
        d.spend(budget.slot);
        applyPartition(d, mask);
        const step = emptyStep('partition', -1);
        step.fault = true;
        step.budget = budget.slot;
        step.partition = mask;
        out.push({ state: finish(sys, d), step });
      }
    }
  }
}

/** Advances the clock and the `within` bookkeeping, and freezes the draft. */
function finish(sys: TransitionSystem, d: Draft): State {
  if (sys.clockLimit > 0 && d.clock < sys.clockLimit) d.clock++;
  const s = d.freeze();
  if (sys.clockLimit > 0) s.seen = withinSeen(sys, s);
  return s;
}

/** Marks the `within` properties that hold in `s` (once seen on a path, they stay seen). */
export function withinSeen(sys: TransitionSystem, s: State): number {
  let seen = s.seen;
  for (let i = 0; i < sys.properties.length; i++) {
    const p = sys.properties[i]!;
    if (p.within < 0 || (seen >> i) & 1) continue;
    try {
      if (p.evaluate(readCtx(sys, s, -1))) seen |= 1 << i;
    } catch {
      // An error in a property is reported when the property itself is evaluated.
    }
  }
  return seen;
}

/** Whether a run may end in this state: only fault steps (or none) are possible. */
export function isTerminal(succs: readonly Successor[]): boolean {
  for (const x of succs) if (!x.step.fault) return false;
  return true;
}
