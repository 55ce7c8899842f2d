import type { BudgetDef, CompiledHandler, ExecCtx, ExecEvent, Msg, OutMsg, State, TransitionSystem } from './system.js';
import { FLAG_BYZANTINE, FLAG_STARTED, FLAG_UP, RuntimeFault } from './system.js';
import { ChoiceOdometer } from './choice-odometer.js';
import type { RtType, Value } from './values.js';
import { WordBuffer } from './word-buffer.js';
import type { PackedVar, StateLayout } from './state.js';
import { decodeState, encodeCompound, encodeNode, encodeState, headerChannel, headerDst, headerType, messageHeader, stateLayout } from './state.js';
import {
  bindMessage,
  canRecover,
  forEachHandlerStep,
  handlerFor,
  makeCtx,
  readCtx,
  recoverySuccessors,
  runBody,
  timeoutHandlerFor,
} from './steps.js';
import { keyHash, WordKeyMap } from './word-key-map.js';
import { fmix as mix } from './fingerprint-set.js';

/**
 * Receives the successors of one state, in `successors` order. Unless `error`
 * is set, the successor's words (as `encodeState` writes them) are in `out`.
 */
export type WordSink = (fault: boolean, error: RuntimeFault | null) => void;

/**
 * Successor generation that writes each successor's words straight from its
 * parent's words, for the explorer's hot loop. The interpreter (`successors`)
 * builds a state object per successor; almost all of them are states already
 * seen and become garbage at once, and that allocation, not the protocol's
 * handlers, dominated exploration time. Handlers still run as compiled closures
 * on a decoded parent; only the successors are never built as objects.
 *
 * It yields exactly the interpreter's successors, in the same order and with
 * the same words, so paths and fingerprints mean the same in both (a property
 * test holds them to it). Models it does not cover — `sync` timing, scripted
 * faults, partitions, `within` deadlines — are explored by the interpreter:
 * `create` returns null for them.
 */
export class WordSuccessors {
  /** The words of the successor just produced. */
  readonly out = new WordBuffer();

  /** Words per node block and per message of each type, or -1 when they vary (sets, maps, sequences). */
  private readonly blockWords: number[];
  private readonly packing: (readonly PackedVar[] | null)[];
  private readonly layout: StateLayout;
  private readonly messageWords: number[];
  /** Words after the fault budgets, copied unchanged (see `stateLayout`). */
  private readonly tailWords: number;
  private readonly ctx: ExecCtx;
  private sends: OutMsg[] = [];
  private readonly odometer = new ChoiceOdometer();
  private readonly scratchVars: Value[][];
  /**
   * The budgets each fault may spend, as (slot, limit) pairs in `sys.budgets`
   * order: per node for crashes (and crashes while sending), per message type for
   * drops and duplicates. The first with some left is spent, as `crashBudgetFor`
   * and `messageBudgetFor` choose.
   */
  private readonly crashBudgets: Int32Array[];
  private readonly sendCrashBudgets: Int32Array[];
  private readonly dropBudgets: Int32Array[];
  private readonly duplicateBudgets: Int32Array[];
  /** Per budget slot and count used so far, what spending one more adds to each fingerprint lane (from `spendAt[slot] + used`). */
  private readonly spendAt: Int32Array;
  private readonly spendDeltaA: Int32Array;
  private readonly spendDeltaB: Int32Array;
  private events: ExecEvent[] = [];

  // The parent being expanded: where each node block and message starts, and its length.
  private words: Int32Array = new Int32Array(0);
  private parentStart = 0;
  private state: State | null = null;
  private nodeOff: Int32Array;
  private nodeLen: Int32Array;
  private nodesStart = 0;
  private nodesEnd = 0;
  private msgCount = 0;
  private msgOff = new Int32Array(64);
  private msgLen = new Int32Array(64);
  private tailAt = 0;

  // The node a successor changes: its flags, variables and timers, and whether it crashed at the end.
  private changed = -1;
  private changedFlags = 0;
  private changedVars: readonly Value[] = [];
  private changedTimers: readonly number[] = [];
  private crashed = false;

  // The successor's in-flight messages: refs >= 0 are parent messages, < 0 new ones in `pool`.
  private refs = new Int32Array(64);
  private refCount = 0;
  private pool = new Int32Array(256);
  private poolOff = new Int32Array(64);
  private poolLen = new Int32Array(64);
  private poolCount = 0;
  private poolLength = 0;
  /**
   * The pool only grows while one parent is expanded: each successor's new
   * messages are the entries from `poolFirst` on, so a saved successor
   * (`saveOut`) keeps its messages by reference.
   */
  private poolFirst = 0;

  /**
   * With `incremental`, a successor's fingerprint is computed from the parent's
   * (the parts it changes taken out, their replacements put in) and its words
   * are written only when asked (`writeOut`): most successors are states already
   * seen, and for them nothing is copied or hashed whole. The fingerprint is
   * then a sum of part hashes (`fingerprintOf`), so every state of a search
   * that uses it must be fingerprinted that way.
   */
  incremental = false;
  /** Whether the successor just offered still has to be written to `out` (`writeOut`). */
  pending = false;
  /** The successor's two fingerprint hashes, when `incremental`. */
  readonly fingerprint = new Int32Array(2);
  // Part hashes of the parent (two lanes each), and the sums of all but its messages.
  private nodeHashA = new Int32Array(0);
  private nodeHashB = new Int32Array(0);
  private msgHashA = new Int32Array(64);
  private msgHashB = new Int32Array(64);
  private poolHashA = new Int32Array(64);
  private poolHashB = new Int32Array(64);
  private sumA = 0;
  /** The sum of the parent's node block hashes (lane A). */
  private nodesHash = 0;
  private sumB = 0;
  private msgSumA = 0;
  private msgSumB = 0;
  // The successor's messages as what it does to the parent's, turned into `refs` only when
  // its words are written: the parent's message `skipMsg` goes (-1: none), `dupMsg` is
  // doubled (-1: none), the pool's messages come, and when `crashed` the changed node's are lost.
  private skipMsg = -1;
  private dupMsg = -1;
  private readonly block = new WordBuffer(64);
  private spend = -1;

