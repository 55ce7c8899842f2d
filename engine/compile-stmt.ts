import type * as ast from '../language/ast.js';
import { assertNever } from '../language/ast.js';
import type { ExprCompiler, ExprFn } from './compile-expr.js';
import { varSlot } from './compile-expr.js';
import type { ExecCtx, MessageDef, TransitionSystem } from './system.js';
import { Blocked, CutHandler, RuntimeFault } from './system.js';
import type { RtType, Value } from './values.js';
import { enumerateValues, inType, mapKeyIndex, setAdd, setRemove } from './values.js';

export type StmtFn = (ctx: ExecCtx) => void;

/** Compiles handler bodies. `choose` asks the context's oracle, so one compiled body serves every branch. */
export class StmtCompiler {
  constructor(
    private readonly exprs: ExprCompiler,
    private readonly sys: () => TransitionSystem,
    private readonly roleName: string,
    private readonly messageIndex: Map<string, number>,
  ) {}

  block(b: ast.Block): StmtFn {
    let bound = 0;
    const fns: StmtFn[] = [];
    for (const s of b.stmts) {
      fns.push(this.stmt(s));
      if (s.kind === 'LetStmt') bound++;
    }
    this.exprs.unbind(bound);
    if (fns.length === 1) return fns[0]!;
    return (ctx) => {
      for (let i = 0; i < fns.length; i++) fns[i]!(ctx);
    };
  }

  private stmt(s: ast.Stmt): StmtFn {
    switch (s.kind) {
      case 'AssignStmt':
        return this.assign(s);
      case 'LetStmt': {
        const value = this.exprs.compile(s.value);
        const slot = this.exprs.bind(s.name.name);
        return (ctx) => {
          ctx.frame[slot] = value(ctx);
        };
      }
      case 'IfStmt': {
        const cond = this.exprs.compile(s.condition);
        const then = this.block(s.then);
        const otherwise = s.else ? this.block(s.else) : null;
        return (ctx) => {
          if (cond(ctx)) then(ctx);
          else if (otherwise) otherwise(ctx);
        };
      }
      case 'SendStmt':
        return this.send(s.message, s.args, s.to, false, s.span);
      case 'BroadcastStmt':
        return this.send(s.message, s.args, s.to, true, s.span);
      case 'SetTimerStmt': {
        const after = this.exprs.compile(s.after);
        const name = s.timer.name;
        let slot = -1;
        return (ctx) => {
          if (slot < 0) slot = timerSlot(this.sys(), this.roleName, name);
          const t = after(ctx) as number;
          if (t < 0) throw new RuntimeFault(`timer ${name} set to ${t} ticks`, s.span);
          if (ctx.timers && slot >= 0) ctx.timers[slot] = ctx.sys.timing === 'sync' ? t : 0;
        };
      }
      case 'CancelTimerStmt': {
        const name = s.timer.name;
        let slot = -1;
        return (ctx) => {
          if (slot < 0) slot = timerSlot(this.sys(), this.roleName, name);
          if (ctx.timers && slot >= 0) ctx.timers[slot] = -1;
        };
      }
      case 'ChooseStmt': {
        const branches = s.branches.map((b) => this.block(b));
        return (ctx) => branches[ctx.choose(branches.length)]!(ctx);
      }
      case 'ChooseValueStmt': {
        const domain = this.exprs.compileDomain(s.domain);
        const slot = this.exprs.bind(s.name.name);
        const body = this.block(s.body);
        this.exprs.unbind(1);
        return (ctx) => {
          const values = domain(ctx);
          if (values.length === 0) throw new Blocked();
          ctx.frame[slot] = values[ctx.choose(values.length)]!;
          body(ctx);
        };
      }
      case 'DecideStmt': {
        const value = this.exprs.compile(s.value);
        return (ctx) => {
          const v = value(ctx);
          const role = ctx.sys.roles[ctx.sys.nodes[ctx.self]!.role]!;
          if (ctx.vars && role.decidedSlot >= 0) {
            // A decision is stored like any variable: inside its type (an int range can be left).
            const type = role.vars[role.decisionSlot]!.type;
            if (!inType(type, v)) {
              const range = type.k === 'int' ? ` (${type.low}..${type.high})` : '';
              throw new RuntimeFault(`decision = ${JSON.stringify(v)} is outside its type${range}`, s.span);
            }
            ctx.vars[role.decidedSlot] = 1;
            ctx.vars[role.decisionSlot] = v;
          }
          ctx.events.push({ kind: 'decide', value: v });
        };
      }
      case 'DeliverStmt': {
        const value = this.exprs.compile(s.value);
        return (ctx) => {
          const v = value(ctx);
          const role = ctx.sys.roles[ctx.sys.nodes[ctx.self]!.role]!;
          if (ctx.vars && role.deliveredSlot >= 0) {
            const seq = ctx.vars[role.deliveredSlot] as readonly Value[];
            if (seq.length >= 64) throw new RuntimeFault('more than 64 deliveries at one node', s.span);
            ctx.vars[role.deliveredSlot] = [...seq, v];
          }
          ctx.events.push({ kind: 'deliver', value: v });
        };
      }
      default:
        return assertNever(s);
    }
  }

