import type { ViolationKind } from './explore.js';
import type { PropertyFailure } from './properties.js';
import { failuresAtEnd, failuresInState } from './properties.js';
import type { CompiledHandler, ExecCtx, ExecEvent, Msg, OutMsg, PropertyDef, State, TransitionSystem } from './system.js';
import { FLAG_BYZANTINE, FLAG_STARTED, FLAG_UP, RuntimeFault } from './system.js';
import { compareMsgs, sameMsg } from './state.js';
import { ChoiceOdometer } from './choice-odometer.js';
import type { StepKind } from './steps.js';
import { bindMessage, canRecover, makeCtx, runBody, successors } from './steps.js';
import type { Value } from './values.js';
import { compareValues } from './values.js';

/**
 * Random runs for simulation, one step at a time on one mutable state.
 *
 * The interpreter's walk (`randomWalk` in simulate.ts) builds every successor of a
 * state — every enabled handler run once per `choose` combination, each on a copied
 * state — to take one of them. This walk lists what is enabled (handler runs,
 * recoveries, faults) without running anything, picks one (a fault with probability
 * 0.15 when protocol steps are enabled too, as the interpreter's walk does), runs just
 * that handler with its `choose` decisions drawn at random, applies the result in
 * place and evaluates the invariants' compiled closures on the new state. Nothing is
 * copied and almost nothing allocated per step (the handler's sends and the messages
 * put in flight, whose objects are recycled).
 *
 * Paths: a violation's path must be successor indices of the interpreter's
 * `successors`, which this walk never computes. Runs are deterministic in their seed,
 * so when a run finds something the run is walked again with every state recorded,
 * and each step is located among the interpreter's successors of the previous state
 * (same kind of step, same node, equal state). A step that is not found there is a
 * bug and throws. That costs what the interpreter's walk cost, but only for runs that
 * violate something.
 *
 * Covered: `async` networks (FIFO or not, lossy or not), crash (also while sending,
 * and with recovery), drop and duplicate budgets, Byzantine nodes. Not covered, and
 * simulated by the interpreter: `sync` timing, scripted faults, partitions, `within`
 * deadlines (`create` returns null).
 *
 * The random choice differs from the interpreter's walk: that one picks uniformly
 * among successors, so a handler with two `choose` branches counted twice; this one
 * picks uniformly among enabled handler runs (and among fault steps), then each
 * `choose` decision uniformly. A handler run whose every `choose` path is blocked is
 * not a step: when the random path blocks, the run's outcomes are enumerated and one
 * of the unblocked ones taken, and a run with none is struck off and the pick redone.
 */

/** A message in flight, recycled when it leaves the network. */
interface LiveMsg {
  type: number;
  src: number;
  dst: number;
  fields: readonly Value[];
  left: number;
}

interface LiveNode {
  vars: Value[];
  flags: number;
  timers: number[];
}

/** Candidate kinds: protocol steps, then fault steps. */
const K_START = 0;
const K_DELIVER = 1;
const K_TIMEOUT = 2;
const K_RECOVER = 3;
const F_CRASH = 4;
const F_DROP = 5;
const F_DUPLICATE = 6;
/** A crash while sending: the handler of protocol candidate `aux` runs, then the node crashes part-way through its sends. */
const F_CRASH_SENDING = 7;

const KIND_NAMES: readonly StepKind[] = ['start', 'deliver', 'timeout', 'recover', 'crash', 'drop', 'duplicate'];

/** How a handler run ended. */
const RUN_OK = 0;
const RUN_ERROR = 1;
const RUN_BLOCKED = 2;

/** How a walk ended. */
export type WalkEnd = 'terminal' | 'bound' | 'stopped' | 'error';

/** A property found false in a run, and after how many steps. */
export interface WalkFinding {
  property: string;
  kind: ViolationKind;
  message: string;
  /** Steps taken when it was found: the violation's path is the walk's first `at` steps. */
  at: number;
}

/** A walk with its path in the interpreter's successor indices and the states it went through. */
export interface RecordedWalk {
  initial: number;
  path: number[];
  /** The state after each step (null after a handler error). */
  states: (State | null)[];
  end: WalkEnd;
}

/** One step of a recorded walk: what the interpreter's successor must be. */
interface RecordedStep {
  kind: StepKind;
  node: number;
  fault: boolean;
  error: string | null;
  /** The state after the step (null after an error). */
  after: State | null;
}

const noValues: readonly Value[] = [];
const emptyMsgs: readonly Msg[] = [];

export class RandomWalker {
  // What the last `walk` did.
  initial = 0;
  steps = 0;
  ended: WalkEnd = 'bound';
  error: string | null = null;
  /** First finding per property in the last walk, in the order found. */
  readonly findings: WalkFinding[] = [];

  private readonly nodes: LiveNode[];
  private readonly used: number[];
  /** What compiled closures see as the state (messages are not read by them: they live in `msgs`). */
  private readonly state: State;
  private msgs: LiveMsg[] = [];
  private msgCount = 0;
  private readonly freeMsgs: LiveMsg[] = [];