  /**
   * Handler outcomes by what they depend on. A handler reads only its own node
   * and the message (the checker rejects reads of other nodes and `crashed` in
   * handlers), so the node's block words and the trigger (start, the message's
   * words, or the timer) decide which handler runs and every outcome of it: the
   * node's new block, its block after a crash part-way through the sends, and the
   * sends, all as words with their part hashes. Protocols revisit the same few
   * node-and-message pairs in millions of states; after the first visit a handler
   * step is a lookup and some copying (2PC: about nine in ten runs are lookups
   * on the first level already).
   */
  private readonly memo: WordKeyMap;
  /** Where each memo entry's outcomes are (see `recordOutcomes` for the layout). */
  private outcomes = new Int32Array(1 << 12);
  private outcomesLength = 0;
  private readonly errors: RuntimeFault[] = [];
  /** The changed node's block as memo words (its length at this offset in `outcomes`), or -1. */
  private memoBlock = -1;
  private readonly scratch = new WordBuffer(64);
  /**
   * A successor from a recorded handler outcome whose receivers are all up,
   * offered with its fingerprint only: the node (-1: none), its flags, where its
   * block and its sends are in `outcomes`, how many sends, and the message it
   * consumed. `materialize` turns it into the usual change when its words are wanted.
   */
  private lazyNode = -1;
  private lazyFlags = 0;
  private lazyBlock = 0;
  private lazySends = 0;
  private lazySendCount = 0;
  private lazyConsumed = -1;
  /** Bit i: node i of the parent is up (nodes from 31 on never count as up here). */
  private upMask = 0;
  /** Successors saved by `saveOut` for the parent being expanded. */
  private recipes = new Int32Array(1 << 10);
  private recipesLength = 0;
  /** Off only to test that the memo changes nothing. */
  memoize = true;

  /** `memoKeys` bounds the handler memo (a million keys unless set: tests set it low to reach the bound). */
  static create(sys: TransitionSystem, options: { memoKeys?: number } = {}): WordSuccessors | null {
    if (sys.timing !== 'async' || sys.script.length > 0 || sys.clockLimit > 0) return null;
    if (sys.budgets.some((b) => b.kind === 'partition' || b.kind === 'delay')) return null;
    return new WordSuccessors(sys, options.memoKeys ?? 1 << 20);
  }

  private constructor(
    private readonly sys: TransitionSystem,
    memoKeys: number,
  ) {
    this.memo = new WordKeyMap(memoKeys, 1 << 22);
    this.layout = stateLayout(sys);
    this.packing = this.layout.packing;
    this.blockWords = sys.roles.map((role, r) =>
      this.packing[r] ? 1 + role.timers.length : role.vars.every((v) => isScalar(v.type)) ? 1 + role.vars.length + role.timers.length : -1,
    );
    this.messageWords = sys.messages.map((m, type) => (this.layout.messageFields[type] ? 1 : m.fields.every((f) => isScalar(f.type)) ? 1 + m.fields.length : -1));
    this.tailWords = stateLayout(sys).words;
    this.scratchVars = sys.roles.map((role) => role.vars.map(() => 0));
    const budgetList = (pick: (b: BudgetDef) => boolean) => Int32Array.from(sys.budgets.filter(pick).flatMap((b) => [b.slot, b.limit]));
    const crashes = (role: number, whileSending: boolean) => (b: BudgetDef) => b.kind === 'crash' && (b.target < 0 || b.target === role) && (!whileSending || b.whileSending);
    this.crashBudgets = sys.nodes.map((n) => budgetList(crashes(n.role, false)));
    this.sendCrashBudgets = sys.nodes.map((n) => budgetList(crashes(n.role, true)));
    this.dropBudgets = sys.messages.map((_, type) => budgetList((b) => b.kind === 'drop' && (b.target < 0 || b.target === type)));
    this.duplicateBudgets = sys.messages.map((_, type) => budgetList((b) => b.kind === 'duplicate' && (b.target < 0 || b.target === type)));
    // Large budgets (a lossy network's thousands of drops) are hashed when spent instead.
    this.spendAt = new Int32Array(sys.budgets.length);
    const deltas: [number, number][] = [];
    for (let k = 0; k < sys.budgets.length; k++) {
      this.spendAt[k] = deltas.length;
      const limit = Math.min(sys.budgets[k]!.limit, 1024);
      for (let used = 0; used < limit; used++) {
        budgetHash(k, used);
        const a = partOut[0]!;
        const b = partOut[1]!;
        budgetHash(k, used + 1);
        deltas.push([(partOut[0]! - a) | 0, (partOut[1]! - b) | 0]);
      }
    }
    this.spendDeltaA = Int32Array.from(deltas.map((d) => d[0]));
    this.spendDeltaB = Int32Array.from(deltas.map((d) => d[1]));
    this.nodeOff = new Int32Array(sys.nodes.length);
    this.nodeLen = new Int32Array(sys.nodes.length);
    this.nodeHashA = new Int32Array(sys.nodes.length);
    this.nodeHashB = new Int32Array(sys.nodes.length);
    this.ctx = makeCtx(sys, { nodes: [], msgs: [], used: [], partition: 0, healAt: -1, fired: 0, dropsLeft: [], clock: 0, seen: 0 }, -1);
    this.ctx.choose = (n: number) => this.odometer.choose(n);
  }

  /** Calls `sink` once per successor of `s`, whose words start at `words[start]`. */
  expand(s: State | null, words: Int32Array, start: number, sink: WordSink): void {
    this.prepare(s, words, start);
    this.expandPrepared(sink);
  }

  /**
   * Takes the parent whose words start at `words[start]`; `s` is its decoding,
   * or null to decode it only if some step needs it (`parentState`): with the
   * memo, most expansions never do.
   */
  prepare(s: State | null, words: Int32Array, start: number): void {
    this.state = s;
    this.words = words;
    this.parentStart = start;
    this.recipesLength = 0;
    this.poolCount = 0;
    this.poolLength = 0;
    this.poolFirst = 0;
    this.layOut(words, start);
  }

  /** The parent as a state object, decoded on first use. */
  parentState(): State {
    if (!this.state) this.state = decodeState(this.sys, this.words, this.parentStart);
    return this.state;
  }

  /** Where the parent's node blocks start and end in its words, and how many messages it has in flight. */
  get parentNodesStart(): number {
    return this.nodesStart;
  }

  get parentNodesEnd(): number {
    return this.nodesEnd;
  }

  /** A hash of the parent's node blocks (all of them, as `parentNodesStart..parentNodesEnd`). */
  get parentNodesHash(): number {
    return this.nodesHash;
  }

  get parentMessages(): number {
    return this.msgCount;
  }

  /** Calls `sink` once per successor of the parent `prepare` took. */
  expandPrepared(sink: WordSink): void {
    const sys = this.sys;
    if (this.memoize) this.memoHandlerSteps(sink);
    else forEachHandlerStep(sys, this.parentState(), (id, h, msg, index, timer) => this.handlerSteps(id, h, msg, index, timer, sink));
    // Recoveries are rare: the interpreter builds them and they are encoded.
    for (let id = 0; id < sys.nodes.length; id++) {
      if (this.flagsOf(id) & FLAG_UP || !canRecover(sys, id)) continue;
      for (const succ of recoverySuccessors(sys, this.parentState(), id)) {
        this.out.clear();
        if (!succ.step.error) encodeState(sys, succ.state, this.out);
        // Written whole: the caller fingerprints it with `fingerprintOf`.
        this.pending = false;
        sink(succ.step.fault, succ.step.error);
      }
    }
    this.faultSteps(sink);
  }

