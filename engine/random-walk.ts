import type { ViolationKind } from './explore.js';
import type { PropertyFailure } from './properties.js';
import { failuresAtEnd, failuresInState } from './properties.js';
import type { CompiledHandler, ExecCtx, ExecEvent, Msg, NodeState, OutMsg, PropertyDef, State, TransitionSystem } from './system.js';
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
 * 0.15 when protocol steps are enabled too, as the interpreter's walk does), takes
 * just that one with its `choose` decisions drawn at random, applies the result in
 * place and checks the invariants on the new state.
 *
 * Memoised: a handler reads only its own node's state and the message (the checker
 * rejects other nodes' state and `crashed(...)` in handlers, FTP215), so what an event
 * does at a node depends on the node's local state, the node and the event alone.
 * Local states and messages are interned (equal ones are one immutable object), and
 * each local state keeps, per event, the handler whose guard holds and the tree of
 * the handler's outcomes by its `choose` decisions, built once by running every
 * combination. A step then walks that tree with the same random draws a run of the
 * handler would make (so a seed gives the same run either way) and applies an
 * outcome whose new local state and sends are already interned; a crash's local state
 * is kept on the local state it leaves (initial values read no state). Where the tree
 * would be large (more than MAX_OUTCOMES combinations, as Byzantine senders have) the
 * handler runs at every step instead, and past MEMO_LIMIT interned objects everything
 * is dropped and rebuilt as needed. Where trees are seldom walked twice (every step
 * reaches a new local state, as with a counter without bound) the memo turns itself
 * off (`judgeMemo`) and the walk runs every handler on fresh objects, as fast as the
 * walk before the memo; runs are the same either way.
 *
 * Invariants read only what `PropertyDef.reads` names of the nodes (some variables,
 * maybe the up and Byzantine flags), so each local state has a view (those parts,
 * interned per node) and a verdict is cached by the vector of views; a step that
 * changes no view (2PC: a vote counted, a drop) needs no lookup at all.
 *
 * Sampling draws candidate slots until one is enabled, and leaves out slots that cannot
 * be: node slots while no node has a start or a recovery to take, timer slots while no
 * timer is armed, fault slots without a budget for them.
 *
 * On 2PC (N = 5 and 8) all this took the walk from 1.7-2.4 to 7.5-8 M steps per CPU
 * second; with handler runs and invariant evaluations memoised, a step is mostly
 * drawing, sampling and moving messages.
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
 * not a step: when the random path blocks, one of the run's unblocked outcomes is
 * drawn, and a run with none is struck off and the pick redone.
 */

/**
 * A node's local state, interned per node: equal local states are one object, never
 * changed, so a step's memo key is a pointer and the nodes' part of a global state
 * is a vector of small ids.
 */
interface Local extends NodeState {
  readonly vars: readonly Value[];
  readonly flags: number;
  readonly timers: readonly number[];
  /**
   * What the invariants can see of it (`PropertyDef.reads`: the variables they name
   * and, if they ask, whether the node is up or Byzantine), interned per node: dense
   * from 0, a part of the invariant cache's key. Many local states share one view.
   */
  readonly view: number;
  /** A 32-bit hash of (node, view); the invariant cache's key hash is the sum over the nodes. */
  readonly hash: number;
  /** What each message with an id below DENSE_EVENTS does here, by the message's id (dense among messages to this node). */
  readonly messageEvents: (EventMemo | undefined)[];
  /** What other events do here, by event key: START_EVENT, `timerEvent(t)`, or a message's id. */
  readonly events: Map<number, EventMemo>;
  /** 1 when the node has a start or a recovery to take here, else 0. */
  readonly pending: number;
  /** 1 when the node is down here, else 0. */
  readonly down: number;
  /** How many of its timers are armed (and so may fire). */
  readonly armed: number;
  /**
   * The node's local state after it crashes here, once known: volatile variables back
   * to their initial values (which depend on the node alone), timers disarmed, down.
   */
  crashed: Local | null;
}

/** A message in flight, interned: equal messages are one object, so equality is identity. */
interface LiveMsg extends Msg {
  /** Dense among the messages to `dst`: an index into its receiver's `Local.messageEvents` (an array is faster than a map there). */
  readonly id: number;
  /** The receiver's local state `memo` was last looked up for: rejection sampling asks again and again. */
  memoAt: Local | null;
  memo: EventMemo | null;
}

/** mulberry32's state step; a draw is a hash of the state after the step (see `slotOf`). */
const RNG_STEP = 0x6d2b79f5;

