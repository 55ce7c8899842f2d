import type { CompiledHandler, ExecCtx, Msg, OutMsg, State, TransitionSystem } from './system.js';
import { Blocked, FLAG_STARTED, FLAG_UP, RuntimeFault } from './system.js';
import type { RtType, Value } from './values.js';
import { WordBuffer } from './word-buffer.js';
import { encodeState } from './state.js';
import {
  bindMessage,
  canRecover,
  crashBudgetFor,
  handlerFor,
  makeCtx,
  messageBudgetFor,
  readCtx,
  recoverySuccessors,
  timeoutHandlerFor,
} from './steps.js';

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
 * faults, partitions, Byzantine nodes, `within` deadlines, variables or fields
 * holding sets, maps or sequences — are explored by the interpreter: `create`
 * returns null for them.
 */
export class WordSuccessors {
  /** The words of the successor just produced. */
  readonly out = new WordBuffer();

  private readonly nodeAt: number[];
  private readonly nodesWords: number;
  private readonly fieldCount: number[];
  private readonly ctx: ExecCtx;
  private sends: OutMsg[] = [];
  /** The `choose` odometer: the choices of the next run (`choiceCount` of them) and each choice's arity. */
  private choices = new Int32Array(64);
  private choiceCount = 0;
  private arity = new Int32Array(64);
  private pos = 0;

  // The parent being expanded.
  private words: Int32Array = new Int32Array(0);
  private base = 0;
  private msgCount = 0;
  private msgOff = new Int32Array(64);
  private tailAt = 0;
  private state: State | null = null;

  // The successor's in-flight messages: refs >= 0 are parent messages, < 0 new ones in `pool`.
  private refs = new Int32Array(64);
  private refCount = 0;
  private pool = new Int32Array(256);
  private poolOff = new Int32Array(64);
  private poolCount = 0;
  private poolLength = 0;

  static create(sys: TransitionSystem): WordSuccessors | null {
    if (sys.timing !== 'async' || sys.script.length > 0 || sys.fixedByzantine.length > 0 || sys.clockLimit > 0) return null;
    if (sys.budgets.some((b) => b.kind === 'partition' || b.kind === 'byzantine' || b.kind === 'delay')) return null;
    for (const role of sys.roles) if (!role.vars.every((v) => isScalar(v.type))) return null;
    for (const m of sys.messages) if (!m.fields.every((f) => isScalar(f.type))) return null;
    return new WordSuccessors(sys);
  }

  private constructor(private readonly sys: TransitionSystem) {
    this.nodeAt = [];
    let at = 0;
    for (const node of sys.nodes) {
      this.nodeAt.push(at);
      const role = sys.roles[node.role]!;
      at += 1 + role.vars.length + role.timers.length;
    }
    this.nodesWords = at;
    this.fieldCount = sys.messages.map((m) => m.fields.length);
    this.ctx = makeCtx(sys, { nodes: [], msgs: [], used: [], partition: 0, healAt: -1, fired: 0, dropsLeft: [], clock: 0, seen: 0 }, -1);
    this.ctx.choose = (n: number) => {
      const at = this.pos++;
      if (at >= this.arity.length) {
        const a = new Int32Array(this.arity.length * 2);
        a.set(this.arity);
        this.arity = a;
        const c = new Int32Array(this.choices.length * 2);
        c.set(this.choices);
        this.choices = c;
      }
      const c = at < this.choiceCount ? this.choices[at]! : 0;
      this.arity[at] = n;
      return c < n ? c : 0;
    };
  }