  /** Where the block of node `id` that starts at `w[at]` ends. */
  private blockEnd(id: number, w: Int32Array, at: number): number {
    const roleIndex = this.sys.nodes[id]!.role;
    const fixed = this.blockWords[roleIndex]!;
    if (fixed >= 0) return at + fixed;
    const role = this.sys.roles[roleIndex]!;
    at++;
    for (const v of role.vars) at = skipValue(v.type, w, at);
    return at + role.timers.length;
  }

  /** Where the message that starts at `w[at]` ends. */
  private messageEnd(w: Int32Array, at: number): number {
    const type = headerType(w[at]!, this.layout);
    const fixed = this.messageWords[type]!;
    if (fixed >= 0) return at + fixed;
    at += 1;
    for (const f of this.sys.messages[type]!.fields) at = skipValue(f.type, w, at);
    return at;
  }

  /** Finds where each node block and message of the parent starts. */
  private layOut(w: Int32Array, start: number): void {
    const sys = this.sys;
    let at = start;
    this.nodesStart = start;
    for (let id = 0; id < sys.nodes.length; id++) {
      this.nodeOff[id] = at;
      at = this.blockEnd(id, w, at);
      this.nodeLen[id] = at - this.nodeOff[id]!;
    }
    this.nodesEnd = at;
    let up = 0;
    for (let id = 0; id < sys.nodes.length && id < 31; id++) if (w[this.nodeOff[id]!]! & FLAG_UP) up |= 1 << id;
    this.upMask = up;
    this.msgCount = w[at++]!;
    if (this.msgOff.length < this.msgCount) {
      this.msgOff = new Int32Array(this.msgCount * 2);
      this.msgLen = new Int32Array(this.msgCount * 2);
    }
    if (this.refs.length < this.msgCount * 2 + 64) this.refs = new Int32Array(this.msgCount * 2 + 64);
    for (let i = 0; i < this.msgCount; i++) {
      this.msgOff[i] = at;
      at = this.messageEnd(w, at);
      this.msgLen[i] = at - this.msgOff[i]!;
    }
    this.tailAt = at;
    // The memo's keys are hashed from the part hashes too.
    if (this.incremental || this.memoize) this.hashParts(w);
  }

  /** The parent's part hashes, and the sums of those of its nodes and tail (see `fingerprintOf`). */
  private hashParts(w: Int32Array): void {
    if (this.msgHashA.length < this.msgCount) {
      this.msgHashA = new Int32Array(this.msgCount * 2);
      this.msgHashB = new Int32Array(this.msgCount * 2);
    }
    let a = 0;
    let b = 0;
    for (let id = 0; id < this.nodeOff.length; id++) {
      const off = this.nodeOff[id]!;
      partHash(w, off, off + this.nodeLen[id]!, nodeSeed + id);
      this.nodeHashA[id] = partOut[0]!;
      this.nodeHashB[id] = partOut[1]!;
      a += partOut[0]!;
      b += partOut[1]!;
    }
    this.nodesHash = a | 0;
    let ma = 0;
    let mb = 0;
    for (let i = 0; i < this.msgCount; i++) {
      const off = this.msgOff[i]!;
      partHash(w, off, off + this.msgLen[i]!, messageSeed);
      this.msgHashA[i] = partOut[0]!;
      this.msgHashB[i] = partOut[1]!;
      ma += partOut[0]!;
      mb += partOut[1]!;
    }
    this.msgSumA = ma | 0;
    this.msgSumB = mb | 0;
    const budgets = this.sys.budgets.length;
    for (let k = 0; k < budgets; k++) {
      budgetHash(k, w[this.tailAt + k]!);
      a += partOut[0]!;
      b += partOut[1]!;
    }
    partHash(w, this.tailAt + budgets, this.tailAt + budgets + this.tailWords, tailSeed);
    this.sumA = (a + partOut[0]!) | 0;
    this.sumB = (b + partOut[1]!) | 0;
  }

  /**
   * The fingerprint of the state whose words start at `w[start]`, as a sum of
   * part hashes: each node block (with its node's number), each message, each
   * fault budget and the rest of the tail. A sum does not depend on the order of
   * the messages, and a successor's is the parent's with the changed parts
   * replaced. Wraps at 32 bits per lane; two lanes make 64 bits.
   */
  fingerprintOf(w: Int32Array, start: number, out: Int32Array): void {
    const sys = this.sys;
    let at = start;
    let a = 0;
    let b = 0;
    for (let id = 0; id < sys.nodes.length; id++) {
      const from = at;
      at = this.blockEnd(id, w, at);
      partHash(w, from, at, nodeSeed + id);
      a += partOut[0]!;
      b += partOut[1]!;
    }
    const count = w[at++]!;
    for (let i = 0; i < count; i++) {
      const from = at;
      at = this.messageEnd(w, at);
      partHash(w, from, at, messageSeed);
      a += partOut[0]!;
      b += partOut[1]!;
    }
    const budgets = sys.budgets.length;
    for (let k = 0; k < budgets; k++) {
      budgetHash(k, w[at + k]!);
      a += partOut[0]!;
      b += partOut[1]!;
    }
    partHash(w, at + budgets, at + budgets + this.tailWords, tailSeed);
    out[0] = (a + partOut[0]!) | 0;
    out[1] = (b + partOut[1]!) | 0;
  }

  /** The fault budget `crashBudgetFor` would spend, read from the parent's words. */
  private crashSlot(id: number, whileSending: boolean): number {
    return this.firstLeft(whileSending ? this.sendCrashBudgets[id]! : this.crashBudgets[id]!);
  }

  /** The first budget of a list (slot, limit pairs, in `sys.budgets` order) with some left in the parent, or -1. */
  private firstLeft(list: Int32Array): number {
    const w = this.words;
    const at = this.tailAt;
    for (let i = 0; i < list.length; i += 2) if (w[at + list[i]!]! < list[i + 1]!) return list[i]!;
    return -1;
  }

  private faultSteps(sink: WordSink): void {
    const sys = this.sys;
    const w = this.words;
    for (let id = 0; id < sys.nodes.length; id++) {
      const flags = this.flagsOf(id);
      if (!(flags & FLAG_UP) || flags & FLAG_BYZANTINE) continue;
      const slot = this.crashSlot(id, false);
      if (slot < 0) continue;
      const crashed = this.memoize ? this.crashedBlock(id) : -1;
      if (crashed >= 0) this.changeFromMemo(id, flags, crashed);
      else {
        const node = this.parentState().nodes[id]!;
        this.change(id, node.flags, node.vars, node.timers);
      }
      this.crash();
      this.finishState(slot);
      sink(true, null);
    }
    for (let i = 0; i < this.msgCount; i++) {
      if (i > 0 && this.sameParentMsg(i - 1, i)) continue;
      const type = headerType(w[this.msgOff[i]!]!, this.layout);
      const drop = this.firstLeft(this.dropBudgets[type]!);
      if (drop >= 0 || sys.lossy) {
        this.change(-1, 0, noValues, noTimers);
        // The first message equal to this one goes: this one, as equal messages are
        // side by side, unless a FIFO channel holds equal ones apart.
        let first = i;
        if (sys.fifo) {
          first = 0;
          while (!this.sameParentMsg(first, i)) first++;
        }
        this.skipMsg = first;
        this.finishState(drop >= 0 && !sys.lossy ? drop : -1);
        sink(true, null);
      }
      const dup = this.firstLeft(this.duplicateBudgets[type]!);
      if (dup >= 0) {
        this.change(-1, 0, noValues, noTimers);
        this.dupMsg = i;
        this.finishState(dup);
        sink(true, null);
      }
    }
  }

