import type * as ast from '../language/ast.js';
import type { CheckedModel, Type } from '../language/check/model.js';
import type { ExecCtx, TransitionSystem } from './system.js';
import { FLAG_BYZANTINE, FLAG_UP, RuntimeFault } from './system.js';
import type { RtType, Value } from './values.js';
import {
  compareValues,
  defaultValue,
  equalValues,
  mapKeyIndex,
  setFrom,
  setHas,
  setIntersect,
  setMinus,
  setUnion,
} from './values.js';

export type ExprFn = (ctx: ExecCtx) => Value;

/**
 * Compiles expressions to closures. Locals live in a frame of numbered slots;
 * `scope` maps each visible local name to its slot, innermost last.
 */
export class ExprCompiler {
  private readonly scope: { name: string; slot: number }[] = [];
  frameSize = 0;

  constructor(
    readonly model: CheckedModel,
    /** Filled in lazily: role layouts and params are known before any expression runs. */
    readonly sys: () => TransitionSystem,
    readonly labelIds: Map<string, number>,
    readonly params: Map<string, number>,
    readonly roleNodes: (role: string) => number[],
    /** The role whose handler is being compiled; null in properties. */
    readonly selfRole: string | null,
    readonly rtType: (t: Type) => RtType,
  ) {}

  bind(name: string): number {
    const slot = this.frameSize++;
    this.scope.push({ name, slot });
    return slot;
  }

  unbind(count: number): void {
    this.scope.length -= count;
  }

  lookupLocal(name: string): number {
    for (let i = this.scope.length - 1; i >= 0; i--) if (this.scope[i]!.name === name) return this.scope[i]!.slot;
    return -1;
  }

  typeOf(e: ast.Expr): Type {
    return this.model.types.get(e) ?? { kind: 'error' };
  }

  compile(e: ast.Expr): ExprFn {
    switch (e.kind) {
      case 'IntLit': {
        const v = e.value;
        return () => v;
      }
      case 'BoolLit': {
        const v = e.value ? 1 : 0;
        return () => v;
      }
      case 'SelfExpr':
        return (ctx) => ctx.self;
      case 'NameExpr':
        return this.compileName(e);
      case 'FieldExpr':
        return this.compileField(e);
      case 'IndexExpr':
        return this.compileIndex(e);
      case 'CallExpr':
        return this.compileCall(e);
      case 'UnaryExpr': {
        const operand = this.compile(e.operand);
        if (e.op === 'not') return (ctx) => (operand(ctx) ? 0 : 1);
        return (ctx) => -(operand(ctx) as number);
      }
      case 'BinaryExpr':
        return this.compileBinary(e);
      case 'SetLit': {
        const elems = e.elements.map((x) => this.compile(x));
        const t = this.typeOf(e);
        if (t.kind === 'map') {
          const rt = this.rtType(t);
          return () => (rt.k === 'map' ? rt.keys.map(() => defaultValue(rt.value)) : []);
        }
        if (elems.length === 0) return () => [];
        return (ctx) => setFrom(elems.map((f) => f(ctx)));
      }
      case 'SeqLit': {
        const elems = e.elements.map((x) => this.compile(x));
        return (ctx) => elems.map((f) => f(ctx));
      }
      case 'SizeExpr': {
        const operand = this.compile(e.operand);
        return (ctx) => {
          const v = operand(ctx);
          return typeof v === 'number' ? Math.abs(v) : v.length;
        };
      }
      case 'QuantExpr': {
        const domain = this.compileDomain(e.domain);
        const slot = this.bind(e.variable.name);
        const body = this.compile(e.body);
        this.unbind(1);
        if (e.quantifier === 'forall') {
          return (ctx) => {
            for (const v of domain(ctx)) {
              ctx.frame[slot] = v;
              if (!body(ctx)) return 0;
            }
            return 1;
          };
        }
        return (ctx) => {
          for (const v of domain(ctx)) {
            ctx.frame[slot] = v;
            if (body(ctx)) return 1;
          }
          return 0;
        };
      }
      case 'CountExpr': {
        const domain = this.compileDomain(e.domain);
        const slot = this.bind(e.variable.name);
        const cond = e.condition ? this.compile(e.condition) : null;
        this.unbind(1);
        return (ctx) => {
          let n = 0;
          for (const v of domain(ctx)) {
            ctx.frame[slot] = v;
            if (!cond || cond(ctx)) n++;
          }
          return n;
        };
      }
      case 'CondExpr': {
        const c = this.compile(e.condition);
        const a = this.compile(e.then);
        const b = this.compile(e.else);
        return (ctx) => (c(ctx) ? a(ctx) : b(ctx));
      }
      case 'RangeExpr': {
        const domain = this.compileDomain(e);
        return (ctx) => domain(ctx);
      }
      case 'MissingExpr':
        return () => 0;
    }
  }