  /** Calls `sink` once per successor of `s`, whose words start at `words[start]`. */
  expand(s: State, words: Int32Array, start: number, sink: WordSink): void {
    const sys = this.sys;
    this.state = s;
    this.words = words;
    this.base = start;
    let at = start + this.nodesWords;
    this.msgCount = words[at++]!;
    if (this.msgOff.length < this.msgCount) this.msgOff = new Int32Array(this.msgCount * 2);
    for (let i = 0; i < this.msgCount; i++) {
      this.msgOff[i] = at;
      at += 4 + this.fieldCount[words[at]!]!;
    }
    this.tailAt = at;
    if (this.refs.length < this.msgCount * 2 + 64) this.refs = new Int32Array(this.msgCount * 2 + 64);

    // Start handlers.
    for (let id = 0; id < s.nodes.length; id++) {
      const flags = s.nodes[id]!.flags;
      if (flags & FLAG_STARTED || !(flags & FLAG_UP)) continue;
      this.handlerSteps(id, sys.roles[sys.nodes[id]!.role]!.start!, null, -1, true, -1, sink);
    }
    // Deliveries: under FIFO only each channel's head; identical messages once.
    for (let i = 0; i < s.msgs.length; i++) {
      const m = s.msgs[i]!;
      if (i > 0) {
        if (sys.fifo ? this.sameChannel(i - 1, i) : this.sameParentMsg(i - 1, i)) continue;
      }
      const dst = s.nodes[m.dst]!;
      if (!(dst.flags & FLAG_UP) || !(dst.flags & FLAG_STARTED)) continue;
      const h = handlerFor(sys, s, m);
      if (!h) continue;
      this.handlerSteps(m.dst, h, m, i, false, -1, sink);
    }
    // Timers.
    for (let id = 0; id < s.nodes.length; id++) {
      const node = s.nodes[id]!;
      if (!(node.flags & FLAG_UP)) continue;
      for (let t = 0; t < node.timers.length; t++) {
        if (node.timers[t]! !== 0) continue;
        const h = timeoutHandlerFor(sys, s, id, t);
        if (h) this.handlerSteps(id, h, null, -1, false, t, sink);
      }
    }
    // Recoveries are rare: the interpreter builds them and they are encoded.
    for (let id = 0; id < s.nodes.length; id++) {
      if (s.nodes[id]!.flags & FLAG_UP || !canRecover(sys, id)) continue;
      for (const succ of recoverySuccessors(sys, s, id)) {
        this.out.clear();
        if (!succ.step.error) encodeState(sys, succ.state, this.out);
        sink(succ.step.fault, succ.step.error);
      }
    }
    this.faultSteps(sink);
  }

  private faultSteps(sink: WordSink): void {
    const sys = this.sys;
    const s = this.state!;
    for (let id = 0; id < s.nodes.length; id++) {
      if (!(s.nodes[id]!.flags & FLAG_UP)) continue;
      const slot = crashBudgetFor(sys, s, id, false);
      if (slot < 0) continue;
      this.beginNodes();
      this.keepMessages(-1);
      this.crashNode(id);
      this.finishState(slot);
      sink(true, null);
    }
    for (let i = 0; i < s.msgs.length; i++) {
      if (i > 0 && this.sameParentMsg(i - 1, i)) continue;
      const m = s.msgs[i]!;
      const drop = messageBudgetFor(sys, s, 'drop', m);
      if (drop >= 0 || sys.lossy) {
        this.beginNodes();
        // The first message equal to this one goes (a FIFO channel may hold equal ones apart).
        let first = 0;
        while (!this.sameParentMsg(first, i)) first++;
        this.keepMessages(first);
        this.finishState(drop >= 0 && !sys.lossy ? drop : -1);
        sink(true, null);
      }
      const dup = messageBudgetFor(sys, s, 'duplicate', m);
      if (dup >= 0) {
        this.beginNodes();
        this.keepMessages(-1);
        this.insertRef(i);
        this.finishState(dup);
        sink(true, null);
      }
    }
  }