  /** Where in `outcomes` the block of node `id` after a crash is (a part: length, words, hashes), recorded on first use; -1 past the memo's bounds. */
  private crashedBlock(id: number): number {
    const blockAt = this.nodeOff[id]!;
    const blockLen = this.nodeLen[id]!;
    const hash = keyHash(triggerCrash, this.nodeHashA[id]!, 0);
    const known = this.memo.get(hash, triggerCrash, id, this.words, blockAt, blockLen, 0, 0);
    if (known >= 0) return known;
    if (this.memo.full || this.outcomesLength > maxOutcomeWords) return -1;
    const sys = this.sys;
    const s = this.parentState();
    const node = s.nodes[id]!;
    const roleIndex = sys.nodes[id]!.role;
    const role = sys.roles[roleIndex]!;
    const init = readCtx(sys, s, id);
    const vars = node.vars.map((v, i) => (role.vars[i]!.stable ? v : role.vars[i]!.init(init)[0]!));
    this.scratch.clear();
    encodeNode(this.packing[roleIndex]!, node.flags & ~FLAG_UP, vars, node.timers.map(() => -1), this.scratch);
    const entry = this.outcomesLength;
    this.emitPart(nodeSeed + id);
    this.memo.set(hash, triggerCrash, id, this.words, blockAt, blockLen, 0, 0, entry);
    return entry;
  }

  /**
   * Runs handler `h` of node `id` once per combination of its `choose`
   * decisions, and calls `visit` after each run that is not blocked, with its
   * error (or null), the node's variables, timers and flags after it, and its
   * sends. The variables are a scratch array, valid until the next run.
   */
  private forEachRun(
    id: number,
    h: CompiledHandler,
    msg: Msg | null,
    timer: number,
    visit: (error: RuntimeFault | null, vars: readonly Value[], timers: readonly number[], flags: number, sends: OutMsg[]) => void,
  ): void {
    const sys = this.sys;
    const s = this.parentState();
    const node = s.nodes[id]!;
    const flags = h.kind === 'start' ? node.flags | FLAG_STARTED : node.flags;
    const ctx = this.ctx;
    const odometer = this.odometer;
    odometer.reset();
    // One scratch array per role for the variables: the same length every time, so refilling
    // it needs no `length` write (a slow call into V8) and no allocation.
    const vars = this.scratchVars[sys.nodes[id]!.role]!;
    for (let runs = 0; runs < 100_000; runs++) {
      odometer.startRun();
      for (let i = 0; i < vars.length; i++) vars[i] = node.vars[i]!;
      const timers = node.timers.length > 0 ? node.timers.slice() : noTimers;
      if (timer >= 0) (timers as number[])[timer] = -1;
      const sends: OutMsg[] = [];
      ctx.state = s;
      ctx.self = id;
      ctx.vars = vars;
      ctx.timers = timers as number[];
      ctx.sends = sends;
      // Events (decide, deliver) matter only to traces; their effect is in the variables.
      if (this.events.length > 0) this.events = [];
      ctx.events = this.events;
      ctx.byzantine = (node.flags & FLAG_BYZANTINE) !== 0;
      ctx.inStart = h.kind === 'start';
      ctx.onSend = null;
      if (msg) bindMessage(ctx.frame, h, msg);
      // Without scripted faults nothing cuts a handler: a run ends normally, with an error, or blocked.
      const end = runBody(ctx, h);
      if (end !== 'blocked') visit(end instanceof RuntimeFault ? end : null, vars, timers, flags, sends);
      if (!odometer.advance()) break;
    }
  }

  /** Runs a handler once per combination of its `choose` decisions; each outcome is a successor, plus crashes part-way through its sends. */
  private handlerSteps(id: number, h: CompiledHandler, msg: Msg | null, consumed: number, timer: number, sink: WordSink): void {
    const byzantine = (this.flagsOf(id) & FLAG_BYZANTINE) !== 0;
    this.forEachRun(id, h, msg, timer, (error, vars, timers, flags, sends) => {
      this.sends = sends;
      if (error) sink(false, error);
      else {
        this.change(id, flags, vars, timers);
        this.skipMsg = consumed;
        this.send(id, sends.length);
        this.finishState(-1);
        sink(false, null);
      }
      // A crash while sending: the state change happened, only a prefix of the sends left.
      const slot = sends.length > 0 && !byzantine ? this.crashSlot(id, true) : -1;
      if (slot < 0) return;
      for (let k = 0; k < sends.length; k++) {
        if (error) {
          sink(true, error);
          continue;
        }
        this.change(id, flags, vars, timers);
        this.skipMsg = consumed;
        this.send(id, k);
        this.crash();
        this.finishState(slot);
        sink(true, null);
      }
    });
  }

  /** A node's flags, from its block in the parent's words. */
  private flagsOf(id: number): number {
    return this.words[this.nodeOff[id]!]! & flagMask;
  }

  /** `forEachHandlerStep` on the parent's words, each step from the memo. */
  private memoHandlerSteps(sink: WordSink): void {
    const sys = this.sys;
    const w = this.words;
    const nodes = sys.nodes.length;
    for (let id = 0; id < nodes; id++) {
      const flags = this.flagsOf(id);
      if (flags & FLAG_STARTED || !(flags & FLAG_UP)) continue;
      this.memoStep(id, triggerStart, -1, -1, sink);
    }
    for (let i = 0; i < this.msgCount; i++) {
      const header = w[this.msgOff[i]!]!;
      if (i > 0 && (sys.fifo ? headerChannel(w[this.msgOff[i - 1]!]!) === headerChannel(header) : this.sameParentMsg(i - 1, i))) continue;
      const dst = headerDst(header);
      const flags = this.flagsOf(dst);
      if (!(flags & FLAG_UP) || !(flags & FLAG_STARTED)) continue;
      this.memoStep(dst, triggerMessage, i, -1, sink);
    }
    for (let id = 0; id < nodes; id++) {
      if (!(this.flagsOf(id) & FLAG_UP)) continue;
      const timers = sys.roles[sys.nodes[id]!.role]!.timers.length;
      const at = this.nodeOff[id]! + this.nodeLen[id]! - timers;
      for (let t = 0; t < timers; t++) if (w[at + t] === 0) this.memoStep(id, triggerTimer + t, -1, t, sink);
    }
  }

