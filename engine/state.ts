import type { Msg, NodeState, State, TransitionSystem, VarDef } from './system.js';
import { FLAG_BYZANTINE, FLAG_STARTED, FLAG_UP } from './system.js';
import type { RtType, Value } from './values.js';
import { compareValues } from './values.js';
import type { WordBuffer } from './word-buffer.js';

/** Orders messages canonically: by channel, then (unordered channels only) by content. */
export function compareMsgs(fifo: boolean, a: Msg, b: Msg): number {
  const c = a.src - b.src || a.dst - b.dst;
  if (c !== 0 || fifo) return c;
  return a.type - b.type || a.left - b.left || compareFields(a.fields, b.fields);
}

function compareFields(a: readonly Value[], b: readonly Value[]): number {
  for (let i = 0; i < a.length; i++) {
    const c = compareValues(a[i]!, b[i]!);
    if (c !== 0) return c;
  }
  return 0;
}

export function sameMsg(a: Msg, b: Msg): boolean {
  return a.type === b.type && a.src === b.src && a.dst === b.dst && a.left === b.left && compareFields(a.fields, b.fields) === 0;
}

/** Inserts a message keeping the canonical order (after its channel's last message under FIFO). */
export function insertMsg(fifo: boolean, msgs: Msg[], m: Msg): void {
  let i = msgs.length;
  while (i > 0 && compareMsgs(fifo, msgs[i - 1]!, m) > 0) i--;
  msgs.splice(i, 0, m);
}

/**
 * A message's first word: sender, receiver and type, in the order messages are
 * sorted (at most 30 nodes, so 5 bits each; the type and the fields packed with
 * it take the low 21 bits).
 */
export function messageHeader(layout: StateLayout, src: number, dst: number, type: number, fields: readonly Value[]): number {
  let header = (src << 26) | (dst << 21) | (type << layout.typeShift);
  const packing = layout.messageFields[type];
  if (packing) {
    for (let i = 0; i < packing.length; i++) {
      const p = packing[i]!;
      const v = fields[i] as number;
      header |= (p.labelIndex ? p.labelIndex[v]! : v - p.low) << p.shift;
    }
  }
  return header;
}

export const headerSrc = (h: number): number => h >>> 26;
export const headerDst = (h: number): number => (h >>> 21) & 31;
export const headerType = (h: number, layout: StateLayout): number => (h & 0x1fffff) >>> layout.typeShift;

/** The value of a packed field (see `StateLayout.messageFields`) of the message whose header is `h`. */
function packedValue(p: PackedVar, h: number): number {
  const at = (h >>> p.shift) & p.mask;
  return p.labels ? p.labels[at]! : at + p.low;
}
/** Sender and receiver together: equal for two messages on one channel. */
export const headerChannel = (h: number): number => h >>> 21;

/**
 * How one variable of a packed node block is stored: `(word >>> shift) & mask`
 * is its value's position in its type (`value - low`, or its label's index).
 */
export interface PackedVar {
  shift: number;
  mask: number;
  low: number;
  /** Enum labels: the label ids in order, and their positions by label id. */
  labels: readonly number[] | null;
  labelIndex: Int32Array | null;
  /** A set of node ids: bit i of the position is set when node i is in it. */
  set?: boolean;
}

/**
 * How a system's states are laid out in words: which optional parts they carry
 * (a part no step can change is left out) and which node blocks are packed.
 */
export interface StateLayout {
  /** Each message's delivery deadline: `sync` networks only (under `async` it is always -1). */
  deadline: boolean;
  /** Partition groups and heal time: budgeted or scripted partitions. */
  partition: boolean;
  /** Fired script events and scripted drops left. */
  script: boolean;
  /** Step counter and `within` bookkeeping. */
  clock: boolean;
  /** Words after the fault budgets. */
  words: number;
  /**
   * Per role, how its flags and variables share one word, or null when they do
   * not fit (or a variable holds a set, map or sequence): then each takes a word.
   */
  packing: (readonly PackedVar[] | null)[];
  /**
   * Per message type, how its fields share the header word with the sender,
   * receiver and type (below the type, the first field highest, so that headers
   * order as `compareMsgs` does), or null when each field takes a word. Packed
   * messages are a word each: states are smaller and faster to copy and hash.
   */
  messageFields: (readonly PackedVar[] | null)[];
  /** Where a header's type starts: the packed fields take the bits below. */
  typeShift: number;
}