  private assign(s: ast.AssignStmt): StmtFn {
    const value = this.exprs.compile(s.value);
    const indices = s.indices.map((i) => this.exprs.compile(i));
    const name = s.target.name;
    const roleName = this.roleName;
    let slot = -2;
    let type: RtType | null = null;
    const resolve = (ctx: ExecCtx) => {
      slot = varSlot(ctx.sys, roleName, name);
      const role = ctx.sys.roles.find((r) => r.name === roleName);
      type = slot >= 0 && role ? role.vars[slot]!.type : null;
    };
    return (ctx) => {
      if (slot === -2) resolve(ctx);
      if (slot < 0 || !ctx.vars || !type) return;
      const v = value(ctx);
      const keys = indices.length === 0 ? noKeys : indices.map((f) => f(ctx));
      ctx.vars[slot] = update(ctx.vars[slot]!, type, keys, 0, s.op, v, s);
    };
  }

  private send(messageName: ast.Ident, args: ast.MessageArg[], to: ast.Expr, broadcast: boolean, span: ast.Stmt['span']): StmtFn {
    const type = this.messageIndex.get(messageName.name) ?? -1;
    const dest = this.exprs.compile(to);
    const named = args.length > 0 && args.every((a) => a.name !== null);
    let argFns: ExprFn[] | null = null;
    const compiledArgs = args.map((a) => ({ name: a.name?.name ?? null, fn: this.exprs.compile(a.value) }));
    const ordered = (msg: MessageDef): ExprFn[] => {
      if (!named) return compiledArgs.map((a) => a.fn);
      return msg.fields.map((f) => compiledArgs.find((a) => a.name === f.name)?.fn ?? (() => 0));
    };
    return (ctx) => {
      if (type < 0) return;
      const msg = ctx.sys.messages[type]!;
      argFns ??= ordered(msg);
      const fields: Value[] = argFns.map((f) => f(ctx));
      for (let i = 0; i < msg.fields.length; i++) {
        if (!inType(msg.fields[i]!.type, fields[i] ?? 0)) {
          throw new RuntimeFault(`${msg.name}.${msg.fields[i]!.name} = ${JSON.stringify(fields[i])} is outside its type`, span);
        }
      }
      const target = dest(ctx);
      const dsts = broadcast ? (typeof target === 'number' ? [target] : (target as number[])).filter((d) => d !== ctx.self) : [target as number];
      for (const dst of dsts) {
        if (ctx.sys.nodes[dst] === undefined) throw new RuntimeFault(`send to a node that does not exist (${dst})`, span);
        let out = fields;
        if (ctx.byzantine) {
          const lie = byzantineChoices(msg, fields, ctx.inStart);
          const pick = ctx.choose(lie.length + 1);
          if (pick === 0) continue; // a Byzantine node may stay silent
          out = lie[pick - 1]!;
        }
        ctx.sends.push({ type, dst, fields: out, span });
        if (ctx.onSend && ctx.onSend(type, dst)) throw new CutHandler();
      }
    };
  }
}

/**
 * What a Byzantine sender may put in a message: any well-typed values, chosen
 * per destination. Signed fields keep their value unless the node originates
 * the message (in its start handler).
 */
function byzantineChoices(msg: MessageDef, honest: Value[], inStart: boolean): Value[][] {
  let out: Value[][] = [[]];
  msg.fields.forEach((f, i) => {
    const domain = f.signed && !inStart ? [honest[i]!] : (enumerateValues(f.type, 64) ?? [honest[i]!]);
    const next: Value[][] = [];
    for (const prefix of out) for (const v of domain) next.push([...prefix, v]);
    out = next;
  });
  return out;
}

function update(
  current: Value,
  type: RtType,
  keys: Value[],
  depth: number,
  op: ast.AssignStmt['op'],
  value: Value,
  s: ast.AssignStmt,
): Value {
  if (depth < keys.length) {
    const key = keys[depth]!;
    const arr = current as readonly Value[];
    let i: number;
    let inner: RtType;
    if (type.k === 'map') {
      i = mapKeyIndex(type, key);
      inner = type.value;
      if (i < 0) throw new RuntimeFault(`key ${JSON.stringify(key)} is outside the map's key type`, s.span);
    } else if (type.k === 'seq') {
      i = (key as number) - 1;
      inner = type.element;
      if (i < 0 || i >= arr.length) throw new RuntimeFault(`index ${key as number} is outside 1..${arr.length}`, s.span);
    } else {
      throw new RuntimeFault(`${s.target.name} cannot be indexed`, s.span);
    }
    const copy = arr.slice();
    copy[i] = update(arr[i]!, inner, keys, depth + 1, op, value, s);
    return copy;
  }
  let next: Value;
  if (op === '=') next = value;
  else if (type.k === 'set') next = op === '+=' ? setAdd(current as readonly Value[], value) : setRemove(current as readonly Value[], value);
  else if (type.k === 'seq') {
    const seq = current as readonly Value[];
    if (seq.length >= 64) throw new RuntimeFault(`${s.target.name} grew past 64 elements`, s.span);
    next = [...seq, value];
  } else next = op === '+=' ? (current as number) + (value as number) : (current as number) - (value as number);
  if (!inType(type, next)) {
    const range = type.k === 'int' ? ` (${type.low}..${type.high})` : '';
    throw new RuntimeFault(`${s.target.name} = ${JSON.stringify(next)} is outside its type${range}`, s.span);
  }
  return next;
}

const noKeys: Value[] = [];

export function timerSlot(sys: TransitionSystem, roleName: string, name: string): number {
  const role = sys.roles.find((r) => r.name === roleName);
  return role ? role.timers.indexOf(name) : -1;
}