  /** One handler step of node `id` (`message` is the parent's message it receives, or -1), from the memo. */
  private memoStep(id: number, trigger: number, message: number, timer: number, sink: WordSink): void {
    const blockAt = this.nodeOff[id]!;
    const blockLen = this.nodeLen[id]!;
    const messageAt = message >= 0 ? this.msgOff[message]! : 0;
    const messageLen = message >= 0 ? this.msgLen[message]! : 0;
    // The key's hash from the part hashes `hashParts` took: the words are compared only on a match.
    const hash = keyHash(trigger, this.nodeHashA[id]!, message >= 0 ? this.msgHashA[message]! : 0);
    const w = this.words;
    let entry = this.memo.get(hash, trigger, id, w, blockAt, blockLen, messageAt, messageLen);
    if (entry < 0) {
      if (this.memo.full || this.outcomesLength > maxOutcomeWords) {
        // Past the memo's bounds the handler runs as before.
        const s = this.parentState();
        const msg = message >= 0 ? s.msgs[message]! : null;
        const h = this.handlerOf(id, msg, trigger, timer);
        if (h) this.handlerSteps(id, h, msg, message, timer, sink);
        return;
      }
      entry = this.recordOutcomes(id, message, trigger, timer);
      this.memo.set(hash, trigger, id, w, blockAt, blockLen, messageAt, messageLen, entry);
    }
    this.replay(id, entry, message, sink);
  }

  private handlerOf(id: number, msg: Msg | null, trigger: number, timer: number): CompiledHandler | null {
    const sys = this.sys;
    const s = this.parentState();
    if (trigger === triggerStart) return sys.roles[sys.nodes[id]!.role]!.start!;
    if (msg) return handlerFor(sys, s, msg);
    return timeoutHandlerFor(sys, s, id, timer);
  }

  private emit(word: number): void {
    if (this.outcomesLength === this.outcomes.length) this.outcomes = grownTo(this.outcomes, this.outcomesLength + 1);
    this.outcomes[this.outcomesLength++] = word;
  }

  /** Appends the scratch buffer's words as a part: its length, the words, and its two part hashes with `seed`. */
  private emitPart(seed: number): void {
    const b = this.scratch;
    this.emit(b.length);
    for (let k = 0; k < b.length; k++) this.emit(b.data[k]!);
    partHash(b.data, 0, b.length, seed);
    this.emit(partOut[0]!);
    this.emit(partOut[1]!);
  }

  /**
   * Runs the handler step as `handlerSteps` does and records its outcomes in
   * `outcomes`, returning where they start: their count, then per outcome
   * either [error, error number, sends] or [ok, flags, sends, block part,
   * crashed block part (when it sends), then per send: receiver, message part],
   * a part being [length, words, hash A, hash B].
   */
  private recordOutcomes(id: number, message: number, trigger: number, timer: number): number {
    const sys = this.sys;
    const s = this.parentState();
    const entry = this.outcomesLength;
    this.emit(0);
    const msg = message >= 0 ? s.msgs[message]! : null;
    const h = this.handlerOf(id, msg, trigger, timer);
    if (!h) return entry;
    const roleIndex = sys.nodes[id]!.role;
    const role = sys.roles[roleIndex]!;
    const packing = this.packing[roleIndex]!;
    let count = 0;
    this.forEachRun(id, h, msg, timer, (error, vars, timers, flags, sends) => {
      count++;
      if (error) {
        this.emit(outcomeError);
        this.emit(this.errors.length);
        this.errors.push(error);
        this.emit(sends.length);
        return;
      }
      const head = this.outcomesLength;
      this.emit(outcomeOk);
      this.emit(flags);
      this.emit(sends.length);
      // Filled in below: the end, the fingerprint change (two lanes), the receivers, where the sends are.
      for (let k = 0; k < 5; k++) this.emit(0);
      this.scratch.clear();
      encodeNode(packing, flags, vars, timers, this.scratch);
      this.emitPart(nodeSeed + id);
      // The parent's block is part of the key: its hash is the one `hashParts` took.
      let deltaA = this.outcomes[this.outcomesLength - 2]! - this.nodeHashA[id]!;
      let deltaB = this.outcomes[this.outcomesLength - 1]! - this.nodeHashB[id]!;
      let receivers = 0;
      if (sends.length > 0) {
        // Volatile state is re-initialised at the crash, and timers disarmed.
        const init = readCtx(sys, s, id);
        const kept = vars.map((v, i) => (role.vars[i]!.stable ? v : role.vars[i]!.init(init)[0]!));
        this.scratch.clear();
        encodeNode(packing, flags & ~FLAG_UP, kept, timers.map(() => -1), this.scratch);
        this.emitPart(nodeSeed + id);
      }
      const sendsAt = this.outcomesLength;
      for (const o of sends) {
        this.emit(o.dst);
        this.scratch.clear();
        this.scratch.push(messageHeader(this.layout, id, o.dst, o.type, o.fields));
        if (!this.layout.messageFields[o.type]) {
          for (const v of o.fields) {
            if (typeof v === 'number') this.scratch.push(v);
            else encodeCompound(v, this.scratch);
          }
        }
        this.emitPart(messageSeed);
        deltaA += this.outcomes[this.outcomesLength - 2]!;
        deltaB += this.outcomes[this.outcomesLength - 1]!;
        receivers |= o.dst < 31 ? 1 << o.dst : -1;
      }
      const out = this.outcomes;
      out[head + 3] = this.outcomesLength;
      out[head + 4] = deltaA | 0;
      out[head + 5] = deltaB | 0;
      out[head + 6] = receivers;
      out[head + 7] = sendsAt;
    });
    this.outcomes[entry] = count;
    return entry;
  }

  /** The successors of a recorded handler step, as `handlerSteps` offers them. */
  private replay(id: number, entry: number, consumed: number, sink: WordSink): void {
    const o = this.outcomes;
    let p = entry;
    const count = o[p++]!;
    if (count === 0) return;
    const byzantine = (this.flagsOf(id) & FLAG_BYZANTINE) !== 0;
    // A crash while sending needs a budget left: looked up once, when some outcome sends.
    let slot = -2;
    for (let r = 0; r < count; r++) {
      const kind = o[p++]!;
      if (kind === outcomeError) {
        const error = this.errors[o[p++]!]!;
        const sends = o[p++]!;
        sink(false, error);
        if (sends > 0 && !byzantine) {
          if (slot === -2) slot = this.crashSlot(id, true);
          if (slot >= 0) for (let k = 0; k < sends; k++) sink(true, error);
        }
        continue;
      }
      const flags = o[p]!;
      const sends = o[p + 1]!;
      const end = o[p + 2]!;
      const sendsAt = o[p + 6]!;
      const blockAt = p + 7;
      const crashedAt = sends > 0 ? blockAt + 3 + o[blockAt]! : -1;
      if (this.incremental && (o[p + 5]! & ~this.upMask) === 0) {
        // Every receiver is up: the fingerprint is the parent's with the recorded change,
        // and the successor is built only if asked for (`writeOut`, `saveOut`).
        let a = this.sumA + this.msgSumA + o[p + 3]!;
        let b = this.sumB + this.msgSumB + o[p + 4]!;
        if (consumed >= 0) {
          a -= this.msgHashA[consumed]!;
          b -= this.msgHashB[consumed]!;
        }
        this.fingerprint[0] = a | 0;
        this.fingerprint[1] = b | 0;
        this.lazyNode = id;
        this.lazyFlags = flags;
        this.lazyBlock = blockAt;
        this.lazyConsumed = consumed;
        this.lazySends = sendsAt;
        this.lazySendCount = sends;
        this.pending = true;
        sink(false, null);
        this.lazyNode = -1;
      } else {
        this.changeFromMemo(id, flags, blockAt);
        this.skipMsg = consumed;
        this.sendFromMemo(id, sendsAt, sends);
        this.finishState(-1);
        sink(false, null);
      }
      p = end;
      if (sends > 0 && !byzantine) {
        if (slot === -2) slot = this.crashSlot(id, true);
        if (slot < 0) continue;
        for (let k = 0; k < sends; k++) {
          this.changeFromMemo(id, flags, crashedAt);
          this.skipMsg = consumed;
          this.sendFromMemo(id, sendsAt, k);
          this.crash();
          this.finishState(slot);
          sink(true, null);
        }
      }
    }
  }