const layouts = new WeakMap<TransitionSystem, StateLayout>();

export function stateLayout(sys: TransitionSystem): StateLayout {
  let layout = layouts.get(sys);
  if (!layout) {
    const script = sys.script.length > 0;
    const partition = script || sys.budgets.some((b) => b.kind === 'partition');
    const clock = sys.clockLimit > 0;
    layout = {
      deadline: sys.timing === 'sync',
      partition,
      script,
      clock,
      words: (partition ? 2 : 0) + (script ? 1 + sys.script.length : 0) + (clock ? 2 : 0),
      packing: sys.roles.map((role) => packingOf(role.vars)),
      ...messagePacking(sys),
    };
    layouts.set(sys, layout);
  }
  return layout;
}

/** Bits for the three node flags (up, Byzantine, started) at the bottom of a packed word. */
const flagBits = 3;

/**
 * Packs a role's variables when every one is a bool, a bounded int, an enum, a
 * node id or a set of node ids (a bit per node) and all fit in 31 bits with the
 * flags. Every stored value is inside its type (assignments, sends, decisions and
 * initial values are checked), which is what makes the positions fit.
 */
function packingOf(vars: readonly VarDef[]): PackedVar[] | null {
  const out: PackedVar[] = [];
  let shift = flagBits;
  for (const v of vars) {
    const t = v.type;
    let size: number;
    let low = 0;
    let labels: readonly number[] | null = null;
    let labelIndex: Int32Array | null = null;
    let set = false;
    if (t.k === 'bool') size = 2;
    else if (t.k === 'int') {
      size = t.high - t.low + 1;
      low = t.low;
    } else if (t.k === 'enum') {
      size = t.labels.length;
      labels = t.labels;
      labelIndex = new Int32Array(Math.max(0, ...t.labels) + 1).fill(-1);
      t.labels.forEach((label, i) => (labelIndex![label] = i));
    } else if (t.k === 'node') size = 32;
    else if (t.k === 'set' && t.element.k === 'node' && t.element.nodes.length > 0) {
      // Bit i stands for node i; a set's elements are in increasing order, as the bits are read.
      size = 2 ** (Math.max(...t.element.nodes) + 1);
      set = true;
    } else return null;
    if (!(size >= 1 && size <= 2 ** 30)) return null;
    const bits = size <= 1 ? 0 : Math.ceil(Math.log2(size));
    if (shift + bits > 31) return null;
    out.push({ shift, mask: bits === 0 ? 0 : 2 ** bits - 1, low, labels, labelIndex, set });
    shift += bits;
  }
  return out;
}

/**
 * Packs a message's fields into its header when every one is a bool, a bounded
 * int, a node id or an enum whose labels are in order, and they fit below the
 * type. Not with delivery deadlines: the deadline word orders messages before
 * their fields.
 */