  /** Runs a handler once per combination of its `choose` decisions; each outcome is a successor, plus crashes part-way through its sends. */
  private handlerSteps(id: number, h: CompiledHandler, msg: Msg | null, consumed: number, start: boolean, timer: number, sink: WordSink): void {
    const sys = this.sys;
    const s = this.state!;
    const node = s.nodes[id]!;
    const ctx = this.ctx;
    this.choiceCount = 0;
    for (let runs = 0; runs < 100_000; runs++) {
      this.pos = 0;
      // Fresh arrays per run: reused ones would need `length` writes, which are slow calls into V8.
      const vars = node.vars.slice();
      const timers = node.timers.slice();
      if (timer >= 0) timers[timer] = -1;
      const sends: OutMsg[] = [];
      this.sends = sends;
      ctx.state = s;
      ctx.self = id;
      ctx.vars = vars;
      ctx.timers = timers;
      ctx.sends = sends;
      ctx.events = [];
      ctx.byzantine = false;
      ctx.inStart = h.kind === 'start';
      ctx.onSend = null;
      if (msg) bindMessage(ctx.frame, h, msg);
      let error: RuntimeFault | null = null;
      let blocked = false;
      try {
        h.body(ctx);
      } catch (e) {
        if (e instanceof Blocked) blocked = true;
        else if (e instanceof RuntimeFault) error = e;
        else error = new RuntimeFault(e instanceof Error ? e.message : String(e), h.span);
      }
      if (!blocked) {
        if (error) sink(false, error);
        else {
          this.beginNodes();
          this.setNode(id, start, vars, timers);
          this.keepMessages(consumed);
          this.send(id, sends.length);
          this.finishState(-1);
          sink(false, null);
        }
        // A crash while sending: the state change happened, only a prefix of the sends left.
        const slot = sends.length > 0 ? crashBudgetFor(sys, s, id, true) : -1;
        if (slot >= 0) {
          for (let k = 0; k < sends.length; k++) {
            if (error) {
              sink(true, error);
              continue;
            }
            this.beginNodes();
            this.setNode(id, start, vars, timers);
            this.keepMessages(consumed);
            this.send(id, k);
            this.crashNode(id);
            this.finishState(slot);
            sink(true, null);
          }
        }
      }
      if (this.pos === 0) break;
      // Advance the odometer over the choices this run made.
      let j = this.pos - 1;
      while (j >= 0 && (j < this.choiceCount ? this.choices[j]! : 0) + 1 >= this.arity[j]!) j--;
      if (j < 0) break;
      for (let z = this.choiceCount; z <= j; z++) this.choices[z] = 0;
      this.choiceCount = j + 1;
      this.choices[j] = this.choices[j]! + 1;
    }
  }

  private beginNodes(): void {
    const out = this.out;
    out.clear();
    const w = this.words;
    const end = this.base + this.nodesWords;
    for (let i = this.base; i < end; i++) out.push(w[i]!);
    this.poolLength = 0;
    this.poolCount = 0;
  }

  private setNode(id: number, start: boolean, vars: readonly Value[], timers: readonly number[]): void {
    const d = this.out.data;
    let at = this.nodeAt[id]!;
    if (start) d[at] = d[at]! | FLAG_STARTED;
    at++;
    for (let i = 0; i < vars.length; i++) d[at++] = vars[i] as number;
    for (let i = 0; i < timers.length; i++) d[at++] = timers[i]!;
  }

  /** Volatile state is reset at the crash, its timers disarmed, and messages to it lost. */
  private crashNode(id: number): void {
    const sys = this.sys;
    const role = sys.roles[sys.nodes[id]!.role]!;
    const d = this.out.data;
    let at = this.nodeAt[id]!;
    d[at] = d[at]! & ~FLAG_UP;
    at++;
    const ctx = readCtx(sys, this.state!, id);
    for (let i = 0; i < role.vars.length; i++, at++) {
      const v = role.vars[i]!;
      if (!v.stable) d[at] = v.init(ctx)[0] as number;
    }
    for (let i = 0; i < role.timers.length; i++) d[at++] = -1;
    let n = 0;
    for (let r = 0; r < this.refCount; r++) {
      const ref = this.refs[r]!;
      if (this.field(ref, 2) !== id) this.refs[n++] = ref;
    }
    this.refCount = n;
  }

  /** The parent's messages, but the one at `skip` (-1 = all). */
  private keepMessages(skip: number): void {
    let n = 0;
    for (let i = 0; i < this.msgCount; i++) if (i !== skip) this.refs[n++] = i;
    this.refCount = n;
  }