  private readonly ctx: ExecCtx;
  private readonly readCtx: ExecCtx;
  private readonly invariants: PropertyDef[];
  private readonly hasEventually: boolean;
  private readonly recoverable: boolean[];
  private readonly scratchVars: Value[][];
  private readonly scratchTimers: number[][];
  private readonly odometer = new ChoiceOdometer();
  /** `choose` draws from the generator (false) or from the odometer (true). */
  private enumerating = false;
  private sends: OutMsg[] = [];
  private events: ExecEvent[] = [];
  private rngState = 0;
  private record: RecordedStep[] | null = null;

  // Candidates of the current state: protocol steps in [0, normal), fault steps in [0, faults).
  private nKind = new Int32Array(64);
  private nNode = new Int32Array(64);
  private nAux = new Int32Array(64);
  private nHandler: (CompiledHandler | null)[] = [];
  private nDead = new Uint8Array(64);
  private normal = 0;
  private normalLive = 0;
  private fKind = new Int32Array(64);
  private fNode = new Int32Array(64);
  private fAux = new Int32Array(64);
  private fSlot = new Int32Array(64);
  private fDead = new Uint8Array(64);
  private faults = 0;
  private faultsLive = 0;

  // Budgets with room left (see `refreshBudgets`).
  private budgetsDirty = true;
  private anyCrash = false;
  private anySending = false;
  private anyFault = false;
  private readonly crashSlot: Int32Array;
  private readonly sendingSlot: Int32Array;
  private readonly dropSlot: Int32Array;
  private readonly duplicateSlot: Int32Array;
  private readonly roleOf: Int32Array;
  private readonly maxTimers: number;

  static create(sys: TransitionSystem): RandomWalker | null {
    if (sys.timing !== 'async' || sys.script.length > 0 || sys.clockLimit > 0) return null;
    if (sys.budgets.some((b) => b.kind === 'partition' || b.kind === 'delay')) return null;
    if (sys.properties.some((p) => p.within >= 0)) return null;
    return new RandomWalker(sys);
  }

  private constructor(private readonly sys: TransitionSystem) {
    this.nodes = sys.nodes.map((n) => {
      const role = sys.roles[n.role]!;
      return { vars: role.vars.map(() => 0), flags: 0, timers: role.timers.map(() => -1) };
    });
    this.used = sys.budgets.map(() => 0);
    this.state = { nodes: this.nodes, msgs: emptyMsgs, used: this.used, partition: 0, healAt: -1, fired: 0, dropsLeft: [], clock: 0, seen: 0 };
    let frameSize = 256;
    for (const role of sys.roles) for (const h of role.handlers) frameSize = Math.max(frameSize, h.frameSize);
    const frame = new Array<Value>(frameSize).fill(0);
    this.ctx = makeCtx(sys, this.state, -1);
    this.ctx.frame = frame;
    this.ctx.choose = (n: number) => (this.enumerating ? this.odometer.choose(n) : Math.floor(this.random() * n));
    this.readCtx = makeCtx(sys, this.state, -1);
    this.readCtx.frame = frame;
    this.invariants = sys.properties.filter((p) => p.kind === 'invariant');
    this.hasEventually = sys.properties.some((p) => p.kind === 'eventually');
    this.recoverable = sys.nodes.map((n) => canRecover(sys, n.id));
    this.scratchVars = sys.roles.map((role) => role.vars.map(() => 0));
    this.scratchTimers = sys.roles.map((role) => role.timers.map(() => -1));
    this.crashSlot = new Int32Array(sys.roles.length);
    this.sendingSlot = new Int32Array(sys.roles.length);
    this.dropSlot = new Int32Array(sys.messages.length);
    this.duplicateSlot = new Int32Array(sys.messages.length);
    this.roleOf = Int32Array.from(sys.nodes, (n) => n.role);
    this.maxTimers = Math.max(0, ...sys.roles.map((r) => r.timers.length));
  }