function messagePacking(sys: TransitionSystem): Pick<StateLayout, 'messageFields' | 'typeShift'> {
  const none = { messageFields: sys.messages.map(() => null), typeShift: 0 };
  if (sys.timing === 'sync') return none;
  const typeBits = Math.max(1, Math.ceil(Math.log2(Math.max(2, sys.messages.length))));
  const room = 21 - typeBits;
  if (room <= 0) return none;
  const messageFields = sys.messages.map((m): PackedVar[] | null => {
    if (m.fields.length === 0) return null;
    const sizes: { size: number; low: number; labels: readonly number[] | null }[] = [];
    for (const f of m.fields) {
      const t = f.type;
      if (t.k === 'bool') sizes.push({ size: 2, low: 0, labels: null });
      else if (t.k === 'int') sizes.push({ size: t.high - t.low + 1, low: t.low, labels: null });
      else if (t.k === 'node') sizes.push({ size: 32, low: 0, labels: null });
      else if (t.k === 'enum' && t.labels.every((l, i) => i === 0 || l > t.labels[i - 1]!)) sizes.push({ size: t.labels.length, low: 0, labels: t.labels });
      else return null;
    }
    const bits = sizes.map(({ size }) => (size >= 1 && size <= 2 ** 20 ? (size <= 1 ? 0 : Math.ceil(Math.log2(size))) : Number.POSITIVE_INFINITY));
    let shift = bits.reduce((a, b) => a + b, 0);
    if (!(shift <= room)) return null;
    return sizes.map(({ low, labels }, i) => {
      shift -= bits[i]!;
      let labelIndex: Int32Array | null = null;
      if (labels) {
        labelIndex = new Int32Array(Math.max(0, ...labels) + 1).fill(-1);
        labels.forEach((label, k) => (labelIndex![label] = k));
      }
      return { shift, mask: bits[i] === 0 ? 0 : 2 ** bits[i]! - 1, low, labels, labelIndex };
    });
  });
  return messageFields.some((p) => p !== null) ? { messageFields, typeShift: room } : none;
}

function packNode(packing: readonly PackedVar[], flags: number, vars: readonly Value[]): number {
  let word = flags;
  for (let i = 0; i < packing.length; i++) {
    const p = packing[i]!;
    if (p.set) {
      const members = vars[i] as readonly number[];
      let bits = 0;
      for (let k = 0; k < members.length; k++) bits |= 1 << members[k]!;
      word |= bits << p.shift;
      continue;
    }
    const v = vars[i] as number;
    word |= (p.labelIndex ? p.labelIndex[v]! : v - p.low) << p.shift;
  }
  return word;
}

/** The set of node ids whose bits are set in `bits` (increasing, as sets are kept). */
function nodeSetOf(bits: number): readonly number[] {
  const out: number[] = [];
  for (let id = 0; bits !== 0; id++, bits >>>= 1) if (bits & 1) out.push(id);
  return out;
}

/**
 * Writes the words of a state to `out`: the state's identity for hashing, and
 * what the frontier keeps (see `decodeState`). Runs for every successor the
 * explorer generates, so it writes straight into a reused typed buffer.
 */
export function encodeState(sys: TransitionSystem, s: State, out: WordBuffer): void {
  const nodes = s.nodes;
  const layout = stateLayout(sys);
  for (let i = 0; i < nodes.length; i++) {
    encodeNode(layout.packing[sys.nodes[i]!.role]!, nodes[i]!.flags, nodes[i]!.vars, nodes[i]!.timers, out);
  }
  const msgs = s.msgs;
  out.push(msgs.length);
  for (let i = 0; i < msgs.length; i++) {
    const m = msgs[i]!;
    out.push(messageHeader(layout, m.src, m.dst, m.type, m.fields));
    if (layout.deadline) out.push(m.left);
    if (layout.messageFields[m.type]) continue;
    const fields = m.fields;
    for (let j = 0; j < fields.length; j++) {
      const f = fields[j]!;
      if (typeof f === 'number') out.push(f);
      else encodeCompound(f, out);
    }
  }
  const used = s.used;
  for (let i = 0; i < used.length; i++) out.push(used[i]!);
  if (layout.partition) {
    out.push(s.partition);
    out.push(s.healAt);
  }
  if (layout.script) {
    out.push(s.fired);
    const dropsLeft = s.dropsLeft;
    for (let i = 0; i < dropsLeft.length; i++) out.push(dropsLeft[i]!);
  }
  if (layout.clock) {
    out.push(s.clock);
    out.push(s.seen);
  }
}