  private changeFromMemo(id: number, flags: number, blockAt: number): void {
    this.change(id, flags, noValues, noTimers);
    this.memoBlock = blockAt;
  }

  /** `send` from recorded sends (at `at` in `outcomes`): the first `count` go in flight, but not to a crashed node. */
  private sendFromMemo(src: number, at: number, count: number): void {
    const o = this.outcomes;
    for (let j = 0; j < count; j++) {
      const dst = o[at]!;
      const len = o[at + 1]!;
      const words = at + 2;
      at = words + len + 2;
      const dstFlags = dst === this.changed ? this.changedFlags : this.flagsOf(dst);
      if (!(dstFlags & FLAG_UP)) continue;
      if (this.poolCount === this.poolOff.length) {
        this.poolOff = grownTo(this.poolOff, this.poolCount + 1);
        this.poolLen = grownTo(this.poolLen, this.poolCount + 1);
      }
      const start = this.poolLength;
      for (let k = 0; k < len; k++) this.poolWord(o[words + k]!);
      this.poolOff[this.poolCount] = start;
      this.poolLen[this.poolCount] = len;
      if (this.incremental) {
        if (this.poolHashA.length <= this.poolCount) {
          this.poolHashA = grownTo(this.poolHashA, this.poolCount + 1);
          this.poolHashB = grownTo(this.poolHashB, this.poolCount + 1);
        }
        this.poolHashA[this.poolCount] = o[words + len]!;
        this.poolHashB[this.poolCount] = o[words + len + 1]!;
      }
      this.poolCount++;
    }
  }

  /** Starts a successor that differs from the parent in node `id` (-1 = in no node). */
  private change(id: number, flags: number, vars: readonly Value[], timers: readonly number[]): void {
    this.changed = id;
    this.changedFlags = flags;
    this.changedVars = vars;
    this.changedTimers = timers;
    this.crashed = false;
    this.poolFirst = this.poolCount;
    this.skipMsg = -1;
    this.dupMsg = -1;
    this.memoBlock = -1;
  }

  /** The changed node crashes: volatile state is reset, timers disarmed, messages to it lost. */
  private crash(): void {
    this.crashed = true;
    this.changedFlags &= ~FLAG_UP;
  }

  /** The successor's messages in canonical order, in `refs`: the parent's but `skipMsg`, `dupMsg` again, the pool's, and none to a crashed node. */
  private buildRefs(): void {
    let n = 0;
    const skip = this.skipMsg;
    for (let i = 0; i < this.msgCount; i++) if (i !== skip) this.refs[n++] = i;
    this.refCount = n;
    if (this.dupMsg >= 0) this.insertRef(this.dupMsg);
    for (let p = this.poolFirst + 1; p <= this.poolCount; p++) this.insertRef(-p);
    if (this.crashed) {
      const id = this.changed;
      let kept = 0;
      for (let r = 0; r < this.refCount; r++) {
        const ref = this.refs[r]!;
        if (headerDst(this.word(ref, 0)) !== id) this.refs[kept++] = ref;
      }
      this.refCount = kept;
    }
  }

  /** Puts the first `count` sends of the handler in flight; a send to a crashed node is lost. */
  private send(src: number, count: number): void {
    for (let j = 0; j < count; j++) {
      const o = this.sends[j]!;
      const dstFlags = o.dst === this.changed ? this.changedFlags : this.flagsOf(o.dst);
      if (!(dstFlags & FLAG_UP)) continue;
      if (this.poolCount === this.poolOff.length) {
        this.poolOff = grownTo(this.poolOff, this.poolCount + 1);
        this.poolLen = grownTo(this.poolLen, this.poolCount + 1);
      }
      const at = this.poolLength;
      const fields = o.fields;
      this.poolWord(messageHeader(this.layout, src, o.dst, o.type, fields));
      if (!this.layout.messageFields[o.type]) {
        for (let f = 0; f < fields.length; f++) {
          const v = fields[f]!;
          if (typeof v === 'number') this.poolWord(v);
          else this.poolCompound(v);
        }
      }
      this.poolOff[this.poolCount] = at;
      this.poolLen[this.poolCount] = this.poolLength - at;
      if (this.incremental) {
        if (this.poolHashA.length <= this.poolCount) {
          this.poolHashA = grownTo(this.poolHashA, this.poolCount + 1);
          this.poolHashB = grownTo(this.poolHashB, this.poolCount + 1);
        }
        partHash(this.pool, at, this.poolLength, messageSeed);
        this.poolHashA[this.poolCount] = partOut[0]!;
        this.poolHashB[this.poolCount] = partOut[1]!;
      }
      this.poolCount++;
    }
  }

  private poolWord(w: number): void {
    if (this.poolLength === this.pool.length) this.pool = grownTo(this.pool, this.poolLength + 1);
    this.pool[this.poolLength++] = w;
  }

  private poolCompound(v: readonly Value[]): void {
    this.poolWord(v.length);
    for (let i = 0; i < v.length; i++) {
      const x = v[i]!;
      if (typeof x === 'number') this.poolWord(x);
      else this.poolCompound(x);
    }
  }

  /** Inserts a message after every message that orders before or equal to it (as `insertMsg`). */
  private insertRef(ref: number): void {
    if (this.refCount + 1 > this.refs.length) this.refs = grownTo(this.refs, this.refCount + 1);
    let i = this.refCount;
    while (i > 0 && this.compareRefs(this.refs[i - 1]!, ref) > 0) {
      this.refs[i] = this.refs[i - 1]!;
      i--;
    }
    this.refs[i] = ref;
    this.refCount++;
  }

  /** Word `k` of a message (0 header, 1.. fields: `async` messages carry no deadline). */
  private word(ref: number, k: number): number {
    return ref >= 0 ? this.words[this.msgOff[ref]! + k]! : this.pool[this.poolOff[-ref - 1]! + k]!;
  }