/** `Math.floor(x * n)` for mulberry32's float x of state `s` (already stepped), as `Rng.below`; times 2^-32 is exactly over 2^32. */
function slotOf(s: number, n: number): number {
  let t = Math.imul(s ^ (s >>> 15), s | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return Math.floor(((t ^ (t >>> 14)) >>> 0) * 2.3283064365386963e-10 * n);
}

/** How a handler run ended. */
const RUN_OK = 0;
const RUN_ERROR = 1;
const RUN_BLOCKED = 2;

/**
 * A node of a handler's outcome tree: a `choose` decision among `arity` options
 * (`next` per option), or, with arity 0, how the run ended (with the node's next
 * local state and its sends when it ended normally; its sends are kept after an
 * error too, since a crash while sending needs to know there were some).
 */
class Outcome {
  constructor(
    readonly arity: number,
    readonly next: Outcome[],
    readonly end: number,
    readonly local: Local | null,
    readonly sends: readonly LiveMsg[],
    /** `sends` in canonical order (stable: a FIFO channel keeps send order), for `merge`. */
    readonly sorted: readonly LiveMsg[],
    readonly error: RuntimeFault | null,
  ) {}
}

const noMsgs: readonly LiveMsg[] = [];
/** The memo tables of local states made while the memo is off: never written. */
const noEvents: (EventMemo | undefined)[] = [];
const noEventMap = new Map<number, EventMemo>();
const noOutcomes: Outcome[] = [];
const BLOCKED = new Outcome(0, noOutcomes, RUN_BLOCKED, null, noMsgs, noMsgs, null);

/** What one event (a start, a timeout, a message) does at one local state of one node. */
class EventMemo {
  /** The handler's outcomes by its decisions, built when the event is first taken. */
  tree: Outcome | null = null;
  /** The outcomes that do not block, in the odometer's order: drawn from when the random path blocks. */
  unblocked: Outcome[] = noOutcomes;
  /** More outcomes than are worth keeping: the handler is run at every take. */
  direct = false;
  /** The handler whose guard holds; null when the event is not enabled here. */
  constructor(readonly handler: CompiledHandler | null) {}
}

const START_EVENT = -1;
function timerEvent(t: number): number {
  return -2 - t;
}

/** Outcome trees are built only for handlers with at most this many `choose` combinations. */
const MAX_OUTCOMES = 64;
/** Events taken between two judgements of the memo (`judgeMemo`). */
const JUDGE_TAKES = 4096;
/** Messages to a node with an id below this have their memos in `Local.messageEvents`. */
const DENSE_EVENTS = 32;
/** Interned local states, messages, event memos and outcomes kept before all are dropped. */
const MEMO_LIMIT = 1 << 17;

/** A 32-bit hash of a node's local-state id (murmur3's finaliser over the pair). */
function localHash(node: number, id: number): number {
  let h = Math.imul(node + 1, 0x9e3779b1) ^ Math.imul(id + 1, 0x85ebca6b);
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  h = Math.imul(h, 0x846ca68b);
  h ^= h >>> 16;
  return h | 0;
}

/** A text key of a list of values (numbers, nested lists), for interning. */
function valuesKey(vs: readonly Value[]): string {
  let k = '';
  for (let i = 0; i < vs.length; i++) {
    const v = vs[i]!;
    k += typeof v === 'number' ? `${v},` : `[${valuesKey(v)}],`;
  }
  return k;
}

/**
 * Invariant verdicts that hold, by the vector of the nodes' views (`Local.view`): no
 * expression in a property reads messages, budgets or timers, only what the views keep,
 * so the verdict is a function of that vector. While every view id fits in `bits` bits
 * and the vector in DIRECT_BITS, the vector packed is the index of a byte table: one
 * load, no hashing (2PC: four views per node, 18 bits at N = 8). Otherwise open
 * addressing on the sum of the nodes' hashes, each hit confirmed on the whole vector,
 * cleared when full.
 */
class InvariantCache {
  // Direct mode (`table` non-null).
  private bits = 1;
  private table: Uint8Array | null;
  // Hash mode.
  private capacity = 0;
  private keys = new Int32Array(0);
  private hashes = new Int32Array(0);
  private full = new Uint8Array(0);
  private size = 0;
  private readonly maxCapacity: number;

  constructor(private readonly width: number) {
    // About 16 MB of keys at most.
    let max = 1024;
    while (max * 2 * width <= 1 << 22) max *= 2;
    this.maxCapacity = max;
    this.table = width <= DIRECT_BITS ? new Uint8Array(1 << width) : null;
    if (this.table === null) this.allocate(1024);
  }

  private allocate(capacity: number): void {
    this.capacity = capacity;
    this.keys = new Int32Array(capacity * this.width);
    this.hashes = new Int32Array(capacity);
    this.full = new Uint8Array(capacity);
    this.size = 0;
  }

  clear(): void {
    if (this.table !== null) this.table.fill(0);
    this.full.fill(0);
    this.size = 0;
  }

  /** The direct table's index of `views`; -1 when a view id does not fit (the table then widens or gives way to hashing). */
  private index(views: Int32Array): number {
    const bits = this.bits;
    let key = 0;
    for (let i = 0; i < views.length; i++) {
      const v = views[i]!;
      if (v >>> bits !== 0) return -1;
      key |= v << (bits * i);
    }
    return key;
  }

  /** Makes room in the direct table for `views` (verdicts kept so far are dropped), or switches to hashing. */
  private widen(views: Int32Array): void {
    let top = 0;
    for (let i = 0; i < views.length; i++) top = Math.max(top, views[i]!);
    while (top >>> this.bits !== 0) this.bits++;
    if (this.bits * this.width <= DIRECT_BITS) {
      this.table = new Uint8Array(1 << (this.bits * this.width));
    } else {
      this.table = null;
      this.allocate(1024);
    }
  }

  /** The slot holding `views` (hash `hash`), or minus one minus the free slot where it would go. */
  private probe(hash: number, views: Int32Array): number {
    const mask = this.capacity - 1;
    const width = this.width;
    const keys = this.keys;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      if (!this.full[slot]) return -1 - slot;
      if (this.hashes[slot] !== hash) continue;
      const base = slot * width;
      let i = 0;
      while (i < width && keys[base + i] === views[i]) i++;
      if (i === width) return slot;
    }
  }

  has(hash: number, views: Int32Array): boolean {
    const table = this.table;
    if (table !== null) {
      const at = this.index(views);
      return at >= 0 && table[at] === 1;
    }
    return this.probe(hash, views) >= 0;
  }

  add(hash: number, views: Int32Array): void {
    if (this.table !== null) {
      let at = this.index(views);
      if (at < 0) {
        this.widen(views);
        if (this.table === null) return this.add(hash, views);
        at = this.index(views);
      }
      this.table[at] = 1;
      return;
    }
    if (2 * (this.size + 1) > this.capacity) {
      if (this.capacity < this.maxCapacity) this.grow();
      else this.clear();
    }
    const at = this.probe(hash, views);
    if (at >= 0) return;
    const slot = -1 - at;
    this.full[slot] = 1;
    this.hashes[slot] = hash;
    this.keys.set(views, slot * this.width);
    this.size++;
  }

  private grow(): void {
    const { keys, hashes, full, capacity, width } = this;
    this.allocate(capacity * 2);
    const mask = this.capacity - 1;
    for (let s = 0; s < capacity; s++) {
      if (!full[s]) continue;
      let slot = hashes[s]! & mask;
      while (this.full[slot]) slot = (slot + 1) & mask;
      this.full[slot] = 1;
      this.hashes[slot] = hashes[s]!;
      this.keys.set(keys.subarray(s * width, (s + 1) * width), slot * width);
      this.size++;
    }
  }
}

/** Bits of the packed view vector up to which `InvariantCache` uses a direct table (a 4 MB one at most). */
const DIRECT_BITS = 22;

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

const emptyMsgs: readonly Msg[] = [];

export class RandomWalker {
  // What the last `walk` did.
  initial = 0;
  steps = 0;
  ended: WalkEnd = 'bound';
  error: string | null = null;
  /** First finding per property in the last walk, in the order found. */
  readonly findings: WalkFinding[] = [];

  /** The current local state of each node (also `state.nodes`, what compiled closures read). */
  private readonly cur: Local[];
  /** The sum of the current local states' hashes: the invariant cache's key hash. */
  private nodeHash = 0;
  /** The current local states' views, for the invariant cache. */
  private readonly views: Int32Array;
  /** Whether some node's view (`Local.view`) changed since the invariants were last found to hold. */
  private viewsChanged = true;
  /** Nodes with a start or a recovery to take, and armed timers: without any, `quickStep` draws no node or timer slots. */
  private pendingNodes = 0;
  private armedTimers = 0;
  /** Nodes down: without any, `merge` need not look for sends that are lost. */
  private downNodes = 0;
  private readonly used: number[];
  /** What compiled closures see as the state (messages are not read by them: they live in `msgs`). */
  private readonly state: State;
  private msgs: LiveMsg[] = [];
  private msgCount = 0;