  /** mulberry32, as `Rng`: a float in [0, 1). */
  private random(): number {
    this.rngState = (this.rngState + 0x6d2b79f5) | 0;
    let t = this.rngState;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  private below(n: number): number {
    return Math.floor(this.random() * n);
  }

  /**
   * One seeded run of at most `maxSteps` steps from one of `inits`; what it did is in
   * this walker's fields. It stops at the first state where an invariant is false, at a
   * handler error, at a state with no step, or at the bound; at states where only faults
   * may happen the `eventually` properties are checked, and the run goes on.
   */
  walk(inits: readonly State[], seed: number, maxSteps: number): WalkEnd {
    this.rngState = seed >>> 0;
    this.findings.length = 0;
    this.error = null;
    this.initial = this.below(inits.length);
    this.steps = 0;
    this.load(inits[this.initial]!);
    if (this.invariantFails()) return (this.ended = 'stopped');
    const quick = !this.hasEventually;
    for (let k = 0; k < maxSteps; k++) {
      let outcome: number;
      if (quick && !(this.budgetsDirty && this.refreshBudgets()) && !this.anySending) outcome = this.quickStep();
      else {
        this.enumerate();
        outcome = this.step(-1);
      }
      if (outcome === STEP_NONE) return (this.ended = 'terminal');
      this.steps++;
      if (outcome === STEP_ERROR) return (this.ended = 'error');
      if (this.invariantFails()) return (this.ended = 'stopped');
    }
    return (this.ended = 'bound');
  }

  /**
   * Walks seed `seed` again, recording its states, and returns the interpreter's
   * successor indices of its first `length` steps (what `replayPath` replays).
   */
  interpreterPath(inits: readonly State[], seed: number, maxSteps: number, length: number): number[] {
    return this.recordedWalk(inits, seed, Math.min(maxSteps, length)).path;
  }

  /**
   * Walks seed `seed` with every state recorded: the run as the interpreter's successor
   * indices (each step located among `successors` of the state before it, which throws
   * if it is not there) and the states this walk was in after each step (null after a
   * handler error).
   */
  recordedWalk(inits: readonly State[], seed: number, maxSteps: number): RecordedWalk {
    const recorded: RecordedStep[] = [];
    this.record = recorded;
    let end: WalkEnd;
    try {
      end = this.walk(inits, seed, maxSteps);
    } finally {
      this.record = null;
    }
    const path: number[] = [];
    let s = inits[this.initial]!;
    for (const r of recorded) {
      const succs = successors(this.sys, s);
      const at = succs.findIndex(
        (x) =>
          x.step.kind === r.kind &&
          x.step.node === r.node &&
          x.step.fault === r.fault &&
          (r.error !== null ? x.step.error?.message === r.error : x.step.error === null && r.after !== null && sameState(x.state, r.after)),
      );
      if (at < 0) throw new Error(`internal error: simulation step ${path.length + 1} (${r.kind} at node ${r.node}) is not a successor of its state`);
      path.push(at);
      s = succs[at]!.state;
    }
    return { initial: this.initial, path, states: recorded.map((r) => r.after), end };
  }

  /** The current state as an immutable `State` (for reports and recording). */
  snapshot(): State {
    const msgs: Msg[] = [];
    for (let i = 0; i < this.msgCount; i++) {
      const m = this.msgs[i]!;
      msgs.push({ type: m.type, src: m.src, dst: m.dst, fields: m.fields, left: m.left });
    }
    return {
      nodes: this.nodes.map((n) => ({ vars: n.vars.slice(), flags: n.flags, timers: n.timers.slice() })),
      msgs,
      used: this.used.slice(),
      partition: 0,
      healAt: -1,
      fired: 0,
      dropsLeft: [],
      clock: 0,
      seen: 0,
    };
  }

  private load(s: State): void {
    for (let id = 0; id < this.nodes.length; id++) {
      const from = s.nodes[id]!;
      const to = this.nodes[id]!;
      for (let i = 0; i < to.vars.length; i++) to.vars[i] = from.vars[i]!;
      for (let i = 0; i < to.timers.length; i++) to.timers[i] = from.timers[i]!;
      to.flags = from.flags;
    }
    for (let i = 0; i < this.used.length; i++) this.used[i] = s.used[i]!;
    this.budgetsDirty = true;
    while (this.msgCount > 0) this.freeMsgs.push(this.msgs[--this.msgCount]!);
    for (const m of s.msgs) this.msgs[this.msgCount++] = this.newMsg(m.type, m.src, m.dst, m.fields, m.left);
  }

  /** Whether an invariant is false (or fails) in the current state; if so its findings are recorded. */
  private invariantFails(): boolean {
    const ctx = this.readCtx;
    ctx.self = -1;
    ctx.vars = null;
    ctx.timers = null;
    ctx.byzantine = false;
    let bad = false;
    for (let i = 0; i < this.invariants.length; i++) {
      try {
        if (this.invariants[i]!.evaluate(ctx) === 0) bad = true;
      } catch {
        bad = true;
      }
      if (bad) break;
    }
    if (!bad) return false;
    this.found(failuresInState(this.sys, this.snapshot(), () => false));
    return true;
  }

  private found(failures: PropertyFailure[]): void {
    for (const f of failures) {
      if (this.findings.some((x) => x.property === f.property)) continue;
      this.findings.push({ property: f.property, kind: f.kind, message: f.message, at: this.steps });
    }
  }

  // ---- Listing what may happen -------------------------------------------------------

  private addNormal(kind: number, node: number, aux: number, h: CompiledHandler | null): void {
    const n = this.normal;
    if (n === this.nKind.length) {
      this.nKind = grown(this.nKind);
      this.nNode = grown(this.nNode);
      this.nAux = grown(this.nAux);
      this.nDead = grownBytes(this.nDead);
    }
    this.nKind[n] = kind;
    this.nNode[n] = node;
    this.nAux[n] = aux;
    this.nDead[n] = 0;
    this.nHandler[n] = h;
    this.normal = n + 1;
  }

  private addFault(kind: number, node: number, aux: number, slot: number): void {
    const n = this.faults;
    if (n === this.fKind.length) {
      this.fKind = grown(this.fKind);
      this.fNode = grown(this.fNode);
      this.fAux = grown(this.fAux);
      this.fSlot = grown(this.fSlot);
      this.fDead = grownBytes(this.fDead);
    }
    this.fKind[n] = kind;
    this.fNode[n] = node;
    this.fAux[n] = aux;
    this.fSlot[n] = slot;
    this.fDead[n] = 0;
    this.faults = n + 1;
  }

  /**
   * Which budget each fault would spend now (-1: none left): per role for crashes, per
   * message type for drops and duplicates, as `crashBudgetFor` and `messageBudgetFor`
   * choose. Recomputed after a step that spent a budget.
   */
  private refreshBudgets(): false {
    const sys = this.sys;
    const used = this.used;
    this.budgetsDirty = false;
    let anyCrash = false;
    let anySending = false;
    for (let r = 0; r < sys.roles.length; r++) {
      this.crashSlot[r] = -1;
      this.sendingSlot[r] = -1;
    }
    for (let t = 0; t < sys.messages.length; t++) {
      this.dropSlot[t] = -1;
      this.duplicateSlot[t] = -1;
    }
    // Budgets in declaration order: the first with room left is the one spent.
    for (const b of sys.budgets) {
      if (used[b.slot]! >= b.limit) continue;
      if (b.kind === 'crash') {
        for (let r = 0; r < sys.roles.length; r++) {
          if (b.target >= 0 && b.target !== r) continue;
          if (this.crashSlot[r]! < 0) this.crashSlot[r] = b.slot;
          if (b.whileSending && this.sendingSlot[r]! < 0) this.sendingSlot[r] = b.slot;
        }
        anyCrash = true;
        if (b.whileSending) anySending = true;
      } else if (b.kind === 'drop' || b.kind === 'duplicate') {
        const table = b.kind === 'drop' ? this.dropSlot : this.duplicateSlot;
        for (let t = 0; t < sys.messages.length; t++) if ((b.target < 0 || b.target === t) && table[t]! < 0) table[t] = b.slot;
      }
    }
    this.anyCrash = anyCrash;
    this.anySending = anySending;
    let anyMessageFault = this.sys.lossy;
    for (let t = 0; t < sys.messages.length; t++) if (this.dropSlot[t]! >= 0 || this.duplicateSlot[t]! >= 0) anyMessageFault = true;
    this.anyFault = anyCrash || anyMessageFault;
    return false;
  }

  /**
   * Lists the steps enabled now: the interpreter's (see `successors`), one per handler
   * run rather than per outcome, and each crash while sending once per handler run.
   * The order is this walk's own (paths are matched against the interpreter's later).
   */
  private enumerate(): void {
    const sys = this.sys;
    const nodes = this.nodes;
    if (this.budgetsDirty) this.refreshBudgets();
    this.normal = 0;
    this.faults = 0;
    const roleOf = this.roleOf;
    for (let id = 0; id < nodes.length; id++) {
      const f = nodes[id]!.flags;
      if (!(f & FLAG_UP)) {
        if (this.recoverable[id]) this.addNormal(K_RECOVER, id, -1, null);
        continue;
      }
      if (!(f & FLAG_STARTED)) this.addNormal(K_START, id, -1, sys.roles[roleOf[id]!]!.start);
      if (this.anyCrash && !(f & FLAG_BYZANTINE)) {
        const slot = this.crashSlot[roleOf[id]!]!;
        if (slot >= 0) this.addFault(F_CRASH, id, -1, slot);
      }
      const timers = nodes[id]!.timers;
      for (let t = 0; t < timers.length; t++) {
        if (timers[t] !== 0) continue;
        const h = this.timeoutHandlerFor(id, t);
        if (h) this.addNormal(K_TIMEOUT, id, t, h);
      }
    }
    const fifo = sys.fifo;
    const lossy = sys.lossy;
    const msgs = this.msgs;
    let prev: LiveMsg | null = null;
    for (let i = 0; i < this.msgCount; i++) {
      const m = msgs[i]!;
      // Equal messages are one step (and one fault); under FIFO only a channel's head is delivered.
      const same = prev !== null && prev.type === m.type && prev.src === m.src && prev.dst === m.dst && sameMsg(prev, m);
      const head = fifo ? prev === null || prev.src !== m.src || prev.dst !== m.dst : !same;
      prev = m;
      if (head) {
        const f = nodes[m.dst]!.flags;
        if (f & FLAG_UP && f & FLAG_STARTED) {
          const h = this.handlerFor(m);
          if (h) this.addNormal(K_DELIVER, m.dst, i, h);
        }
      }
      if (same) continue;
      const drop = this.dropSlot[m.type]!;
      if (drop >= 0 || lossy) this.addFault(F_DROP, m.dst, i, lossy ? -1 : drop);
      const dup = this.duplicateSlot[m.type]!;
      if (dup >= 0) this.addFault(F_DUPLICATE, m.dst, i, dup);
    }
    if (this.anySending) {
      for (let j = 0; j < this.normal; j++) {
        if (this.nKind[j] === K_RECOVER) continue;
        const id = this.nNode[j]!;
        if (nodes[id]!.flags & FLAG_BYZANTINE) continue;
        const slot = this.sendingSlot[roleOf[id]!]!;
        if (slot >= 0) this.addFault(F_CRASH_SENDING, id, j, slot);
      }
    }
    this.normalLive = this.normal;
    this.faultsLive = this.faults;
  }

  private guardHolds(id: number, h: CompiledHandler, m: LiveMsg | null): boolean {
    const guard = h.guard;
    if (!guard) return true;
    const ctx = this.readCtx;
    ctx.self = id;
    ctx.vars = null;
    ctx.timers = null;
    ctx.byzantine = (this.nodes[id]!.flags & FLAG_BYZANTINE) !== 0;
    if (m) bindMessage(ctx.frame, h, m);
    try {
      return guard(ctx) !== 0;
    } catch {
      // As the interpreter: a failing guard counts as enabled, so the error surfaces as a step.
      return true;
    }
  }

  private handlerFor(m: LiveMsg): CompiledHandler | null {
    const sys = this.sys;
    const list = sys.roles[sys.nodes[m.dst]!.role]!.messageHandlers[m.type];
    if (!list) return null;
    for (let i = 0; i < list.length; i++) {
      const h = list[i]!;
      if (h.fromRole >= 0 && sys.nodes[m.src]!.role !== h.fromRole) continue;
      if (this.guardHolds(m.dst, h, m)) return h;
    }
    return null;
  }

  private timeoutHandlerFor(id: number, timer: number): CompiledHandler | null {
    const list = this.sys.roles[this.sys.nodes[id]!.role]!.timeoutHandlers[timer];
    if (!list) return null;
    for (let i = 0; i < list.length; i++) if (this.guardHolds(id, list[i]!, null)) return list[i]!;
    return null;
  }

  // ---- Taking one step -----------------------------------------------------------------

  /**
   * Picks an enabled step and takes it. Protocol steps and fault steps are both
   * enabled: a fault with probability 0.15; otherwise uniformly among all of them.
   */
  private step(forced: number): number {
    let terminalChecked = false;
    for (;;) {
      if (this.normalLive === 0) {
        if (!terminalChecked) {
          terminalChecked = true;
          if (this.hasEventually) this.found(failuresAtEnd(this.sys, this.snapshot(), () => false));
        }
        if (this.faultsLive === 0) return STEP_NONE;
      }
      let fault: boolean;
      let k: number;
      if (this.faultsLive === 0 || this.normalLive === 0) {
        k = this.below(this.normalLive + this.faultsLive);
        fault = k >= this.normalLive;
        if (fault) k -= this.normalLive;
      } else {
        fault = forced >= 0 ? forced === 1 : this.random() < 0.15;
        forced = -1;
        k = this.below(fault ? this.faultsLive : this.normalLive);
        // A run may end only where no protocol step is possible: find out before taking a fault.
        if (fault && this.hasEventually && !terminalChecked && !this.someNormalLive()) continue;
      }
      const outcome = fault ? this.takeFault(this.nth(this.fDead, this.faults, this.faultsLive, k)) : this.takeNormal(this.nth(this.nDead, this.normal, this.normalLive, k));
      if (outcome !== STEP_DEAD) return outcome;
    }
  }

  /**
   * `step` without listing everything enabled, for models without crashes while
   * sending and without \`eventually\` properties (where a run must know whether a
   * state is terminal before taking a fault). Fault or not is drawn first (0.15), then
   * a candidate slot (node, message, timer) uniformly until one is enabled: uniform
   * among the enabled ones, as in \`step\`. After many misses (perhaps none is
   * enabled) everything is listed and \`step\` takes the class drawn.
   */
  private quickStep(): number {
    const nodeCount = this.nodes.length;
    const mc = this.msgCount;
    const fault = this.anyFault && this.random() < 0.15;
    if (fault) {
      const slots = nodeCount + 2 * mc;
      for (let attempt = slots; attempt > 0; attempt--) {
        if (this.sampleFault(this.below(slots))) {
          const outcome = this.takeFault(0);
          if (outcome !== STEP_DEAD) return outcome;
          break;
        }
      }
    } else {
      const slots = nodeCount + mc + nodeCount * this.maxTimers;
      for (let attempt = slots; attempt > 0; attempt--) {
        if (this.sampleNormal(this.below(slots))) {
          const outcome = this.takeNormal(0);
          if (outcome !== STEP_DEAD) return outcome;
          break;
        }
      }
    }
    this.enumerate();
    return this.step(fault ? 1 : 0);
  }

  /** Whether protocol slot `u` is an enabled step; if so it is candidate 0. */
  private sampleNormal(u: number): boolean {
    const nodes = this.nodes;
    const nodeCount = nodes.length;
    this.normal = 0;
    if (u < nodeCount) {
      const f = nodes[u]!.flags;
      if (!(f & FLAG_UP)) {
        if (!this.recoverable[u]) return false;
        this.addNormal(K_RECOVER, u, -1, null);
      } else {
        if (f & FLAG_STARTED) return false;
        this.addNormal(K_START, u, -1, this.sys.roles[this.roleOf[u]!]!.start);
      }
    } else if (u < nodeCount + this.msgCount) {
      const i = u - nodeCount;
      const m = this.msgs[i]!;
      if (i > 0) {
        const prev = this.msgs[i - 1]!;
        if (prev.src === m.src && prev.dst === m.dst && (this.sys.fifo || (prev.type === m.type && sameMsg(prev, m)))) return false;
      }
      const f = nodes[m.dst]!.flags;
      if (!(f & FLAG_UP) || !(f & FLAG_STARTED)) return false;
      const h = this.handlerFor(m);
      if (!h) return false;
      this.addNormal(K_DELIVER, m.dst, i, h);
    } else {
      const v = u - nodeCount - this.msgCount;
      const id = (v / this.maxTimers) | 0;
      const t = v - id * this.maxTimers;
      const node = nodes[id]!;
      if (t >= node.timers.length || !(node.flags & FLAG_UP) || node.timers[t] !== 0) return false;
      const h = this.timeoutHandlerFor(id, t);
      if (!h) return false;
      this.addNormal(K_TIMEOUT, id, t, h);
    }
    this.normalLive = 1;
    return true;
  }

  /** Whether fault slot `u` (a node's crash, a message's drop or duplicate) is possible; if so it is candidate 0. */
  private sampleFault(u: number): boolean {
    const nodes = this.nodes;
    const nodeCount = nodes.length;
    this.faults = 0;
    if (u < nodeCount) {
      const f = nodes[u]!.flags;
      if (!(f & FLAG_UP) || f & FLAG_BYZANTINE) return false;
      const slot = this.crashSlot[this.roleOf[u]!]!;
      if (slot < 0) return false;
      this.addFault(F_CRASH, u, -1, slot);
    } else {
      const v = u - nodeCount;
      const i = v >> 1;
      const m = this.msgs[i]!;
      if (i > 0 && sameMsg(this.msgs[i - 1]!, m)) return false;
      if (v & 1) {
        const dup = this.duplicateSlot[m.type]!;
        if (dup < 0) return false;
        this.addFault(F_DUPLICATE, m.dst, i, dup);
      } else {
        const drop = this.dropSlot[m.type]!;
        if (drop < 0 && !this.sys.lossy) return false;
        this.addFault(F_DROP, m.dst, i, this.sys.lossy ? -1 : drop);
      }
    }
    this.faultsLive = 1;
    return true;
  }

  /** The index of the `k`-th candidate not struck off. */
  private nth(dead: Uint8Array, count: number, live: number, k: number): number {
    if (live === count) return k;
    for (let i = 0; i < count; i++) {
      if (dead[i]) continue;
      if (k === 0) return i;
      k--;
    }
    return -1;
  }

  /** Whether some protocol step is possible (handler runs whose every path blocks are struck off on the way). */
  private someNormalLive(): boolean {
    for (let j = 0; j < this.normal; j++) {
      if (this.nDead[j]) continue;
      const kind = this.nKind[j]!;
      if (kind === K_RECOVER) return true;
      const end = this.runCandidate(j, true);
      if (end !== RUN_BLOCKED) return true;
      this.strikeNormal(j);
    }
    return false;
  }

  private strikeNormal(j: number): void {
    this.nDead[j] = 1;
    this.normalLive--;
  }

  /** Runs the handler of protocol candidate `j` on scratch copies (`firstOnly`: the first unblocked outcome, no random draws). */
  private runCandidate(j: number, firstOnly = false): number {
    const kind = this.nKind[j]!;
    const id = this.nNode[j]!;
    const h = this.nHandler[j]!;
    const msg = kind === K_DELIVER ? this.msgs[this.nAux[j]!]! : null;
    const timer = kind === K_TIMEOUT ? this.nAux[j]! : -1;
    return this.runHandler(id, h, msg, timer, firstOnly);
  }

  /**
   * Runs handler `h` at node `id` once, its `choose` decisions drawn at random, into
   * the role's scratch variables and timers and `this.sends`. When the drawn path
   * blocks, every combination is tried and one unblocked outcome is drawn among them;
   * RUN_BLOCKED when there is none.
   */
  private runHandler(id: number, h: CompiledHandler, msg: LiveMsg | null, timer: number, firstOnly: boolean): number {
    if (!firstOnly) {
      const end = this.runOnce(id, h, msg, timer);
      if (end !== RUN_BLOCKED) return end;
    }
    // Rare: enumerate the outcomes, count the unblocked ones, run the one drawn.
    this.enumerating = true;
    try {
      const odometer = this.odometer;
      let unblocked = 0;
      odometer.reset();
      for (let runs = 0; runs < 100_000; runs++) {
        odometer.startRun();
        const end = this.runOnce(id, h, msg, timer);
        if (end !== RUN_BLOCKED) {
          if (firstOnly) return end;
          unblocked++;
        }
        if (!odometer.advance()) break;
      }
      if (unblocked === 0) return RUN_BLOCKED;
      let pick = this.below(unblocked);
      odometer.reset();
      for (let runs = 0; runs < 100_000; runs++) {
        odometer.startRun();
        const end = this.runOnce(id, h, msg, timer);
        if (end !== RUN_BLOCKED && pick-- === 0) return end;
        if (!odometer.advance()) break;
      }
      return RUN_BLOCKED;
    } finally {
      this.enumerating = false;
    }
  }

  private lastError: RuntimeFault | null = null;

  private runOnce(id: number, h: CompiledHandler, msg: LiveMsg | null, timer: number): number {
    const sys = this.sys;
    const node = this.nodes[id]!;
    const role = sys.nodes[id]!.role;
    const vars = this.scratchVars[role]!;
    const timers = this.scratchTimers[role]!;
    const nv = node.vars;
    for (let i = 0; i < vars.length; i++) vars[i] = nv[i]!;
    const nt = node.timers;
    for (let i = 0; i < timers.length; i++) timers[i] = nt[i]!;
    if (timer >= 0) timers[timer] = -1;
    if (this.sends.length > 0) this.sends = [];
    if (this.events.length > 0) this.events = [];
    const ctx = this.ctx;
    ctx.self = id;
    ctx.vars = vars;
    ctx.timers = timers;
    ctx.sends = this.sends;
    ctx.events = this.events;
    ctx.byzantine = (node.flags & FLAG_BYZANTINE) !== 0;
    ctx.inStart = h.kind === 'start';
    if (msg) bindMessage(ctx.frame, h, msg);
    const end = runBody(ctx, h);
    if (end === null) return RUN_OK;
    if (end === 'blocked') return RUN_BLOCKED;
    // Nothing cuts a handler without scripted faults.
    this.lastError = end === 'cut' ? null : end;
    return RUN_ERROR;
  }

  /** Takes protocol candidate `j`; STEP_DEAD when its handler blocks on every path. */
  private takeNormal(j: number): number {
    const kind = this.nKind[j]!;
    const id = this.nNode[j]!;
    if (kind === K_RECOVER) return this.recover(id);
    const end = this.runCandidate(j);
    if (end === RUN_BLOCKED) {
      this.strikeNormal(j);
      return STEP_DEAD;
    }
    if (end === RUN_ERROR) return this.errorStep(kind, id, false);
    this.commitHandler(j, this.sends.length);
    this.recordStep(KIND_NAMES[kind]!, id, false);
    return STEP_TAKEN;
  }

  private errorStep(kind: number, id: number, fault: boolean): number {
    this.error = this.lastError?.message ?? 'handler error';
    if (this.record) this.record.push({ kind: KIND_NAMES[kind]!, node: id, fault, error: this.error, after: null });
    return STEP_ERROR;
  }

  /** Applies the handler run just made for candidate `j`, with its first `sent` sends. */
  private commitHandler(j: number, sent: number): void {
    const kind = this.nKind[j]!;
    const id = this.nNode[j]!;
    const node = this.nodes[id]!;
    const role = this.sys.nodes[id]!.role;
    const vars = this.scratchVars[role]!;
    this.scratchVars[role] = node.vars;
    node.vars = vars;
    const timers = this.scratchTimers[role]!;
    this.scratchTimers[role] = node.timers;
    node.timers = timers;
    if (kind === K_START) node.flags |= FLAG_STARTED;
    else if (kind === K_DELIVER) this.removeAt(this.nAux[j]!);
    this.send(id, sent);
  }

  /** Puts the first `count` sends in flight; a send to a crashed node is lost. */
  private send(src: number, count: number): void {
    const sends = this.sends;
    for (let i = 0; i < count; i++) {
      const o = sends[i]!;
      if (!(this.nodes[o.dst]!.flags & FLAG_UP)) continue;
      this.insert(this.newMsg(o.type, src, o.dst, o.fields, -1));
    }
  }

  private takeFault(j: number): number {
    const kind = this.fKind[j]!;
    const id = this.fNode[j]!;
    const slot = this.fSlot[j]!;
    if (kind === F_CRASH) {
      this.spend(slot);
      this.crash(id);
      this.recordStep('crash', id, true);
      return STEP_TAKEN;
    }
    if (kind === F_DROP || kind === F_DUPLICATE) {
      const m = this.msgs[this.fAux[j]!]!;
      if (slot >= 0) this.spend(slot);
      if (kind === F_DROP) {
        // The first message equal to it goes (a FIFO channel may hold equal ones apart).
        let first = 0;
        while (!sameMsg(this.msgs[first]!, m)) first++;
        this.removeAt(first);
        this.recordStep('drop', id, true);
      } else {
        this.insert(this.newMsg(m.type, m.src, m.dst, m.fields, m.left));
        this.recordStep('duplicate', id, true);
      }
      return STEP_TAKEN;
    }
    // A crash while sending: the handler ran, only a prefix of its sends left the node.
    const c = this.fAux[j]!;
    const end = this.nDead[c] ? RUN_BLOCKED : this.runCandidate(c);
    if (end === RUN_BLOCKED || this.sends.length === 0) {
      this.fDead[j] = 1;
      this.faultsLive--;
      return STEP_DEAD;
    }
    const handlerKind = this.nKind[c]!;
    if (end === RUN_ERROR) return this.errorStep(handlerKind, id, true);
    this.commitHandler(c, this.below(this.sends.length));
    this.spend(slot);
    this.crash(id);
    this.recordStep(KIND_NAMES[handlerKind]!, id, true);
    return STEP_TAKEN;
  }

  private spend(slot: number): void {
    this.used[slot]!++;
    this.budgetsDirty = true;
  }

  /** The context initial values of node `id`'s variables are computed in (at a crash or a recovery). */
  private initialValueCtx(id: number): ExecCtx {
    const ctx = this.readCtx;
    ctx.self = id;
    ctx.vars = null;
    ctx.timers = null;
    ctx.byzantine = (this.nodes[id]!.flags & FLAG_BYZANTINE) !== 0;
    return ctx;
  }

  /** Node `id` crashes: volatile variables back to their initial value, timers disarmed, messages to it lost. */
  private crash(id: number): void {
    const node = this.nodes[id]!;
    const role = this.sys.roles[this.sys.nodes[id]!.role]!;
    const ctx = this.initialValueCtx(id);
    for (let i = 0; i < role.vars.length; i++) {
      const v = role.vars[i]!;
      if (!v.stable) node.vars[i] = v.init(ctx)[0]!;
    }
    node.flags &= ~FLAG_UP;
    for (let t = 0; t < node.timers.length; t++) node.timers[t] = -1;
    let n = 0;
    for (let i = 0; i < this.msgCount; i++) {
      const m = this.msgs[i]!;
      if (m.dst === id) this.freeMsgs.push(m);
      else this.msgs[n++] = m;
    }
    this.msgCount = n;
  }

  /** A crashed node recovers: volatile variables drawn among their initial values, then its `on recover` runs. */
  private recover(id: number): number {
    const node = this.nodes[id]!;
    const role = this.sys.roles[this.sys.nodes[id]!.role]!;
    const ctx = this.initialValueCtx(id);
    const before = node.vars.slice();
    const flags = node.flags;
    for (let i = 0; i < role.vars.length; i++) {
      const v = role.vars[i]!;
      if (v.stable) continue;
      const vals = v.init(ctx);
      node.vars[i] = vals[this.below(vals.length)]!;
    }
    node.flags |= FLAG_UP | FLAG_STARTED;
    for (let t = 0; t < node.timers.length; t++) node.timers[t] = -1;
    if (role.recover) {
      const end = this.runHandler(id, role.recover, null, -1, false);
      if (end === RUN_BLOCKED) {
        // No outcome for the values drawn: undo, and strike the recovery off.
        for (let i = 0; i < before.length; i++) node.vars[i] = before[i]!;
        node.flags = flags;
        for (let t = 0; t < node.timers.length; t++) node.timers[t] = -1;
        this.strikeRecovery(id);
        return STEP_DEAD;
      }
      if (end === RUN_ERROR) return this.errorStep(K_RECOVER, id, false);
      const v = this.scratchVars[role.index]!;
      this.scratchVars[role.index] = node.vars;
      node.vars = v;
      const t = this.scratchTimers[role.index]!;
      this.scratchTimers[role.index] = node.timers;
      node.timers = t;
      this.send(id, this.sends.length);
    }
    this.recordStep('recover', id, false);
    return STEP_TAKEN;
  }

  private strikeRecovery(id: number): void {
    for (let j = 0; j < this.normal; j++) if (this.nKind[j] === K_RECOVER && this.nNode[j] === id && !this.nDead[j]) this.strikeNormal(j);
  }

  private recordStep(kind: StepKind, node: number, fault: boolean): void {
    if (this.record) this.record.push({ kind, node, fault, error: null, after: this.snapshot() });
  }

  // ---- The network ---------------------------------------------------------------------

  private newMsg(type: number, src: number, dst: number, fields: readonly Value[], left: number): LiveMsg {
    const m = this.freeMsgs.pop();
    if (!m) return { type, src, dst, fields, left };
    m.type = type;
    m.src = src;
    m.dst = dst;
    m.fields = fields;
    m.left = left;
    return m;
  }

  /** Inserts in canonical order, as `insertMsg`. */
  private insert(m: LiveMsg): void {
    const fifo = this.sys.fifo;
    const msgs = this.msgs;
    let i = this.msgCount;
    while (i > 0 && compareMsgs(fifo, msgs[i - 1]!, m) > 0) {
      msgs[i] = msgs[i - 1]!;
      i--;
    }
    msgs[i] = m;
    this.msgCount++;
  }

  private removeAt(index: number): void {
    const msgs = this.msgs;
    const m = msgs[index]!;
    for (let i = index + 1; i < this.msgCount; i++) msgs[i - 1] = msgs[i]!;
    this.msgCount--;
    m.fields = noValues;
    this.freeMsgs.push(m);
  }
}

const STEP_TAKEN = 0;
const STEP_ERROR = 1;
/** No step is possible: the run ends. */
const STEP_NONE = 2;
/** The candidate tried turned out not to be a step: pick again. */
const STEP_DEAD = 3;

/** Whether two states are equal in every part (as the interpreter builds them). */
export function sameState(a: State, b: State): boolean {
  if (a.nodes.length !== b.nodes.length || a.msgs.length !== b.msgs.length || a.used.length !== b.used.length) return false;
  for (let i = 0; i < a.nodes.length; i++) {
    const x = a.nodes[i]!;
    const y = b.nodes[i]!;
    if (x.flags !== y.flags || x.vars.length !== y.vars.length || x.timers.length !== y.timers.length) return false;
    for (let k = 0; k < x.vars.length; k++) if (compareValues(x.vars[k]!, y.vars[k]!) !== 0) return false;
    for (let k = 0; k < x.timers.length; k++) if (x.timers[k] !== y.timers[k]) return false;
  }
  for (let i = 0; i < a.msgs.length; i++) if (!sameMsg(a.msgs[i]!, b.msgs[i]!)) return false;
  for (let i = 0; i < a.used.length; i++) if (a.used[i] !== b.used[i]) return false;
  return (
    a.partition === b.partition &&
    a.healAt === b.healAt &&
    a.fired === b.fired &&
    a.clock === b.clock &&
    a.seen === b.seen &&
    a.dropsLeft.length === b.dropsLeft.length &&
    a.dropsLeft.every((d, i) => d === b.dropsLeft[i])
  );
}

const walkers = new WeakMap<TransitionSystem, RandomWalker | null>();

/** The walker of a system (made once per system), or null when simulation of it needs the interpreter. */
export function randomWalker(sys: TransitionSystem): RandomWalker | null {
  let w = walkers.get(sys);
  if (w === undefined) {
    w = RandomWalker.create(sys);
    walkers.set(sys, w);
  }
  return w;
}

function grown(a: Int32Array): Int32Array<ArrayBuffer> {
  const b = new Int32Array(a.length * 2);
  b.set(a);
  return b;
}

function grownBytes(a: Uint8Array): Uint8Array<ArrayBuffer> {
  const b = new Uint8Array(a.length * 2);
  b.set(a);
  return b;
}