  private length(ref: number): number {
    return ref >= 0 ? this.msgLen[ref]! : this.poolLen[-ref - 1]!;
  }

  /**
   * `compareMsgs` on message words: the header orders by sender, receiver and
   * type; field words compare in the order of their values (a compound value
   * is its length, then its elements, as `compareValues` orders them).
   */
  private compareRefs(a: number, b: number): number {
    const ha = this.word(a, 0);
    const hb = this.word(b, 0);
    if (this.sys.fifo) return headerChannel(ha) - headerChannel(hb);
    if (ha !== hb) return ha - hb;
    const la = this.length(a);
    const lb = this.length(b);
    const n = Math.min(la, lb);
    for (let k = 1; k < n; k++) {
      const d = this.word(a, k) - this.word(b, k);
      if (d !== 0) return d;
    }
    return la - lb;
  }

  private sameParentMsg(i: number, j: number): boolean {
    const len = this.msgLen[i]!;
    if (len !== this.msgLen[j]) return false;
    // Part hashes, where taken, tell most different messages apart at once.
    if ((this.incremental || this.memoize) && this.msgHashA[i] !== this.msgHashA[j]) return false;
    const a = this.msgOff[i]!;
    const b = this.msgOff[j]!;
    const w = this.words;
    for (let k = 0; k < len; k++) if (w[a + k] !== w[b + k]) return false;
    return true;
  }

  /**
   * Completes the successor: its fingerprint only when `incremental` (the words
   * follow on `writeOut`), else its words.
   */
  private finishState(spend: number): void {
    if (!this.incremental) {
      this.pending = false;
      this.buildRefs();
      this.writeState(spend);
      return;
    }
    this.spend = spend;
    this.pending = true;
    let a = this.sumA;
    let b = this.sumB;
    const id = this.changed;
    if (id >= 0) {
      const m = this.memoBlock;
      if (m >= 0) {
        const len = this.outcomes[m]!;
        a += this.outcomes[m + 1 + len]! - this.nodeHashA[id]!;
        b += this.outcomes[m + 2 + len]! - this.nodeHashB[id]!;
      } else {
        const block = this.block;
        block.clear();
        this.writeChanged(id, block);
        partHash(block.data, 0, block.length, nodeSeed + id);
        a += partOut[0]! - this.nodeHashA[id]!;
        b += partOut[1]! - this.nodeHashB[id]!;
      }
    }
    // The messages: the parent's, changed as `buildRefs` would change them.
    a += this.msgSumA;
    b += this.msgSumB;
    const skip = this.skipMsg;
    if (skip >= 0) {
      a -= this.msgHashA[skip]!;
      b -= this.msgHashB[skip]!;
    }
    if (this.dupMsg >= 0) {
      a += this.msgHashA[this.dupMsg]!;
      b += this.msgHashB[this.dupMsg]!;
    }
    const lost = this.crashed ? id : -1;
    for (let p = this.poolFirst; p < this.poolCount; p++) {
      if (lost >= 0 && headerDst(this.pool[this.poolOff[p]!]!) === lost) continue;
      a += this.poolHashA[p]!;
      b += this.poolHashB[p]!;
    }
    if (lost >= 0) {
      for (let i = 0; i < this.msgCount; i++) {
        if (i === skip || headerDst(this.words[this.msgOff[i]!]!) !== lost) continue;
        a -= this.msgHashA[i]!;
        b -= this.msgHashB[i]!;
      }
    }
    if (spend >= 0) {
      const used = this.words[this.tailAt + spend]!;
      const at = this.spendAt[spend]! + used;
      if (used < this.sys.budgets[spend]!.limit && at < this.spendDeltaA.length) {
        a += this.spendDeltaA[at]!;
        b += this.spendDeltaB[at]!;
      } else {
        budgetHash(spend, used);
        a -= partOut[0]!;
        b -= partOut[1]!;
        budgetHash(spend, used + 1);
        a += partOut[0]!;
        b += partOut[1]!;
      }
    }
    this.fingerprint[0] = a | 0;
    this.fingerprint[1] = b | 0;
  }

  /**
   * Saves what `writeOut` needs to write the successor just offered, so that it
   * can be written after later successors of the same parent were offered
   * (`writeSaved`); returns where the recipe is. The explorer probes its visited
   * set for all of a parent's successors at once, and writes only the new ones.
   * Recipes last until the next `prepare`.
   */
  saveOut(): number {
    const at = this.recipesLength;
    if (!this.pending) {
      // Written whole (a recovery): the words themselves.
      const out = this.out;
      this.reserveRecipe(2 + out.length);
      const r = this.recipes;
      r[at] = recipeWords;
      r[at + 1] = out.length;
      r.set(out.data.subarray(0, out.length), at + 2);
      this.recipesLength = at + 2 + out.length;
      return at;
    }
    if (this.lazyNode >= 0) {
      this.reserveRecipe(7);
      const r = this.recipes;
      r[at] = recipeLazy;
      r[at + 1] = this.lazyNode;
      r[at + 2] = this.lazyFlags;
      r[at + 3] = this.lazyBlock;
      r[at + 4] = this.lazyConsumed;
      r[at + 5] = this.lazySends;
      r[at + 6] = this.lazySendCount;
      this.recipesLength = at + 7;
      return at;
    }
    const block = this.changed >= 0 && this.memoBlock < 0 ? this.block : null;
    const blockLen = block ? block.length : 0;
    this.reserveRecipe(10 + blockLen);
    const r = this.recipes;
    r[at] = recipeParts;
    r[at + 1] = this.changed;
    r[at + 2] = this.memoBlock;
    r[at + 3] = this.skipMsg;
    r[at + 4] = this.dupMsg;
    r[at + 5] = this.crashed ? 1 : 0;
    r[at + 6] = this.spend;
    r[at + 7] = this.poolFirst;
    r[at + 8] = this.poolCount;
    r[at + 9] = blockLen;
    for (let k = 0; k < blockLen; k++) r[at + 10 + k] = block!.data[k]!;
    this.recipesLength = at + 10 + blockLen;
    return at;
  }

  /** Writes the successor whose recipe `saveOut` returned to `out`. */
  writeSaved(at: number): void {
    const r = this.recipes;
    if (r[at] === recipeWords) {
      const len = r[at + 1]!;
      this.out.clear();
      this.out.append(r, at + 2, at + 2 + len);
      this.pending = false;
      return;
    }
    if (r[at] === recipeLazy) {
      this.lazyNode = r[at + 1]!;
      this.lazyFlags = r[at + 2]!;
      this.lazyBlock = r[at + 3]!;
      this.lazyConsumed = r[at + 4]!;
      this.lazySends = r[at + 5]!;
      this.lazySendCount = r[at + 6]!;
      this.materialize();
      this.pending = false;
      this.buildRefs();
      this.writeState(-1);
      return;
    }
    this.changed = r[at + 1]!;
    this.memoBlock = r[at + 2]!;
    this.skipMsg = r[at + 3]!;
    this.dupMsg = r[at + 4]!;
    this.crashed = r[at + 5]! === 1;
    const spend = r[at + 6]!;
    this.poolFirst = r[at + 7]!;
    this.poolCount = r[at + 8]!;
    const blockLen = r[at + 9]!;
    this.block.clear();
    this.block.append(r, at + 10, at + 10 + blockLen);
    this.pending = false;
    this.buildRefs();
    this.writeState(spend);
  }