/** A node block: its flags and variables (one word when packed), then its timers. */
export function encodeNode(packing: readonly PackedVar[] | null, flags: number, vars: readonly Value[], timers: readonly number[], out: WordBuffer): void {
  if (packing) out.push(packNode(packing, flags, vars));
  else {
    out.push(flags);
    for (let j = 0; j < vars.length; j++) {
      const v = vars[j]!;
      if (typeof v === 'number') out.push(v);
      else encodeCompound(v, out);
    }
  }
  for (let j = 0; j < timers.length; j++) out.push(timers[j]!);
}

export function encodeCompound(v: readonly Value[], out: WordBuffer): void {
  out.push(v.length);
  for (let i = 0; i < v.length; i++) {
    const x = v[i]!;
    if (typeof x === 'number') out.push(x);
    else encodeCompound(x, out);
  }
}

/** Appends a value's words (a compound value is its length, then its elements). */
export function encodeValue(v: Value, out: number[]): void {
  if (typeof v === 'number') out.push(v);
  else {
    out.push(v.length);
    for (const x of v) encodeValue(x, out);
  }
}

/** Node state as the user sees it: named variables, up or crashed, Byzantine or not. */
export function nodeFlagsText(flags: number): string {
  const parts: string[] = [];
  parts.push(flags & FLAG_UP ? 'up' : 'crashed');
  if (flags & FLAG_BYZANTINE) parts.push('byzantine');
  if (!(flags & FLAG_STARTED)) parts.push('not started');
  return parts.join(', ');
}

let cursor = 0;

/**
 * Decodings kept per system: a packed node block (one word) and a message with
 * at most one small scalar field stand for one value each, and states are
 * immutable, so decoded parts are shared between states instead of being built
 * for each expansion (the explorer decodes every state it expands). Bounded: a
 * model with many distinct blocks decodes the rest as before.
 */
interface DecodedParts {
  /** Per role: packed block word -> node, for roles whose block is one word. */
  nodes: (Map<number, NodeState> | null)[];
  smallMessages: boolean[];
  messages: Map<number, Msg>;
}

const decodedLimit = 1 << 16;
const decoded = new WeakMap<TransitionSystem, DecodedParts>();

function decodedParts(sys: TransitionSystem): DecodedParts {
  let parts = decoded.get(sys);
  if (!parts) {
    const layout = stateLayout(sys);
    parts = {
      nodes: sys.roles.map((role, r) => (layout.packing[r] && role.timers.length === 0 ? new Map<number, NodeState>() : null)),
      smallMessages: sys.messages.map((m) => m.fields.length === 0 || (m.fields.length === 1 && isSmallScalar(m.fields[0]!.type))),
      messages: new Map<number, Msg>(),
    };
    decoded.set(sys, parts);
  }
  return parts;
}

/** A scalar type whose stored words are small non-negative or small negative ints (a key's second part). */
function isSmallScalar(t: RtType): boolean {
  return t.k === 'bool' || t.k === 'enum' || t.k === 'node' || (t.k === 'int' && t.low >= -1 && t.high < 1 << 20);
}
// States are never changed in place, so every empty timer list and field list can be one array.
const noTimers: readonly number[] = [];
const noFields: readonly Value[] = [];

function decodeValue(t: RtType, words: Int32Array): Value {
  switch (t.k) {
    case 'set':
    case 'seq': {
      const n = words[cursor++]!;
      const out: Value[] = new Array<Value>(n);
      for (let i = 0; i < n; i++) out[i] = decodeValue(t.element, words);
      return out;
    }
    case 'map': {
      const n = words[cursor++]!;
      const out: Value[] = new Array<Value>(n);
      for (let i = 0; i < n; i++) out[i] = decodeValue(t.value, words);
      return out;
    }
    default:
      return words[cursor++]!;
  }
}