  /** A domain to iterate: a set, a role, a sequence, or a range `lo..hi`. */
  compileDomain(e: ast.Expr): (ctx: ExecCtx) => readonly Value[] {
    if (e.kind === 'RangeExpr') {
      const lo = this.compile(e.low);
      const hi = this.compile(e.high);
      return (ctx) => {
        const a = lo(ctx) as number;
        const b = hi(ctx) as number;
        const out: number[] = [];
        for (let v = a; v <= b && out.length < 1 << 16; v++) out.push(v);
        return out;
      };
    }
    const f = this.compile(e);
    const t = this.typeOf(e);
    if (t.kind === 'map') {
      return (ctx) => {
        const rt = this.rtType(t);
        return rt.k === 'map' ? rt.keys : [];
      };
    }
    return (ctx) => {
      const v = f(ctx);
      return typeof v === 'number' ? [] : v;
    };
  }

  private compileName(e: ast.NameExpr): ExprFn {
    const ref = this.model.refs.get(e);
    const local = this.lookupLocal(e.name);
    if (local >= 0 && (!ref || ref.kind === 'local')) return (ctx) => ctx.frame[local]!;
    if (!ref) return () => 0;
    switch (ref.kind) {
      case 'local':
        return () => 0;
      case 'state':
      case 'event': {
        const roleName = this.selfRole;
        if (roleName === null) return () => 0;
        const sysRef = this.sys;
        let slot = -1;
        return (ctx) => {
          if (slot < 0) slot = varSlot(sysRef(), roleName, ref.name);
          if (slot < 0) return ref.name === 'delivered' ? [] : 0;
          if (ctx.vars) return ctx.vars[slot]!;
          return ctx.state.nodes[ctx.self]!.vars[slot]!;
        };
      }
      case 'param':
      case 'quorum': {
        const v = this.params.get(ref.name) ?? 0;
        return () => v;
      }
      case 'label': {
        const id = this.labelIds.get(ref.name) ?? 0;
        return () => id;
      }
      case 'role': {
        // A single-node role names its one node; a replicated role the set of its nodes.
        if (this.typeOf(e).kind === 'node') {
          const name = ref.name;
          return () => this.roleNodes(name)[0] ?? 0;
        }
        const nodes = this.roleNodes(ref.name);
        return () => nodes;
      }
    }
  }

  private compileField(e: ast.FieldExpr): ExprFn {
    const target = this.compile(e.target);
    const field = e.field.name;
    const sysRef = this.sys;
    // Slots differ per role when the target is any `node`: the field's slot per node,
    // resolved once (roles are laid out before anything runs). An array, not a map: this
    // runs for every `p.x` in every property evaluation, where a map lookup was the
    // largest single cost of checking 2PC's invariant.
    let slotOf: Int32Array | null = null;
    return (ctx) => {
      const id = target(ctx) as number;
      if (slotOf === null) {
        const sys = sysRef();
        slotOf = Int32Array.from(sys.nodes, (n) => varSlot(sys, sys.roles[n.role]!.name, field));
      }
      // Undefined for anything but a node's id (a typed array has no other indices).
      const slot = slotOf[id];
      if (slot === undefined) throw new RuntimeFault(`no node with id ${id}`, e.span);
      if (slot < 0) return field === 'delivered' ? [] : 0;
      if (id === ctx.self && ctx.vars) return ctx.vars[slot]!;
      return ctx.state.nodes[id]!.vars[slot]!;
    };
  }

  private compileIndex(e: ast.IndexExpr): ExprFn {
    const index = this.compile(e.index);
    if (e.target.kind === 'NameExpr' && this.model.refs.get(e.target)?.kind === 'role' && this.lookupLocal(e.target.name) < 0) {
      const nodes = this.roleNodes(e.target.name);
      const name = e.target.name;
      return (ctx) => {
        const i = index(ctx) as number;
        const id = nodes[i - 1];
        if (id === undefined) throw new RuntimeFault(`${name}[${i}] does not exist: ${name} has ${nodes.length} node(s)`, e.span);
        return id;
      };
    }
    const target = this.compile(e.target);
    const t = this.typeOf(e.target);
    if (t.kind === 'map') {
      let rt: RtType | null = null;
      return (ctx) => {
        rt ??= this.rtType(t);
        const m = target(ctx) as readonly Value[];
        const k = index(ctx);
        const i = rt.k === 'map' ? mapKeyIndex(rt, k) : -1;
        if (i < 0) throw new RuntimeFault(`key ${JSON.stringify(k)} is outside the map's key type`, e.span);
        return m[i]!;
      };
    }
    return (ctx) => {
      const s = target(ctx) as readonly Value[];
      const i = index(ctx) as number;
      if (i < 1 || i > s.length) throw new RuntimeFault(`index ${i} is outside 1..${s.length}`, e.span);
      return s[i - 1]!;
    };
  }