  /** Builds the lazy successor as the change, pool messages and fingerprint `finishState` would have made. */
  private materialize(): void {
    const id = this.lazyNode;
    this.lazyNode = -1;
    this.changeFromMemo(id, this.lazyFlags, this.lazyBlock);
    this.skipMsg = this.lazyConsumed;
    this.sendFromMemo(id, this.lazySends, this.lazySendCount);
    this.spend = -1;
  }

  private reserveRecipe(words: number): void {
    if (this.recipesLength + words > this.recipes.length) this.recipes = grownTo(this.recipes, this.recipesLength + words);
  }


  /** Writes the words of the successor just offered to `out`, if not written yet. */
  writeOut(): void {
    if (!this.pending) return;
    if (this.lazyNode >= 0) this.materialize();
    this.pending = false;
    this.buildRefs();
    this.writeState(this.spend);
  }

  /** Writes the successor: node blocks, messages, and the tail (fault budgets used, with `spend` one more). */
  private writeState(spend: number): void {
    const out = this.out;
    const w = this.words;
    out.clear();
    const id = this.changed;
    if (id < 0) out.append(w, this.nodesStart, this.nodesEnd);
    else {
      out.append(w, this.nodesStart, this.nodeOff[id]!);
      if (this.memoBlock >= 0) out.append(this.outcomes, this.memoBlock + 1, this.memoBlock + 1 + this.outcomes[this.memoBlock]!);
      else if (this.incremental) out.append(this.block.data, 0, this.block.length);
      else this.writeChanged(id, out);
      out.append(w, this.nodeOff[id]! + this.nodeLen[id]!, this.nodesEnd);
    }
    out.push(this.refCount);
    for (let r = 0; r < this.refCount; r++) {
      const ref = this.refs[r]!;
      if (ref >= 0) out.append(w, this.msgOff[ref]!, this.msgOff[ref]! + this.msgLen[ref]!);
      else {
        const at = this.poolOff[-ref - 1]!;
        out.append(this.pool, at, at + this.poolLen[-ref - 1]!);
      }
    }
    const budgets = this.sys.budgets.length;
    let at = this.tailAt;
    for (let b = 0; b < budgets; b++) out.push(b === spend ? w[at++]! + 1 : w[at++]!);
    // The rest of the tail (partitions, scripts, clock) is never changed by the steps covered here.
    out.append(w, at, at + this.tailWords);
  }

  private writeChanged(id: number, to: WordBuffer): void {
    const sys = this.sys;
    const roleIndex = sys.nodes[id]!.role;
    const role = sys.roles[roleIndex]!;
    let vars = this.changedVars;
    let timers = this.changedTimers;
    if (this.crashed) {
      // Volatile state is re-initialised at the crash, and timers disarmed.
      const ctx = readCtx(sys, this.parentState(), id);
      vars = vars.map((v, i) => (role.vars[i]!.stable ? v : role.vars[i]!.init(ctx)[0]!));
      timers = timers.map(() => -1);
    }
    encodeNode(this.packing[roleIndex]!, this.changedFlags, vars, timers, to);
  }
}

const noValues: readonly Value[] = [];
const noTimers: readonly number[] = [];

// Memo keys start with what triggers the handler: the start, a message, or timer t (triggerTimer + t).
const triggerStart = 0;
const triggerMessage = 1;
const triggerTimer = 2;
/** The key of a node's block after it crashes. */
const triggerCrash = -1;
// A saved successor (`saveOut`): its words, or the parts that differ from its parent.
const recipeWords = 0;
const recipeParts = 1;
const recipeLazy = 2;
const outcomeOk = 0;
const outcomeError = 1;
/** Recorded outcomes stop growing past this many words (16 MB); the memo's keys have their own bound. */
const maxOutcomeWords = 1 << 22;
/** The flag bits at the bottom of a node block's first word (see `encodeNode`). */
const flagMask = FLAG_UP | FLAG_BYZANTINE | FLAG_STARTED;

function isScalar(t: RtType): boolean {
  return t.k === 'bool' || t.k === 'int' || t.k === 'enum' || t.k === 'node';
}

/** The position after the words of a value of type `t` at `at` (see `encodeState`). */
function skipValue(t: RtType, w: Int32Array, at: number): number {
  switch (t.k) {
    case 'set':
    case 'seq': {
      const n = w[at++]!;
      for (let i = 0; i < n; i++) at = skipValue(t.element, w, at);
      return at;
    }
    case 'map': {
      const n = w[at++]!;
      for (let i = 0; i < n; i++) at = skipValue(t.value, w, at);
      return at;
    }
    default:
      return at + 1;
  }
}

function grownTo(a: Int32Array, need: number): Int32Array<ArrayBuffer> {
  let cap = a.length * 2;
  while (cap < need) cap *= 2;
  const grown = new Int32Array(cap);
  grown.set(a);
  return grown;
}

// Part hashes for `fingerprintOf`: a seed per kind of part (a node block's seed adds its node's number).
const nodeSeed = 0x2545f491;
const messageSeed = 0x61c88647;
const tailSeed = 0x3c6ef372;
const budgetSeed = 0x1b873593;
/** Where `partHash` and `budgetHash` leave their two lanes. */
const partOut = new Int32Array(2);

/**
 * Two independent 32-bit hashes of `w[from..to)` with a seed. Each is mixed to
 * the full 32 bits at the end (murmur3's finalizer), which a sum of hashes needs:
 * a part differing in any bit must move both lanes' sums unpredictably.
 */
function partHash(w: Int32Array, from: number, to: number, seed: number): void {
  let a = Math.imul(seed ^ 0x811c9dc5, 0x01000193);
  let b = seed ^ 0x9747b28c;
  for (let i = from; i < to; i++) {
    const x = w[i]! | 0;
    a = Math.imul(a ^ x, 0x01000193);
    a ^= a >>> 15;
    let k = Math.imul(x, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    b ^= Math.imul(k, 0x1b873593);
    b = (b << 13) | (b >>> 19);
    b = (Math.imul(b, 5) + 0xe6546b64) | 0;
  }
  partOut[0] = mix(a ^ (to - from));
  partOut[1] = mix(b ^ Math.imul(to - from, 0x9e3779b1));
}

function budgetHash(budget: number, used: number): void {
  partOut[0] = mix(Math.imul(budgetSeed + budget, 0x85ebca6b) ^ used);
  partOut[1] = mix(Math.imul(used + 0x7f4a7c15, 0xc2b2ae35) ^ (budgetSeed - budget));
}