  // Interning (see `Local`): per node its local states by key, and messages by key.
  private readonly localTables: Map<string, Local>[];
  /** Per node, the views of its local states by key (see `Local.view`). */
  private readonly viewTables: Map<string, number>[];
  /** Per role, the variable slots the invariants name; the flags they read. */
  private readonly viewSlots: number[][];
  private readonly viewFlags: number;
  private readonly msgTable = new Map<string, LiveMsg>();
  /** Per node, the messages to it interned so far (their ids). */
  private readonly msgsTo: Int32Array;
  /** Objects interned or memoised since the last `flush`. */
  private interned = 0;
  /**
   * Whether steps are memoised. Off for good once outcome trees are seldom used again
   * (`judgeMemo`): in a model whose every step reaches a new local state (a counter
   * without bound) a tree is built for each step and never walked again, and the walk
   * ran 16 times slower than without memos. Off, local states and messages are made
   * fresh (not interned), every handler runs, every invariant is evaluated; runs stay
   * the same, since a tree is walked with the draws a handler run makes.
   */
  private memoOn = true;
  /** Events taken, and outcome trees built, since the memo was last judged. */
  private takes = 0;
  private builds = 0;
  private readonly directMemos = new Map<CompiledHandler | null, EventMemo>();
  private readonly invariantCache: InvariantCache;
  /** The initial states' interned nodes and messages, for the `inits` they came from. */
  private initsRef: readonly State[] | null = null;
  private initLocals: (Local[] | undefined)[] = [];
  private initMsgs: (LiveMsg[] | undefined)[] = [];
  /** Per role, its timers all disarmed. */
  private readonly disarmed: number[][];

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
  /** The decisions of the handler run under way while enumerating: (arity, choice) pairs. */
  private choicePath = new Int32Array(32);
  private choiceLen = 0;
  private sends: OutMsg[] = [];
  private events: ExecEvent[] = [];
  private rngState = 0;
  private record: RecordedStep[] | null = null;

  // Candidates of the current state: protocol steps in [0, normal), fault steps in [0, faults).
  private nKind = new Int32Array(64);
  private nNode = new Int32Array(64);
  private nAux = new Int32Array(64);
  private nMemo: (EventMemo | null)[] = [];
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
  private budget: BudgetView;
  /** Budget views by the budgets used (see `refreshBudgets`): a run starts with none used, and spends few. */
  private readonly budgetViews = new Map<number, BudgetView>();
  private readonly roleOf: Int32Array;
  private readonly maxTimers: number;

  static create(sys: TransitionSystem): RandomWalker | null {
    if (sys.timing !== 'async' || sys.script.length > 0 || sys.clockLimit > 0) return null;
    if (sys.budgets.some((b) => b.kind === 'partition' || b.kind === 'delay')) return null;
    if (sys.properties.some((p) => p.within >= 0)) return null;
    return new RandomWalker(sys);
  }

  private constructor(private readonly sys: TransitionSystem) {
    this.localTables = sys.nodes.map(() => new Map<string, Local>());
    this.msgsTo = new Int32Array(sys.nodes.length);
    this.viewTables = sys.nodes.map(() => new Map<string, number>());
    const invariants = sys.properties.filter((p) => p.kind === 'invariant');
    const named = new Set(invariants.flatMap((p) => p.reads.fields));
    this.viewSlots = sys.roles.map((role) => role.vars.flatMap((v, i) => (named.has(v.name) ? [i] : [])));
    this.viewFlags = invariants.some((p) => p.reads.flags) ? FLAG_UP | FLAG_BYZANTINE : 0;
    this.disarmed = sys.roles.map((role) => role.timers.map(() => -1));
    this.recoverable = sys.nodes.map((n) => canRecover(sys, n.id));
    this.cur = [];
    this.used = sys.budgets.map(() => 0);
    this.state = { nodes: this.cur, msgs: emptyMsgs, used: this.used, partition: 0, healAt: -1, fired: 0, dropsLeft: [], clock: 0, seen: 0 };
    let frameSize = 256;
    for (const role of sys.roles) for (const h of role.handlers) frameSize = Math.max(frameSize, h.frameSize);
    const frame = new Array<Value>(frameSize).fill(0);
    this.ctx = makeCtx(sys, this.state, -1);
    this.ctx.frame = frame;
    this.ctx.choose = (n: number) => {
      if (!this.enumerating) return Math.floor(this.random() * n);
      const c = this.odometer.choose(n);
      this.noteChoice(n, c);
      return c;
    };
    this.readCtx = makeCtx(sys, this.state, -1);
    this.readCtx.frame = frame;
    this.invariants = invariants;
    this.hasEventually = sys.properties.some((p) => p.kind === 'eventually');
    this.invariantCache = new InvariantCache(Math.max(1, sys.nodes.length));
    this.views = new Int32Array(Math.max(1, sys.nodes.length));
    this.scratchVars = sys.roles.map((role) => role.vars.map(() => 0));
    this.scratchTimers = sys.roles.map((role) => role.timers.map(() => -1));
    this.budget = budgetView(sys, this.used);
    this.roleOf = Int32Array.from(sys.nodes, (n) => n.role);
    this.maxTimers = Math.max(0, ...sys.roles.map((r) => r.timers.length));
    // Placeholders until the first `load` (interning needs the tables above).
    for (const n of sys.nodes) this.cur.push(this.internLocal(n.id, this.scratchVars[n.role]!, 0, this.disarmed[n.role]!));
  }

  /** mulberry32, as `Rng`: a float in [0, 1). */
  private random(): number {
    this.rngState = (this.rngState + 0x6d2b79f5) | 0;
    let t = this.rngState;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    // Times 2^-32 is exactly over 2^32, and a multiplication is cheaper than a division.
    return ((t ^ (t >>> 14)) >>> 0) * 2.3283064365386963e-10;
  }

  /** `Math.floor(this.random() * n)`, written out: V8 did not inline `random` here. */
  private below(n: number): number {
    const s = (this.rngState = (this.rngState + RNG_STEP) | 0);
    return slotOf(s, n);
  }