/**
 * Rebuilds a state from the words `encodeState` wrote (at `start`): the explorer
 * keeps its frontier as words, which costs the garbage collector far less than
 * a level's worth of live state objects.
 */
export function decodeState(sys: TransitionSystem, words: Int32Array, start: number): State {
  cursor = start;
  const layout = stateLayout(sys);
  const cache = decodedParts(sys);
  const nodes: NodeState[] = new Array<NodeState>(sys.nodes.length);
  for (let id = 0; id < nodes.length; id++) {
    const roleIndex = sys.nodes[id]!.role;
    const role = sys.roles[roleIndex]!;
    const packing = layout.packing[roleIndex];
    const known = cache.nodes[roleIndex];
    if (known && role.timers.length === 0) {
      // A packed block without timers is one word: its decoding is kept.
      const hit = known.get(words[cursor]!);
      if (hit) {
        cursor++;
        nodes[id] = hit;
        continue;
      }
    }
    const vars: Value[] = new Array<Value>(role.vars.length);
    let flags: number;
    if (packing) {
      const word = words[cursor++]!;
      flags = word & ((1 << flagBits) - 1);
      for (let i = 0; i < vars.length; i++) {
        const p = packing[i]!;
        const x = (word >>> p.shift) & p.mask;
        vars[i] = p.set ? nodeSetOf(x) : p.labels ? p.labels[x]! : x + p.low;
      }
    } else {
      flags = words[cursor++]!;
      for (let i = 0; i < vars.length; i++) vars[i] = decodeValue(role.vars[i]!.type, words);
    }
    let timers: readonly number[] = noTimers;
    if (role.timers.length > 0) {
      const t: number[] = new Array<number>(role.timers.length);
      for (let i = 0; i < t.length; i++) t[i] = words[cursor++]!;
      timers = t;
    }
    const node = { vars, flags, timers };
    nodes[id] = node;
    if (known && role.timers.length === 0 && known.size < decodedLimit) known.set(words[cursor - 1]!, node);
  }
  const msgCount = words[cursor++]!;
  const msgs: Msg[] = new Array<Msg>(msgCount);
  for (let i = 0; i < msgCount; i++) {
    const header = words[cursor++]!;
    const left = layout.deadline ? words[cursor++]! : -1;
    const type = headerType(header, layout);
    const def = sys.messages[type]!;
    const packed = layout.messageFields[type]!;
    const small = !layout.deadline && (packed !== null || cache.smallMessages[type]!);
    let key = 0;
    if (small) {
      // A message of at most one small scalar field, or one packed in its header: kept by its words.
      key = (header >>> 0) + (!packed && def.fields.length > 0 ? (words[cursor]! + 1) * 4294967296 : 0);
      const hit = cache.messages.get(key);
      if (hit) {
        if (!packed) cursor += def.fields.length;
        msgs[i] = hit;
        continue;
      }
    }
    let fields: readonly Value[] = noFields;
    if (def.fields.length > 0) {
      const v: Value[] = new Array<Value>(def.fields.length);
      if (packed) for (let f = 0; f < v.length; f++) v[f] = packedValue(packed[f]!, header);
      else for (let f = 0; f < v.length; f++) v[f] = decodeValue(def.fields[f]!.type, words);
      fields = v;
    }
    const msg = { type, src: headerSrc(header), dst: headerDst(header), left, fields };
    msgs[i] = msg;
    if (small && cache.messages.size < decodedLimit) cache.messages.set(key, msg);
  }
  const used: number[] = new Array<number>(sys.budgets.length);
  for (let i = 0; i < used.length; i++) used[i] = words[cursor++]!;
  let partition = 0;
  let healAt = -1;
  if (layout.partition) {
    partition = words[cursor++]!;
    healAt = words[cursor++]!;
  }
  let fired = 0;
  const dropsLeft: number[] = new Array<number>(sys.script.length);
  if (layout.script) {
    fired = words[cursor++]!;
    for (let i = 0; i < dropsLeft.length; i++) dropsLeft[i] = words[cursor++]!;
  }
  let clock = 0;
  let seen = 0;
  if (layout.clock) {
    clock = words[cursor++]!;
    seen = words[cursor++]!;
  }
  return { nodes, msgs, used, partition, healAt, fired, clock, seen, dropsLeft };
}