  private compileCall(e: ast.CallExpr): ExprFn {
    const args = e.args.map((a) => this.compile(a));
    const arg = args[0] ?? (() => 0);
    const sysRef = this.sys;
    switch (e.callee.name) {
      case 'min':
      case 'max': {
        const isMin = e.callee.name === 'min';
        return (ctx) => {
          const s = arg(ctx) as readonly Value[];
          if (s.length === 0) throw new RuntimeFault(`${e.callee.name} of an empty set`, e.span);
          let best = s[0]!;
          for (const v of s) if (isMin ? compareValues(v, best) < 0 : compareValues(v, best) > 0) best = v;
          return best;
        };
      }
      case 'index':
        return (ctx) => sysRef().nodes[arg(ctx) as number]?.indexInRole ?? 0;
      case 'crashed':
        return (ctx) => ((ctx.state.nodes[arg(ctx) as number]!.flags & FLAG_UP) === 0 ? 1 : 0);
      case 'byzantine':
        return (ctx) => ((ctx.state.nodes[arg(ctx) as number]!.flags & FLAG_BYZANTINE) !== 0 ? 1 : 0);
      case 'correct':
        return (ctx) => ((ctx.state.nodes[arg(ctx) as number]!.flags & FLAG_BYZANTINE) === 0 ? 1 : 0);
      default:
        return () => 0;
    }
  }

  private compileBinary(e: ast.BinaryExpr): ExprFn {
    const l = this.compile(e.left);
    const r = this.compile(e.right);
    switch (e.op) {
      case 'and':
        return (ctx) => (l(ctx) ? (r(ctx) ? 1 : 0) : 0);
      case 'or':
        return (ctx) => (l(ctx) ? 1 : r(ctx) ? 1 : 0);
      case 'implies':
        return (ctx) => (l(ctx) ? (r(ctx) ? 1 : 0) : 1);
      case '==':
        return (ctx) => (equalValues(l(ctx), r(ctx)) ? 1 : 0);
      case '!=':
        return (ctx) => (equalValues(l(ctx), r(ctx)) ? 0 : 1);
      case '<':
        return (ctx) => (compareValues(l(ctx), r(ctx)) < 0 ? 1 : 0);
      case '<=':
        return (ctx) => (compareValues(l(ctx), r(ctx)) <= 0 ? 1 : 0);
      case '>':
        return (ctx) => (compareValues(l(ctx), r(ctx)) > 0 ? 1 : 0);
      case '>=':
        return (ctx) => (compareValues(l(ctx), r(ctx)) >= 0 ? 1 : 0);
      case 'in':
      case 'not in': {
        const rightType = this.typeOf(e.right).kind;
        const negate = e.op === 'not in';
        const member =
          rightType === 'seq'
            ? (s: readonly Value[], v: Value) => s.some((x) => equalValues(x, v))
            : e.right.kind === 'RangeExpr'
              ? (s: readonly Value[], v: Value) => s.some((x) => equalValues(x, v))
              : setHas;
        const domain = e.right.kind === 'RangeExpr' ? this.compileDomain(e.right) : null;
        return (ctx) => {
          const s = domain ? domain(ctx) : (r(ctx) as readonly Value[]);
          const has = typeof s === 'number' ? false : member(s, l(ctx));
          return has !== negate ? 1 : 0;
        };
      }
      case '+': {
        if (this.typeOf(e).kind === 'set') return (ctx) => setUnion(l(ctx) as readonly Value[], r(ctx) as readonly Value[]);
        if (this.typeOf(e).kind === 'seq') return (ctx) => [...(l(ctx) as readonly Value[]), ...(r(ctx) as readonly Value[])];
        return (ctx) => (l(ctx) as number) + (r(ctx) as number);
      }
      case '-': {
        if (this.typeOf(e).kind === 'set') return (ctx) => setMinus(l(ctx) as readonly Value[], r(ctx) as readonly Value[]);
        return (ctx) => (l(ctx) as number) - (r(ctx) as number);
      }
      case '*':
        return (ctx) => (l(ctx) as number) * (r(ctx) as number);
      case '/':
      case '%': {
        const isDiv = e.op === '/';
        return (ctx) => {
          const b = r(ctx) as number;
          if (b === 0) throw new RuntimeFault('division by zero', e.span);
          const a = l(ctx) as number;
          return isDiv ? Math.trunc(a / b) : a % b;
        };
      }
      case 'union':
        return (ctx) => setUnion(l(ctx) as readonly Value[], r(ctx) as readonly Value[]);
      case 'intersect':
        return (ctx) => setIntersect(l(ctx) as readonly Value[], r(ctx) as readonly Value[]);
      case 'minus':
        return (ctx) => setMinus(l(ctx) as readonly Value[], r(ctx) as readonly Value[]);
    }
  }
}

export function varSlot(sys: TransitionSystem, roleName: string, name: string): number {
  const role = sys.roles.find((r) => r.name === roleName);
  if (!role) return -1;
  return role.varIndex.get(name) ?? -1;
}