  /**
   * One seeded run of at most `maxSteps` steps from one of `inits`; what it did is in
   * this walker's fields. It stops at the first state where an invariant is false, at a
   * handler error, at a state with no step, or at the bound; at states where only faults
   * may happen the `eventually` properties are checked, and the run goes on.
   */
  walk(inits: readonly State[], seed: number, maxSteps: number): WalkEnd {
    this.rngState = seed >>> 0;
    // Writing `length` is a runtime call, and most runs find nothing.
    if (this.findings.length > 0) this.findings.length = 0;
    this.error = null;
    this.initial = this.below(inits.length);
    this.steps = 0;
    if (this.interned > MEMO_LIMIT) this.flush();
    if (this.takes >= JUDGE_TAKES) this.judgeMemo();
    this.load(inits, this.initial);
    if (this.invariantFails()) return (this.ended = 'stopped');
    const quick = !this.hasEventually;
    for (let k = 0; k < maxSteps; k++) {
      // Only between steps: candidates hold memos of the current local states.
      if (this.interned > MEMO_LIMIT) this.flush();
      if (this.takes >= JUDGE_TAKES) this.judgeMemo();
      let outcome: number;
      if (quick && !(this.budgetsDirty && this.refreshBudgets()) && !this.budget.anySending) outcome = this.quickStep();
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
      nodes: this.cur.map((n) => ({ vars: n.vars.slice(), flags: n.flags, timers: n.timers.slice() })),
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

  // ---- Interning -------------------------------------------------------------------------

  /** The local state of node `id` with these parts (copied when new: they may be scratch arrays). */
  private internLocal(id: number, vars: readonly Value[], flags: number, timers: readonly number[]): Local {
    if (!this.memoOn) return this.newLocal(id, vars, flags, timers, -1);
    const table = this.localTables[id]!;
    const key = `${flags}|${timers.join(',')}|${valuesKey(vars)}`;
    let local = table.get(key);
    if (local === undefined) {
      local = this.newLocal(id, vars, flags, timers, this.viewOf(id, vars, flags));
      table.set(key, local);
      this.interned++;
    }
    return local;
  }

  /**
   * A local state object: interned (`view` >= 0) or, while the memo is off, fresh (`view`
   * -1, no memos kept on it). Two object literals, one per kind, on purpose: V8 decides
   * per allocation site whether to allocate in the old generation, and interned local
   * states live long while fresh ones die at once; from one site, after the memo went
   * off, garbage collection took 40 % of the walk.
   */
  private newLocal(id: number, vars: readonly Value[], flags: number, timers: readonly number[], view: number): Local {
    const pending = flags & FLAG_UP ? (flags & FLAG_STARTED ? 0 : 1) : this.recoverable[id] ? 1 : 0;
    let armed = 0;
    for (const t of timers) if (t === 0) armed++;
    const down = flags & FLAG_UP ? 0 : 1;
    if (view < 0) {
      return { vars: vars.slice(), flags, timers: timers.slice(), view, hash: 0, messageEvents: noEvents, events: noEventMap, pending, down, armed, crashed: null };
    }
    return { vars: vars.slice(), flags, timers: timers.slice(), view, hash: localHash(id, view), messageEvents: [], events: new Map(), pending, down, armed, crashed: null };
  }

  /** The id of what the invariants see of node `id` with these variables and flags (see `Local.view`). */
  private viewOf(id: number, vars: readonly Value[], flags: number): number {
    const slots = this.viewSlots[this.roleOf[id]!]!;
    let key = `${flags & this.viewFlags}|`;
    for (let i = 0; i < slots.length; i++) {
      const v = vars[slots[i]!]!;
      key += typeof v === 'number' ? `${v},` : `[${valuesKey(v)}],`;
    }
    const table = this.viewTables[id]!;
    let view = table.get(key);
    if (view === undefined) {
      view = table.size;
      table.set(key, view);
    }
    return view;
  }

  private internMsg(type: number, src: number, dst: number, fields: readonly Value[], left: number): LiveMsg {
    if (!this.memoOn) return { type, src, dst, fields, left, id: -1, memoAt: null, memo: null };
    const key = `${type},${src},${dst},${left}|${valuesKey(fields)}`;
    let m = this.msgTable.get(key);
    if (m === undefined) {
      const id = this.msgsTo[dst]!++;
      m = { type, src, dst, fields, left, id, memoAt: null, memo: null };
      this.msgTable.set(key, m);
      this.interned++;
    }
    return m;
  }

  /** The handler's sends of the run just made (`this.sends`), as messages from `src`. */
  private internSends(src: number): readonly LiveMsg[] {
    const sends = this.sends;
    if (sends.length === 0) return noMsgs;
    // Kept in a tree or used once: two allocation sites, as in `newLocal`.
    const out: LiveMsg[] = this.enumerating ? [] : [];
    for (const o of sends) out.push(this.internMsg(o.type, src, o.dst, o.fields, -1));
    return out;
  }

  /**
   * Drops every interned object and memo (they past MEMO_LIMIT) and interns the current
   * state again; local-state ids start over, so the invariant cache goes too.
   */
  private flush(): void {
    const old = this.cur.slice();
    for (const t of this.localTables) t.clear();
    for (const t of this.viewTables) t.clear();
    this.msgTable.clear();
    this.msgsTo.fill(0);
    this.invariantCache.clear();
    this.interned = 0;
    this.initsRef = null;
    this.nodeHash = 0;
    for (let id = 0; id < old.length; id++) {
      const n = old[id]!;
      const local = this.internLocal(id, n.vars, n.flags, n.timers);
      this.cur[id] = local;
      this.views[id] = local.view;
      // Pending and armed counts are of the state, which is unchanged.
      this.nodeHash = (this.nodeHash + local.hash) | 0;
    }
    for (let i = 0; i < this.msgCount; i++) {
      const m = this.msgs[i]!;
      this.msgs[i] = this.internMsg(m.type, m.src, m.dst, m.fields, m.left);
    }
  }

  /** Turns the memo off when most events taken since the last judgement needed a new tree. */
  private judgeMemo(): void {
    const wasted = 2 * this.builds > this.takes;
    this.takes = 0;
    this.builds = 0;
    if (!wasted || !this.memoOn) return;
    this.memoOn = false;
    for (const t of this.localTables) t.clear();
    for (const t of this.viewTables) t.clear();
    this.msgTable.clear();
    this.invariantCache.clear();
    this.interned = 0;
    this.initsRef = null;
    // The state goes on in fresh objects: messages are compared by content from now on.
    for (let id = 0; id < this.cur.length; id++) {
      const n = this.cur[id]!;
      this.cur[id] = this.newLocal(id, n.vars, n.flags, n.timers, -1);
    }
    for (let i = 0; i < this.msgCount; i++) {
      const m = this.msgs[i]!;
      this.msgs[i] = this.internMsg(m.type, m.src, m.dst, m.fields, m.left);
    }
  }

  /** An event's handler with no tree, run at every take (the memo is off); one per handler, as it holds nothing else. */
  private directMemo(handler: CompiledHandler | null): EventMemo {
    let e = this.directMemos.get(handler);
    if (e === undefined) {
      e = new EventMemo(handler);
      e.direct = true;
      this.directMemos.set(handler, e);
    }
    return e;
  }

  /** Whether two messages in flight are equal: the same object while the memo is on. */
  private same(a: LiveMsg, b: LiveMsg): boolean {
    return a === b || (!this.memoOn && sameMsg(a, b));
  }

  /** Node `id` is now in `local`. */
  private setNode(id: number, local: Local): void {
    const old = this.cur[id]!;
    if (old === local) return;
    this.nodeHash = (this.nodeHash - old.hash + local.hash) | 0;
    if (old.view !== local.view || local.view < 0) {
      this.viewsChanged = true;
      this.views[id] = local.view;
    }
    this.pendingNodes += local.pending - old.pending;
    this.downNodes += local.down - old.down;
    this.armedTimers += local.armed - old.armed;
    this.cur[id] = local;
  }

  private load(inits: readonly State[], index: number): void {
    if (inits !== this.initsRef) {
      this.initsRef = inits;
      this.initLocals = [];
      this.initMsgs = [];
    }
    const s = inits[index]!;
    let locals = this.initLocals[index];
    let msgs = this.initMsgs[index];
    if (locals === undefined || msgs === undefined) {
      locals = s.nodes.map((n, id) => this.internLocal(id, n.vars, n.flags, n.timers));
      msgs = s.msgs.map((m) => this.internMsg(m.type, m.src, m.dst, m.fields, m.left));
      this.initLocals[index] = locals;
      this.initMsgs[index] = msgs;
    }
    let hash = 0;
    let pending = 0;
    let armed = 0;
    let down = 0;
    for (let id = 0; id < locals.length; id++) {
      const local = locals[id]!;
      this.cur[id] = local;
      this.views[id] = local.view;
      hash = (hash + local.hash) | 0;
      pending += local.pending;
      armed += local.armed;
      down += local.down;
    }
    this.nodeHash = hash;
    this.viewsChanged = true;
    this.pendingNodes = pending;
    this.armedTimers = armed;
    this.downNodes = down;
    for (let i = 0; i < this.used.length; i++) this.used[i] = s.used[i]!;
    this.budgetsDirty = true;
    for (let i = 0; i < msgs.length; i++) this.msgs[i] = msgs[i]!;
    this.msgCount = msgs.length;
  }

  /** Whether an invariant is false (or fails) in the current state; if so its findings are recorded. */
  private invariantFails(): boolean {
    if (this.invariants.length === 0) return false;
    // The invariants held in the state before (else the run would have ended there) and
    // see only the views: unchanged views, same verdict.
    if (!this.viewsChanged) return false;
    const cached = this.memoOn;
    if (cached && this.invariantCache.has(this.nodeHash, this.views)) {
      this.viewsChanged = false;
      return false;
    }
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
    if (!bad) {
      if (cached) this.invariantCache.add(this.nodeHash, this.views);
      this.viewsChanged = false;
      return false;
    }
    this.found(failuresInState(this.sys, this.snapshot(), () => false));
    return true;
  }

  private found(failures: PropertyFailure[]): void {
    for (const f of failures) {
      if (this.findings.some((x) => x.property === f.property)) continue;
      this.findings.push({ property: f.property, kind: f.kind, message: f.message, at: this.steps });
    }
  }

  // ---- Memos ---------------------------------------------------------------------------

  /** What message `m` does at its receiver's current local state. */
  private messageMemo(m: LiveMsg): EventMemo {
    if (!this.memoOn) return this.directMemo(this.handlerFor(m));
    const local = this.cur[m.dst]!;
    if (m.memoAt === local) return m.memo!;
    // An array for the first messages to a node (an array's index is faster than a map's),
    // a map past them: an array indexed by large ids would hold their holes in every local state.
    const dense = m.id < DENSE_EVENTS;
    let e = dense ? local.messageEvents[m.id] : local.events.get(m.id);
    if (e === undefined) {
      e = new EventMemo(this.handlerFor(m));
      if (dense) local.messageEvents[m.id] = e;
      else local.events.set(m.id, e);
      this.interned++;
    }
    m.memoAt = local;
    m.memo = e;
    return e;
  }

  private timerMemo(id: number, timer: number): EventMemo {
    if (!this.memoOn) return this.directMemo(this.timeoutHandlerFor(id, timer));
    const local = this.cur[id]!;
    const key = timerEvent(timer);
    let e = local.events.get(key);
    if (e === undefined) {
      e = new EventMemo(this.timeoutHandlerFor(id, timer));
      local.events.set(key, e);
      this.interned++;
    }
    return e;
  }

  private startMemo(id: number): EventMemo {
    if (!this.memoOn) return this.directMemo(this.sys.roles[this.roleOf[id]!]!.start);
    const local = this.cur[id]!;
    let e = local.events.get(START_EVENT);
    if (e === undefined) {
      e = new EventMemo(this.sys.roles[this.roleOf[id]!]!.start);
      local.events.set(START_EVENT, e);
      this.interned++;
    }
    return e;
  }

  private noteChoice(arity: number, choice: number): void {
    if (this.choiceLen + 2 > this.choicePath.length) {
      const b = new Int32Array(this.choicePath.length * 2);
      b.set(this.choicePath);
      this.choicePath = b;
    }
    this.choicePath[this.choiceLen++] = arity;
    this.choicePath[this.choiceLen++] = choice;
  }

  /**
   * Runs event `e`'s handler at node `id` once per combination of its `choose`
   * decisions (the odometer's order, no random draws) and keeps the outcomes as a tree
   * by decision; past MAX_OUTCOMES combinations it gives up and marks `e` direct.
   */
  private buildTree(e: EventMemo, id: number, msg: LiveMsg | null, timer: number): void {
    const h = e.handler!;
    const base = this.cur[id]!;
    const flags = base.flags | (h.kind === 'start' ? FLAG_STARTED : 0);
    const odometer = this.odometer;
    let root: Outcome | null = null;
    const unblocked: Outcome[] = [];
    this.enumerating = true;
    try {
      odometer.reset();
      for (let runs = 0; ; runs++) {
        if (runs === MAX_OUTCOMES) {
          e.direct = true;
          return;
        }
        odometer.startRun();
        this.choiceLen = 0;
        const end = this.runOnce(id, h, base, msg, timer);
        const leaf = this.outcomeOf(end, id, flags);
        if (end !== RUN_BLOCKED) unblocked.push(leaf);
        root = this.graft(root, leaf);
        this.interned++;
        if (!odometer.advance()) break;
      }
    } finally {
      this.enumerating = false;
    }
    e.tree = root;
    e.unblocked = unblocked;
  }

  /** Puts `leaf` into the tree `root` at the decisions of the run just made (`choicePath`). */
  private graft(root: Outcome | null, leaf: Outcome): Outcome {
    const path = this.choicePath;
    const len = this.choiceLen;
    if (len === 0) return leaf;
    const top = root ?? decision(path[0]!);
    let node = top;
    for (let k = 0; k < len; k += 2) {
      const pick = path[k + 1]!;
      if (k + 2 === len) {
        node.next[pick] = leaf;
        break;
      }
      let next = node.next[pick];
      if (next === undefined) {
        next = decision(path[k + 2]!);
        node.next[pick] = next;
      }
      node = next;
    }
    return top;
  }

  /** The run just made (`runOnce` or `runHandler` ended with `end`) as an outcome; `flags` are the node's after it. */
  private outcomeOf(end: number, id: number, flags: number): Outcome {
    if (end === RUN_BLOCKED) return BLOCKED;
    const sends = this.internSends(id);
    if (end === RUN_ERROR) return new Outcome(0, noOutcomes, RUN_ERROR, null, sends, noMsgs, this.lastError);
    const role = this.roleOf[id]!;
    const local = this.internLocal(id, this.scratchVars[role]!, flags, this.scratchTimers[role]!);
    const fifo = this.sys.fifo;
    const sorted = sends.length < 2 ? sends : sends.slice().sort((a, b) => compareMsgs(fifo, a, b));
    // Kept in a tree or used once: two allocation sites, as in `newLocal`.
    if (this.enumerating) return new Outcome(0, noOutcomes, RUN_OK, local, sends, sorted, null);
    return new Outcome(0, noOutcomes, RUN_OK, local, sends, sorted, null);
  }

  /**
   * Event `e` taken at node `id`: its outcome with the `choose` decisions drawn at
   * random, drawn as a run of the handler draws them; when the drawn path blocks, one
   * of the unblocked outcomes (BLOCKED when there is none).
   */
  private take(e: EventMemo, id: number, msg: LiveMsg | null, timer: number): Outcome {
    this.takes++;
    if (e.tree === null && !e.direct) {
      this.builds++;
      this.buildTree(e, id, msg, timer);
    }
    const tree = e.tree;
    if (tree === null) {
      const base = this.cur[id]!;
      const h = e.handler!;
      const end = this.runHandler(id, h, base, msg, timer, false);
      return this.outcomeOf(end, id, base.flags | (h.kind === 'start' ? FLAG_STARTED : 0));
    }
    let o = tree;
    while (o.arity > 0) o = o.next[this.below(o.arity)]!;
    if (o.end !== RUN_BLOCKED) return o;
    const u = e.unblocked;
    return u.length === 0 ? BLOCKED : u[this.below(u.length)]!;
  }

  /** Whether event `e` at node `id` has an outcome that does not block (no random draws). */
  private canTake(e: EventMemo, id: number, msg: LiveMsg | null, timer: number): boolean {
    if (e.tree === null && !e.direct) this.buildTree(e, id, msg, timer);
    if (e.tree !== null) return e.unblocked.length > 0;
    return this.runHandler(id, e.handler!, this.cur[id]!, msg, timer, true) !== RUN_BLOCKED;
  }

  // ---- Listing what may happen -------------------------------------------------------

  private addNormal(kind: number, node: number, aux: number, e: EventMemo | null): void {
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
    this.nMemo[n] = e;
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
   * Takes the budget view (`budgetView`) of the budgets used now: at the start of a run
   * and after a step that spent a budget. Views are kept, since runs go through few.
   */
  private refreshBudgets(): false {
    this.budgetsDirty = false;
    const used = this.used;
    // Keyed by the budgets used (6 bits each, up to 8 budgets), else computed every time.
    let key = 0;
    let keyed = used.length <= 8;
    for (let i = 0; keyed && i < used.length; i++) {
      if (used[i]! >= 64) keyed = false;
      key = key * 64 + used[i]!;
    }
    let view = keyed ? this.budgetViews.get(key) : undefined;
    if (view === undefined) {
      view = budgetView(this.sys, used);
      if (keyed) this.budgetViews.set(key, view);
    }
    this.budget = view;
    return false;
  }


  /**
   * Lists the steps enabled now: the interpreter's (see `successors`), one per handler
   * run rather than per outcome, and each crash while sending once per handler run.
   * The order is this walk's own (paths are matched against the interpreter's later).
   */
  private enumerate(): void {
    const sys = this.sys;
    const nodes = this.cur;
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
      if (!(f & FLAG_STARTED)) this.addNormal(K_START, id, -1, this.startMemo(id));
      if (this.budget.anyCrash && !(f & FLAG_BYZANTINE)) {
        const slot = this.budget.crashSlot[roleOf[id]!]!;
        if (slot >= 0) this.addFault(F_CRASH, id, -1, slot);
      }
      const timers = nodes[id]!.timers;
      for (let t = 0; t < timers.length; t++) {
        if (timers[t] !== 0) continue;
        const e = this.timerMemo(id, t);
        if (e.handler) this.addNormal(K_TIMEOUT, id, t, e);
      }
    }
    const fifo = sys.fifo;
    const lossy = sys.lossy;
    const msgs = this.msgs;
    let prev: LiveMsg | null = null;
    for (let i = 0; i < this.msgCount; i++) {
      const m = msgs[i]!;
      // Equal messages are one step (and one fault); under FIFO only a channel's head is delivered.
      const same = prev !== null && this.same(prev, m);
      const head = fifo ? prev === null || prev.src !== m.src || prev.dst !== m.dst : !same;
      prev = m;
      if (head) {
        const f = nodes[m.dst]!.flags;
        if (f & FLAG_UP && f & FLAG_STARTED) {
          const e = this.messageMemo(m);
          if (e.handler) this.addNormal(K_DELIVER, m.dst, i, e);
        }
      }
      if (same) continue;
      const drop = this.budget.dropSlot[m.type]!;
      if (drop >= 0 || lossy) this.addFault(F_DROP, m.dst, i, lossy ? -1 : drop);
      const dup = this.budget.duplicateSlot[m.type]!;
      if (dup >= 0) this.addFault(F_DUPLICATE, m.dst, i, dup);
    }
    if (this.budget.anySending) {
      for (let j = 0; j < this.normal; j++) {
        if (this.nKind[j] === K_RECOVER) continue;
        const id = this.nNode[j]!;
        if (nodes[id]!.flags & FLAG_BYZANTINE) continue;
        const slot = this.budget.sendingSlot[roleOf[id]!]!;
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
    ctx.byzantine = (this.cur[id]!.flags & FLAG_BYZANTINE) !== 0;
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
    const nodeCount = this.cur.length;
    const mc = this.msgCount;
    const budget = this.budget;
    const fault = budget.anyFault && this.random() < 0.15;
    // Slots that cannot be enabled now are not drawn: node slots while no node has a
    // start or a recovery to take (most steps), timer slots while no timer is armed,
    // crash slots without a crash budget, a message's drop or duplicate without such a
    // budget. Drawing and rejecting them (as this walk first did) took a quarter of its
    // time; the draw is still uniform over the enabled candidates.
    if (fault) {
      const crashSlots = budget.anyCrash ? nodeCount : 0;
      const slots = crashSlots + ((budget.anyDrop ? 1 : 0) + (budget.anyDuplicate ? 1 : 0)) * mc;
      for (let attempt = slots; attempt > 0; attempt--) {
        if (this.sampleFault(this.below(slots), crashSlots)) {
          const outcome = this.takeFault(0);
          if (outcome !== STEP_DEAD) return outcome;
          break;
        }
      }
    } else {
      const nodeSlots = this.pendingNodes > 0 ? nodeCount : 0;
      const timerSlots = this.armedTimers > 0 ? nodeCount * this.maxTimers : 0;
      const slots = nodeSlots + mc + timerSlots;
      for (let attempt = slots; attempt > 0; attempt--) {
        if (this.sampleNormal(this.below(slots) + nodeCount - nodeSlots)) {
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
    const nodes = this.cur;
    const nodeCount = nodes.length;
    this.normal = 0;
    if (u < nodeCount) {
      const f = nodes[u]!.flags;
      if (!(f & FLAG_UP)) {
        if (!this.recoverable[u]) return false;
        this.addNormal(K_RECOVER, u, -1, null);
      } else {
        if (f & FLAG_STARTED) return false;
        this.addNormal(K_START, u, -1, this.startMemo(u));
      }
    } else if (u < nodeCount + this.msgCount) {
      const i = u - nodeCount;
      const m = this.msgs[i]!;
      if (i > 0) {
        const prev = this.msgs[i - 1]!;
        if (prev.src === m.src && prev.dst === m.dst && (this.sys.fifo || this.same(prev, m))) return false;
      }
      const f = nodes[m.dst]!.flags;
      if (!(f & FLAG_UP) || !(f & FLAG_STARTED)) return false;
      const e = this.messageMemo(m);
      if (!e.handler) return false;
      this.addNormal(K_DELIVER, m.dst, i, e);
    } else {
      const v = u - nodeCount - this.msgCount;
      const id = (v / this.maxTimers) | 0;
      const t = v - id * this.maxTimers;
      const node = nodes[id]!;
      if (t >= node.timers.length || !(node.flags & FLAG_UP) || node.timers[t] !== 0) return false;
      const e = this.timerMemo(id, t);
      if (!e.handler) return false;
      this.addNormal(K_TIMEOUT, id, t, e);
    }
    this.normalLive = 1;
    return true;
  }

  /**
   * Whether fault slot `u` is possible; if so it is candidate 0. Slots: a crash per node
   * (`crashSlots` of them: all nodes or none), then per message its drop and its
   * duplicate, or only the one of them that some budget allows.
   */
  private sampleFault(u: number, crashSlots: number): boolean {
    const nodes = this.cur;
    this.faults = 0;
    if (u < crashSlots) {
      const f = nodes[u]!.flags;
      if (!(f & FLAG_UP) || f & FLAG_BYZANTINE) return false;
      const slot = this.budget.crashSlot[this.roleOf[u]!]!;
      if (slot < 0) return false;
      this.addFault(F_CRASH, u, -1, slot);
    } else {
      const v = u - crashSlots;
      const both = this.budget.anyDrop && this.budget.anyDuplicate;
      const i = both ? v >> 1 : v;
      const m = this.msgs[i]!;
      if (i > 0 && this.same(this.msgs[i - 1]!, m)) return false;
      if (both ? v & 1 : !this.budget.anyDrop) {
        const dup = this.budget.duplicateSlot[m.type]!;
        if (dup < 0) return false;
        this.addFault(F_DUPLICATE, m.dst, i, dup);
      } else {
        const drop = this.budget.dropSlot[m.type]!;
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
      const msg = kind === K_DELIVER ? this.msgs[this.nAux[j]!]! : null;
      const timer = kind === K_TIMEOUT ? this.nAux[j]! : -1;
      if (this.canTake(this.nMemo[j]!, this.nNode[j]!, msg, timer)) return true;
      this.strikeNormal(j);
    }
    return false;
  }

  private strikeNormal(j: number): void {
    this.nDead[j] = 1;
    this.normalLive--;
  }

  /** Protocol candidate `j`'s handler taken, its `choose` decisions drawn at random (see `take`). */
  private runCandidate(j: number): Outcome {
    const kind = this.nKind[j]!;
    const msg = kind === K_DELIVER ? this.msgs[this.nAux[j]!]! : null;
    const timer = kind === K_TIMEOUT ? this.nAux[j]! : -1;
    return this.take(this.nMemo[j]!, this.nNode[j]!, msg, timer);
  }

  /**
   * Runs handler `h` at node `id` in local state `base` once, its `choose` decisions
   * drawn at random, into the role's scratch variables and timers and `this.sends`.
   * When the drawn path blocks, every combination is tried and one unblocked outcome
   * is drawn among them; RUN_BLOCKED when there is none. (`firstOnly`: the first
   * unblocked outcome, no random draws.) What `take` does without a tree.
   */
  private runHandler(id: number, h: CompiledHandler, base: NodeState, msg: LiveMsg | null, timer: number, firstOnly: boolean): number {
    if (!firstOnly) {
      const end = this.runOnce(id, h, base, msg, timer);
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
        const end = this.runOnce(id, h, base, msg, timer);
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
        const end = this.runOnce(id, h, base, msg, timer);
        if (end !== RUN_BLOCKED && pick-- === 0) return end;
        if (!odometer.advance()) break;
      }
      return RUN_BLOCKED;
    } finally {
      this.enumerating = false;
    }
  }

  private lastError: RuntimeFault | null = null;

  private runOnce(id: number, h: CompiledHandler, base: NodeState, msg: LiveMsg | null, timer: number): number {
    const role = this.roleOf[id]!;
    const vars = this.scratchVars[role]!;
    const timers = this.scratchTimers[role]!;
    const nv = base.vars;
    for (let i = 0; i < vars.length; i++) vars[i] = nv[i]!;
    const nt = base.timers;
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
    ctx.byzantine = (base.flags & FLAG_BYZANTINE) !== 0;
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
    const o = this.runCandidate(j);
    if (o.end === RUN_BLOCKED) {
      this.strikeNormal(j);
      return STEP_DEAD;
    }
    if (o.end === RUN_ERROR) return this.errorStep(kind, id, false, o.error);
    this.commitHandler(j, o, o.sends.length);
    this.recordStep(KIND_NAMES[kind]!, id, false);
    return STEP_TAKEN;
  }

  private errorStep(kind: number, id: number, fault: boolean, error: RuntimeFault | null): number {
    this.error = error?.message ?? 'handler error';
    if (this.record) this.record.push({ kind: KIND_NAMES[kind]!, node: id, fault, error: this.error, after: null });
    return STEP_ERROR;
  }

  /** Applies outcome `o` of candidate `j`'s handler, with its first `sent` sends. */
  private commitHandler(j: number, o: Outcome, sent: number): void {
    const id = this.nNode[j]!;
    this.setNode(id, o.local!);
    if (this.nKind[j] === K_DELIVER) this.removeAt(this.nAux[j]!);
    if (sent === o.sends.length) this.merge(o.sorted);
    else this.send(o.sends, sent);
  }

  /** Puts the first `count` of `sends` in flight; a send to a crashed node is lost. */
  private send(sends: readonly LiveMsg[], count: number): void {
    for (let i = 0; i < count; i++) {
      const m = sends[i]!;
      if (!(this.cur[m.dst]!.flags & FLAG_UP)) continue;
      this.insert(m);
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
        while (!this.same(this.msgs[first]!, m)) first++;
        this.removeAt(first);
        this.recordStep('drop', id, true);
      } else {
        this.insert(m);
        this.recordStep('duplicate', id, true);
      }
      return STEP_TAKEN;
    }
    // A crash while sending: the handler ran, only a prefix of its sends left the node.
    const c = this.fAux[j]!;
    const o = this.nDead[c] ? BLOCKED : this.runCandidate(c);
    if (o.end === RUN_BLOCKED || o.sends.length === 0) {
      this.fDead[j] = 1;
      this.faultsLive--;
      return STEP_DEAD;
    }
    const handlerKind = this.nKind[c]!;
    if (o.end === RUN_ERROR) return this.errorStep(handlerKind, id, true, o.error);
    this.commitHandler(c, o, this.below(o.sends.length));
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
    ctx.byzantine = (this.cur[id]!.flags & FLAG_BYZANTINE) !== 0;
    return ctx;
  }

  /** Node `id` crashes: volatile variables back to their initial value, timers disarmed, messages to it lost. */
  private crash(id: number): void {
    const node = this.cur[id]!;
    let next = node.crashed;
    if (next === null) {
      const role = this.sys.roles[this.roleOf[id]!]!;
      const ctx = this.initialValueCtx(id);
      const vars = node.vars.slice();
      for (let i = 0; i < role.vars.length; i++) {
        const v = role.vars[i]!;
        if (!v.stable) vars[i] = v.init(ctx)[0]!;
      }
      next = this.internLocal(id, vars, node.flags & ~FLAG_UP, this.disarmed[role.index]!);
      if (this.memoOn) node.crashed = next;
    }
    this.setNode(id, next);
    let n = 0;
    for (let i = 0; i < this.msgCount; i++) {
      const m = this.msgs[i]!;
      if (m.dst !== id) this.msgs[n++] = m;
    }
    this.msgCount = n;
  }

  /** A crashed node recovers: volatile variables drawn among their initial values, then its `on recover` runs. */
  private recover(id: number): number {
    const node = this.cur[id]!;
    const role = this.sys.roles[this.roleOf[id]!]!;
    const ctx = this.initialValueCtx(id);
    const vars = node.vars.slice();
    for (let i = 0; i < role.vars.length; i++) {
      const v = role.vars[i]!;
      if (v.stable) continue;
      const vals = v.init(ctx);
      vars[i] = vals[this.below(vals.length)]!;
    }
    const flags = node.flags | FLAG_UP | FLAG_STARTED;
    const timers = this.disarmed[role.index]!;
    if (role.recover) {
      const end = this.runHandler(id, role.recover, { vars, flags, timers }, null, -1, false);
      if (end === RUN_BLOCKED) {
        // No outcome for the values drawn: the node is as it was; strike the recovery off.
        this.strikeRecovery(id);
        return STEP_DEAD;
      }
      if (end === RUN_ERROR) return this.errorStep(K_RECOVER, id, false, this.lastError);
      const o = this.outcomeOf(end, id, flags);
      this.setNode(id, o.local!);
      this.merge(o.sorted);
    } else {
      this.setNode(id, this.internLocal(id, vars, flags, timers));
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

  /**
   * Puts `sorted` (in canonical order) in flight, but those to crashed nodes (lost): one
   * merge from the back instead of an insertion each (a broadcast moved every message
   * after it once per receiver). Equal channels keep the order `insert` gives: the new
   * after the old, among the new the send order.
   */
  private merge(sorted: readonly LiveMsg[]): void {
    if (sorted.length < 2) {
      if (sorted.length === 1 && this.cur[sorted[0]!.dst]!.flags & FLAG_UP) this.insert(sorted[0]!);
      return;
    }
    let live = sorted;
    for (let j = 0; this.downNodes > 0 && j < sorted.length; j++) {
      if (!(this.cur[sorted[j]!.dst]!.flags & FLAG_UP)) {
        live = sorted.filter((m) => (this.cur[m.dst]!.flags & FLAG_UP) !== 0);
        break;
      }
    }
    const k = live.length;
    if (k === 0) return;
    const fifo = this.sys.fifo;
    const msgs = this.msgs;
    let i = this.msgCount - 1;
    let j = k - 1;
    let w = this.msgCount + k - 1;
    // Grow without holes (writing past the end first would make the array holey).
    while (msgs.length <= w) msgs.push(live[0]!);
    this.msgCount = w + 1;
    while (j >= 0) {
      if (i >= 0 && compareMsgs(fifo, msgs[i]!, live[j]!) > 0) msgs[w--] = msgs[i--]!;
      else msgs[w--] = live[j--]!;
    }
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
    for (let i = index + 1; i < this.msgCount; i++) msgs[i - 1] = msgs[i]!;
    this.msgCount--;
  }
}

/**
 * Which budget each fault would spend (-1: none left) with budgets `used` spent: per
 * role for crashes, per message type for drops and duplicates, as `crashBudgetFor` and
 * `messageBudgetFor` choose; and which kinds of fault are possible at all.
 */
interface BudgetView {
  readonly crashSlot: Int32Array;
  readonly sendingSlot: Int32Array;
  readonly dropSlot: Int32Array;
  readonly duplicateSlot: Int32Array;
  readonly anyCrash: boolean;
  readonly anySending: boolean;
  readonly anyDrop: boolean;
  readonly anyDuplicate: boolean;
  readonly anyFault: boolean;
}

function budgetView(sys: TransitionSystem, used: readonly number[]): BudgetView {
  const crashSlot = new Int32Array(sys.roles.length).fill(-1);
  const sendingSlot = new Int32Array(sys.roles.length).fill(-1);
  const dropSlot = new Int32Array(sys.messages.length).fill(-1);
  const duplicateSlot = new Int32Array(sys.messages.length).fill(-1);
  let anyCrash = false;
  let anySending = false;
  // Budgets in declaration order: the first with room left is the one spent.
  for (const b of sys.budgets) {
    if (used[b.slot]! >= b.limit) continue;
    if (b.kind === 'crash') {
      for (let r = 0; r < sys.roles.length; r++) {
        if (b.target >= 0 && b.target !== r) continue;
        if (crashSlot[r]! < 0) crashSlot[r] = b.slot;
        if (b.whileSending && sendingSlot[r]! < 0) sendingSlot[r] = b.slot;
      }
      anyCrash = true;
      if (b.whileSending) anySending = true;
    } else if (b.kind === 'drop' || b.kind === 'duplicate') {
      const table = b.kind === 'drop' ? dropSlot : duplicateSlot;
      for (let t = 0; t < sys.messages.length; t++) if ((b.target < 0 || b.target === t) && table[t]! < 0) table[t] = b.slot;
    }
  }
  let anyDrop = sys.lossy;
  let anyDuplicate = false;
  for (let t = 0; t < sys.messages.length; t++) {
    if (dropSlot[t]! >= 0) anyDrop = true;
    if (duplicateSlot[t]! >= 0) anyDuplicate = true;
  }
  return { crashSlot, sendingSlot, dropSlot, duplicateSlot, anyCrash, anySending, anyDrop, anyDuplicate, anyFault: anyCrash || anyDrop || anyDuplicate };
}

/** A `choose` decision among `arity` options, its options filled in as runs reach them. */
function decision(arity: number): Outcome {
  return new Outcome(arity, new Array<Outcome>(arity), RUN_BLOCKED, null, noMsgs, noMsgs, null);
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