/** Words in a chunk of a `StateQueue`: 1 MB. */
const chunkBits = 18;
const chunkWords = 1 << chunkBits;
const chunkMask = chunkWords - 1;

/**
 * Chunks of words that BFS levels take and give back. A level's queue that grew
 * by doubling copied itself each time into fresh memory, whose pages the kernel
 * faults in one by one (on this machine class about 3 µs each), and threw the
 * old pages away: 2PC N = 6 faulted in 230 MB for levels that never held more
 * than 60 MB at once. Chunks never move, and the two levels alive at a time
 * reuse the pages of the levels before them.
 */
export class ChunkPool {
  private readonly free: Int32Array[] = [];

  take(): Int32Array {
    return this.free.pop() ?? new Int32Array(chunkWords);
  }

  give(chunk: Int32Array): void {
    // A chunk made for one oversized state is not kept.
    if (chunk.length === chunkWords) this.free.push(chunk);
  }
}

/** The encodings of one BFS level, in order, in chunks from a pool. */
export class StateQueue {
  private chunks: Int32Array[] = [];
  /** Words used in each chunk. */
  private fills: number[] = [];
  /** Where each state's words start (chunk number << chunkBits | offset), and its id; typed arrays, as a level can hold millions. */
  private starts = new Int32Array(1 << 10);
  ids = new Int32Array(1 << 10);
  private count = 0;
  private used = 0;

  constructor(private readonly pool: ChunkPool = new ChunkPool()) {}

  push(encoded: WordBuffer, id: number): void {
    const n = encoded.length;
    let last = this.chunks.length - 1;
    if (last < 0 || this.fills[last]! + n > this.chunks[last]!.length) {
      // A state never straddles two chunks; one larger than a chunk gets a chunk of its own.
      this.chunks.push(n <= chunkWords ? this.pool.take() : new Int32Array(n));
      this.fills.push(0);
      last++;
    }
    if (this.count === this.starts.length) {
      const starts = new Int32Array(this.count * 2);
      starts.set(this.starts);
      this.starts = starts;
      const ids = new Int32Array(this.count * 2);
      ids.set(this.ids);
      this.ids = ids;
    }
    let at = this.fills[last]!;
    this.starts[this.count] = (last << chunkBits) | at;
    this.ids[this.count++] = id;
    const from = encoded.data;
    const to = this.chunks[last]!;
    for (let i = 0; i < n; i++) to[at++] = from[i]!;
    this.fills[last] = at;
    this.used += n;
  }

  get size(): number {
    return this.count;
  }

  /** The chunk that holds state `f`'s words (from `start(f)`). */
  words(f: number): Int32Array {
    return this.chunks[this.starts[f]! >>> chunkBits]!;
  }

  /** Where state `f`'s words start in `words(f)`. */
  start(f: number): number {
    return this.starts[f]! & chunkMask;
  }

  /** Where state `f`'s words end in `words(f)`. */
  end(f: number): number {
    const chunk = this.starts[f]! >>> chunkBits;
    return f + 1 < this.count && this.starts[f + 1]! >>> chunkBits === chunk ? this.start(f + 1) : this.fills[chunk]!;
  }

  /** Empties the queue; its chunks go back to the pool. */
  clear(): void {
    for (const chunk of this.chunks) this.pool.give(chunk);
    this.chunks = [];
    this.fills = [];
    this.count = 0;
    this.used = 0;
  }

  /** Bytes the level's states take: their words, starts and ids. */
  get bytes(): number {
    return this.used * 4 + this.count * 8;
  }
}