  /** Puts the first `count` sends of the handler in flight; a send to a crashed node is lost. */
  private send(src: number, count: number): void {
    const d = this.out.data;
    for (let j = 0; j < count; j++) {
      const o = this.sends[j]!;
      if (!(d[this.nodeAt[o.dst]!]! & FLAG_UP)) continue;
      const fields = o.fields;
      const need = this.poolLength + 4 + fields.length;
      if (need > this.pool.length) {
        const grown = new Int32Array(need * 2);
        grown.set(this.pool);
        this.pool = grown;
      }
      const p = this.pool;
      const at = this.poolLength;
      p[at] = o.type;
      p[at + 1] = src;
      p[at + 2] = o.dst;
      p[at + 3] = -1;
      for (let f = 0; f < fields.length; f++) p[at + 4 + f] = fields[f] as number;
      this.poolLength = need;
      if (this.poolCount === this.poolOff.length) {
        const grown = new Int32Array(this.poolOff.length * 2);
        grown.set(this.poolOff);
        this.poolOff = grown;
      }
      this.poolOff[this.poolCount++] = at;
      this.insertRef(-this.poolCount);
    }
  }

  /** Inserts a message after every message that orders before or equal to it (as `insertMsg`). */
  private insertRef(ref: number): void {
    if (this.refCount + 1 > this.refs.length) {
      const grown = new Int32Array(this.refs.length * 2);
      grown.set(this.refs);
      this.refs = grown;
    }
    let i = this.refCount;
    while (i > 0 && this.compareRefs(this.refs[i - 1]!, ref) > 0) {
      this.refs[i] = this.refs[i - 1]!;
      i--;
    }
    this.refs[i] = ref;
    this.refCount++;
  }

  /** Word `k` of a message (0 type, 1 src, 2 dst, 3 deadline, 4.. fields). */
  private field(ref: number, k: number): number {
    return ref >= 0 ? this.words[this.msgOff[ref]! + k]! : this.pool[this.poolOff[-ref - 1]! + k]!;
  }

  /** `compareMsgs` on message words. */
  private compareRefs(a: number, b: number): number {
    const c = this.field(a, 1) - this.field(b, 1) || this.field(a, 2) - this.field(b, 2);
    if (c !== 0 || this.sys.fifo) return c;
    const type = this.field(a, 0);
    const t = type - this.field(b, 0) || this.field(a, 3) - this.field(b, 3);
    if (t !== 0) return t;
    const n = this.fieldCount[type]!;
    for (let f = 0; f < n; f++) {
      const d = this.field(a, 4 + f) - this.field(b, 4 + f);
      if (d !== 0) return d;
    }
    return 0;
  }

  private sameChannel(i: number, j: number): boolean {
    return this.field(i, 1) === this.field(j, 1) && this.field(i, 2) === this.field(j, 2);
  }

  private sameParentMsg(i: number, j: number): boolean {
    const a = this.msgOff[i]!;
    const b = this.msgOff[j]!;
    const w = this.words;
    const len = 4 + this.fieldCount[w[a]!]!;
    if (w[a] !== w[b]) return false;
    for (let k = 1; k < len; k++) if (w[a + k] !== w[b + k]) return false;
    return true;
  }

  /** Writes the messages and the tail (fault budgets used, with `spend` one more). */
  private finishState(spend: number): void {
    const out = this.out;
    out.push(this.refCount);
    for (let r = 0; r < this.refCount; r++) {
      const ref = this.refs[r]!;
      const src = ref >= 0 ? this.words : this.pool;
      const at = ref >= 0 ? this.msgOff[ref]! : this.poolOff[-ref - 1]!;
      const len = 4 + this.fieldCount[src[at]!]!;
      for (let k = 0; k < len; k++) out.push(src[at + k]!);
    }
    const w = this.words;
    const budgets = this.sys.budgets.length;
    let at = this.tailAt;
    for (let b = 0; b < budgets; b++) out.push(b === spend ? w[at++]! + 1 : w[at++]!);
    // partition, healAt, fired, clock, seen: never changed by the steps covered here.
    for (let k = 0; k < 5; k++) out.push(w[at++]!);
  }
}

function isScalar(t: RtType): boolean {
  return t.k === 'bool' || t.k === 'int' || t.k === 'enum' || t.k === 'node';
}
