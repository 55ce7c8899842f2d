import type * as ast from '../language/ast.js';
import type { CheckedModel, RoleInfo, Type } from '../language/check/model.js';
import type { Diagnostic, Result } from '../language/diagnostic.js';
import { diagnostic } from '../language/diagnostic.js';
import type { Span } from '../language/span.js';
import { emptySpan } from '../language/span.js';
import { ExprCompiler } from './compile-expr.js';
import { StmtCompiler } from './compile-stmt.js';
import type {
  BudgetDef,
  CompiledHandler,
  ExecCtx,
  Expectation,
  MessageDef,
  NodeDef,
  PropertyDef,
  PropertyReads,
  RoleDef,
  RunBounds,
  RunSource,
  ScriptEvent,
  State,
  TransitionSystem,
  VarDef,
} from './system.js';
import { findSymmetricRoles } from './symmetry-analysis.js';
import { walkAst } from '../language/walk.js';
import type { RtType, Value } from './values.js';
import { defaultValue, enumerateValues, inType } from './values.js';
import { makeCtx } from './steps.js';

/** What of the nodes' state property `body` can read (see `PropertyDef.reads`). */
function propertyReads(body: ast.Expr): PropertyReads {
  const fields = new Set<string>();
  let flags = false;
  walkAst(body, (n) => {
    if (n.kind === 'FieldExpr') fields.add(n.field.name);
    else if (n.kind === 'CallExpr' && n.callee.name !== 'min' && n.callee.name !== 'max' && n.callee.name !== 'index') flags = true;
  });
  return { fields: [...fields].sort(), flags };
}

/** Bounds used when a check or scenario gives none. */
export const defaultBounds: RunBounds = { depth: 1000, states: 2_000_000, runs: 200, steps: 500, seed: 1 };

/** Options that the CLI or the server add on top of what the file says. */
export interface RunOverrides {
  params?: Map<string, number>;
  bounds?: Partial<RunBounds>;
  symmetry?: boolean;
}

/**
 * Compiles a checked model for one run. `source` is a `check` or `scenario`
 * declaration, or null for a plain exploration with the file's defaults.
 */
export function compileSystem(model: CheckedModel, source: RunSource, overrides: RunOverrides = {}): Result<TransitionSystem | null> {
  const diagnostics: Diagnostic[] = [];
  const fail = (message: string, span: Span) => {
    diagnostics.push(diagnostic('FTP407', 'error', message, span));
  };
  if (model.hasErrors) {
    return { value: null, diagnostics: [diagnostic('FTP407', 'error', 'the protocol has errors; fix them before running it', model.file.span)] };
  }

  /** Variables with an `= expr` initial value: checked against their type once the system is built. */
  const initialValues: { role: string; variable: string; slot: number; type: RtType; span: Span }[] = [];
  let sysRef: TransitionSystem | null = null;
  const sys = (): TransitionSystem => sysRef!;
  const labels = [...model.labels].sort();
  const labelIds = new Map(labels.map((l, i) => [l, i]));
  const items: (ast.RunSetting | ast.ScriptedFault)[] = source ? source.items : [];

  // Params, in order, each with the earlier ones (and the run's overrides) in scope.
  const params = new Map<string, number>();
  const runOverrides = new Map<string, ast.Expr>();
  for (const item of items) if (item.kind === 'ParamOverride') runOverrides.set(item.name.name, item.value);
  const roleNodeIds = new Map<string, number[]>();
  const roleNodes = (role: string) => roleNodeIds.get(role) ?? [];
  let rtType: (t: Type) => RtType = () => ({ k: 'any' });
  const constCompiler = () => new ExprCompiler(model, sys, labelIds, params, roleNodes, null, (t) => rtType(t));
  const constCtx = emptyCtx();
  const evalConst = (e: ast.Expr, what: string): number => {
    try {
      const v = constCompiler().compile(e)(constCtx);
      if (typeof v !== 'number' || !Number.isInteger(v)) {
        fail(`${what} is not a whole number`, e.span);
        return 0;
      }
      return v;
    } catch (err) {
      fail(`${what} cannot be evaluated: ${err instanceof Error ? err.message : String(err)}`, e.span);
      return 0;
    }
  };
  for (const p of model.params) {
    const cli = overrides.params?.get(p.name);
    const expr = runOverrides.get(p.name);
    params.set(p.name, cli ?? (expr ? evalConst(expr, `with ${p.name}`) : evalConst(p.decl.value, `param ${p.name}`)));
  }
  for (const q of model.quorums) params.set(q.name, evalConst(q.decl.size, `quorum ${q.name}`));

  // Nodes: roles in declaration order, each role's nodes consecutive.
  const nodes: NodeDef[] = [];
  model.roles.forEach((role, r) => {
    const count = role.decl.count ? evalConst(role.decl.count, `the count of ${role.name}`) : 1;
    if (count < 1 || count > 30) fail(`${role.name} has ${count} nodes; between 1 and 30 are supported`, role.decl.count?.span ?? role.decl.name.span);
    const ids: number[] = [];
    for (let i = 1; i <= Math.max(1, Math.min(count, 30)); i++) {
      ids.push(nodes.length);
      nodes.push({ id: nodes.length, name: role.replicated ? `${role.name}[${i}]` : role.name, role: r, indexInRole: i });
    }
    roleNodeIds.set(role.name, ids);
  });
  if (nodes.length > 30) fail(`${nodes.length} nodes in all; at most 30 are supported`, model.file.span);

  rtType = (t: Type): RtType => {
    switch (t.kind) {
      case 'bool':
        return { k: 'bool' };
      case 'int':
        return t.range
          ? { k: 'int', low: evalConst(t.range.low, 'a range bound'), high: evalConst(t.range.high, 'a range bound') }
          : { k: 'int', low: -(2 ** 31), high: 2 ** 31 - 1 };
      case 'enum':
        return { k: 'enum', labels: t.labels.map((l) => labelIds.get(l) ?? 0) };
      case 'node':
        return { k: 'node', nodes: t.role ? roleNodes(t.role) : nodes.map((n) => n.id) };
      case 'set':
        return { k: 'set', element: rtType(t.element) };
      case 'seq':
        return { k: 'seq', element: rtType(t.element) };
      case 'map': {
        const key = rtType(t.key);
        const keys = enumerateValues(key, 256);
        if (!keys) fail('a map key type must be finite and small (at most 256 keys)', model.file.span);
        return { k: 'map', key, value: rtType(t.value), keys: keys ?? [] };
      }
      case 'error':
        return { k: 'any' };
    }
  };

  const messages: MessageDef[] = model.messages.map((m) => ({
    name: m.name,
    index: m.index,
    fields: m.fields.map((f) => ({ name: f.name, type: rtType(f.type), signed: f.signed })),
  }));
  const messageIndex = new Map(messages.map((m) => [m.name, m.index]));

  const roles: RoleDef[] = model.roles.map((info, r) => compileRole(info, r));
  const symmetric = overrides.symmetry === false ? new Set<string>() : findSymmetricRoles(model, source);
  for (const role of roles) role.symmetric = role.nodes.length > 1 && symmetric.has(role.name);

  function compileRole(info: RoleInfo, r: number): RoleDef {
    const vars: VarDef[] = [];
    const varIndex = new Map<string, number>();
    for (const st of info.states) {
      const type = rtType(st.type);
      const init = st.decl.init;
      let initFn: VarDef['init'];
      if (init === null) {
        const d = defaultValue(type);
        initFn = () => [d];
      } else if (init.kind === 'AnyInit') {
        const all = enumerateValues(type, 4096);
        if (!all) fail(`${st.name} = any needs a finite type with at most 4096 values`, init.span);
        initFn = () => all ?? [defaultValue(type)];
      } else {
        const f = new ExprCompiler(model, sys, labelIds, params, roleNodes, info.name, rtType).compile(init);
        initFn = (ctx) => [f(ctx)];
        initialValues.push({ role: info.name, variable: st.name, slot: vars.length, type, span: init.span });
      }
      varIndex.set(st.name, vars.length);
      vars.push({ name: st.name, type, stable: st.stable, init: initFn, builtin: false });
    }
    let decidedSlot = -1;
    let decisionSlot = -1;
    let deliveredSlot = -1;
    if (info.decisionType) {
      const decisionType = rtType(info.decisionType);
      decidedSlot = vars.length;
      varIndex.set('decided', decidedSlot);
      vars.push({ name: 'decided', type: { k: 'bool' }, stable: true, init: () => [0], builtin: true });
      decisionSlot = vars.length;
      varIndex.set('decision', decisionSlot);
      const d = defaultValue(decisionType);
      vars.push({ name: 'decision', type: decisionType, stable: true, init: () => [d], builtin: true });
    }
    if (info.deliveryType) {
      deliveredSlot = vars.length;
      varIndex.set('delivered', deliveredSlot);
      vars.push({ name: 'delivered', type: { k: 'seq', element: rtType(info.deliveryType) }, stable: true, init: () => [[]], builtin: true });
    }
    const handlers: CompiledHandler[] = info.handlers.map((h) => compileHandler(info, r, h.index, h.decl, h.message, h.fromRole, h.timer));
    const timers = info.timers.slice();
    const messageHandlers: CompiledHandler[][] = messages.map(() => []);
    const timeoutHandlers: CompiledHandler[][] = timers.map(() => []);
    let start: CompiledHandler | null = null;
    let recover: CompiledHandler | null = null;
    for (const h of handlers) {
      if (h.kind === 'message' && h.message >= 0) messageHandlers[h.message]!.push(h);
      else if (h.kind === 'timeout' && h.timer >= 0) timeoutHandlers[h.timer]!.push(h);
      else if (h.kind === 'start') start ??= h;
      else if (h.kind === 'recover') recover ??= h;
    }
    return {
      name: info.name,
      index: r,
      nodes: roleNodes(info.name),
      vars,
      varIndex,
      timers,
      handlers,
      messageHandlers,
      timeoutHandlers,
      start,
      recover,
      decidedSlot,
      decisionSlot,
      deliveredSlot,
      symmetric: false,
    };
  }

  function compileHandler(
    info: RoleInfo,
    r: number,
    index: number,
    decl: ast.Handler,
    message: string | null,
    fromRole: string | null,
    timer: string | null,
  ): CompiledHandler {
    const exprs = new ExprCompiler(model, sys, labelIds, params, roleNodes, info.name, rtType);
    const t = decl.trigger;
    const paramSlots = t.kind === 'MessageTrigger' ? t.params.map((p) => exprs.bind(p.name)) : [];
    const fromSlot = t.kind === 'MessageTrigger' && t.from && fromRole === null ? exprs.bind(t.from.name) : -1;
    const guard = decl.guard ? exprs.compile(decl.guard) : null;
    const body = new StmtCompiler(exprs, sys, info.name, messageIndex).block(decl.body);
    return {
      kind: t.kind === 'StartTrigger' ? 'start' : t.kind === 'RecoverTrigger' ? 'recover' : t.kind === 'TimeoutTrigger' ? 'timeout' : 'message',
      role: r,
      index,
      message: message !== null ? (messageIndex.get(message) ?? -1) : -1,
      timer: timer !== null ? info.timers.indexOf(timer) : -1,
      fromRole: fromRole !== null ? model.roles.findIndex((x) => x.name === fromRole) : -1,
      guard,
      body,
      get frameSize() {
        return exprs.frameSize;
      },
      paramSlots,
      fromSlot,
      span: decl.span,
      triggerSpan: t.span,
    };
  }

  // Properties, and `within` bounds.
  const properties: PropertyDef[] = model.properties.map((p) => {
    const exprs = new ExprCompiler(model, sys, labelIds, params, roleNodes, null, rtType);
    const evaluate = exprs.compile(p.decl.body);
    const within = p.decl.within ? evalConst(p.decl.within, `within of ${p.name}`) : -1;
    return { name: p.name, kind: p.property, within, evaluate, reads: propertyReads(p.decl.body), span: p.decl.span, nameSpan: p.decl.name.span };
  });

  // Budgets, bounds, expectations and scripted faults of the run.
  const budgets: BudgetDef[] = [];
  const bounds: RunBounds = { ...defaultBounds };
  const expectations: Expectation[] = [];
  const script: ScriptEvent[] = [];
  const fixedByzantine: number[] = [];
  const roleIndexOf = (id: ast.Ident | null) => (id ? model.roles.findIndex((x) => x.name === id.name) : -1);
  const nodeOf = (e: ast.Expr, what: string): number => {
    try {
      const v = constCompiler().compile(e)(constCtx);
      if (typeof v === 'number') return v;
      if (v.length === 1 && typeof v[0] === 'number') return v[0];
      fail(`${what} must name one node, like Participant[1]`, e.span);
    } catch (err) {
      fail(err instanceof Error ? err.message : String(err), e.span);
    }
    return 0;
  };
  const nodesOf = (e: ast.Expr | null): number[] | null => {
    if (!e) return null;
    try {
      const v = constCompiler().compile(e)(constCtx);
      return typeof v === 'number' ? [v] : (v as number[]);
    } catch (err) {
      fail(err instanceof Error ? err.message : String(err), e.span);
      return null;
    }
  };
  const trigger = (t: ast.FaultTrigger): ScriptEvent['trigger'] => {
    switch (t.kind) {
      case 'AtStep':
        return { kind: 'step', step: evalConst(t.step, 'a step') };
      case 'AfterReceive':
        return { kind: 'receive', message: messageIndex.get(t.message.name) ?? -1, from: nodesOf(t.from) };
      case 'AfterSend':
        return { kind: 'send', message: messageIndex.get(t.message.name) ?? -1, to: nodesOf(t.to) };
      case 'WhenTrue':
        return { kind: 'when', condition: constCompiler().compile(t.condition) };
    }
  };
  for (const item of items) {
    switch (item.kind) {
      case 'ParamOverride':
        break;
      case 'CrashBudget':
        budgets.push({
          kind: 'crash',
          limit: evalConst(item.limit, 'a crash budget'),
          target: roleIndexOf(item.role),
          recover: item.recover,
          whileSending: item.whileSending,
          slot: budgets.length,
          span: item.span,
          label: `crash up to ${evalConst(item.limit, 'a crash budget')}${item.role ? ` of ${item.role.name}` : ''}${item.recover ? ' and recover' : ''}`,
        });
        break;
      case 'DropBudget':
      case 'DuplicateBudget':
      case 'DelayBudget': {
        const kind = item.kind === 'DropBudget' ? 'drop' : item.kind === 'DuplicateBudget' ? 'duplicate' : 'delay';
        const limit = evalConst(item.limit, `a ${kind} budget`);
        budgets.push({
          kind,
          limit,
          target: item.message ? (messageIndex.get(item.message.name) ?? -1) : -1,
          recover: false,
          whileSending: false,
          slot: budgets.length,
          span: item.span,
          label: `${kind} up to ${limit}${item.message ? ` of ${item.message.name}` : ''}`,
        });
        break;
      }
      case 'PartitionBudget': {
        const limit = evalConst(item.limit, 'a partition budget');
        budgets.push({ kind: 'partition', limit, target: -1, recover: false, whileSending: false, slot: budgets.length, span: item.span, label: `partition up to ${limit}` });
        break;
      }
      case 'ByzantineBudget': {
        const limit = evalConst(item.limit, 'a Byzantine budget');
        budgets.push({
          kind: 'byzantine',
          limit,
          target: roleIndexOf(item.role),
          recover: false,
          whileSending: false,
          slot: budgets.length,
          span: item.span,
          label: `byzantine up to ${limit}${item.role ? ` of ${item.role.name}` : ''}`,
        });
        break;
      }
      case 'BoundSetting':
        bounds[item.setting] = evalConst(item.value, item.setting);
        break;
      case 'Expectation':
        expectations.push({ property: item.property.name, outcome: item.outcome, span: item.span });
        break;
      case 'ScriptedCrash':
      case 'ScriptedRecover': {
        const node = nodeOf(item.node, 'a scripted crash');
        const verb = item.kind === 'ScriptedCrash' ? 'crash' : 'recover';
        script.push({ index: script.length, trigger: trigger(item.trigger), action: { kind: verb, node }, span: item.span, label: `${verb} ${nodes[node]?.name ?? '?'}` });
        break;
      }
      case 'ScriptedDrop': {
        const count = item.count ? evalConst(item.count, 'a drop count') : 1;
        script.push({
          index: script.length,
          trigger: { kind: 'step', step: 0 },
          action: { kind: 'drop', message: messageIndex.get(item.message.name) ?? -1, from: nodesOf(item.from), to: nodesOf(item.to), count },
          span: item.span,
          label: `drop ${item.message.name}`,
        });
        break;
      }
      case 'ScriptedPartition': {
        let mask = 0;
        item.groups.forEach((g, i) => {
          if (i === 0) return;
          for (const id of nodesOf(g) ?? []) mask |= 1 << id;
        });
        const from = evalConst(item.from, 'a partition start');
        const to = item.to ? evalConst(item.to, 'a partition end') : -1;
        script.push({
          index: script.length,
          trigger: { kind: 'step', step: from },
          action: { kind: 'partition', groups: nodes.map((n) => ((mask >> n.id) & 1 ? 1 : 0)), healAt: to },
          span: item.span,
          label: 'partition',
        });
        break;
      }
      case 'ScriptedByzantine':
        fixedByzantine.push(nodeOf(item.node, 'a Byzantine node'));
        break;
    }
  }
  if (overrides.bounds) Object.assign(bounds, overrides.bounds);
  if (script.length > 30) fail('at most 30 scripted faults per scenario', source?.span ?? emptySpan);

  let clockLimit = 0;
  for (const e of script) {
    if (e.trigger.kind === 'step') clockLimit = Math.max(clockLimit, e.trigger.step + 1);
    if (e.action.kind === 'partition') clockLimit = Math.max(clockLimit, e.action.healAt + 1);
  }
  for (const p of properties) if (p.within >= 0) clockLimit = Math.max(clockLimit, p.within + 1);

  const network = model.network;
  const delta = network.delta ? evalConst(network.delta, 'the sync bound') : 0;

  const built: TransitionSystem = {
    protocol: model.name,
    runName: source?.name?.name ?? (source ? `check ${source.kind === 'CheckDecl' ? source.mode : ''}`.trim() : 'explore'),
    runKind: source === null ? 'default' : source.kind === 'CheckDecl' ? 'check' : 'scenario',
    mode: source?.kind === 'CheckDecl' ? source.mode : 'explore',
    runSpan: source?.span ?? model.file.span,
    params,
    nodes,
    roles,
    messages,
    labels,
    timing: network.timing,
    delta,
    fifo: network.ordering === 'fifo',
    lossy: network.reliability === 'lossy',
    budgets,
    fixedByzantine,
    script,
    clockLimit,
    properties,
    expectations,
    bounds,
    symmetry: roles.some((r) => r.symmetric) && script.length === 0 && fixedByzantine.length === 0,
  };
  if (!built.symmetry) for (const r of roles) r.symmetric = false;
  sysRef = built;
  checkInitialValues(built, initialValues, fail);
  if (diagnostics.length > 0) return { value: null, diagnostics };
  return { value: built, diagnostics };
}

function emptyCtx(): ExecCtx {
  const state: State = { nodes: [], msgs: [], used: [], partition: 0, healAt: -1, fired: 0, dropsLeft: [], clock: 0, seen: 0 };
  return {
    // Constant expressions read params and roles only (the checker sees to it), never the system.
    sys: null as unknown as TransitionSystem,
    state,
    self: -1,
    vars: null,
    timers: null,
    frame: new Array<Value>(64).fill(0),
    sends: [],
    events: [],
    choose: () => 0,
    byzantine: false,
    inStart: false,
    onSend: null,
  };
}

/** The runs a file asks for: every check and scenario, or one default exploration. */
export function runSources(model: CheckedModel): RunSource[] {
  const out: RunSource[] = [...model.checks, ...model.scenarios];
  return out.length > 0 ? out : [null];
}

/**
 * Every stored value stays inside its declared type: assignments and sends are
 * checked as they run, and an `= expr` initial value (params and constants only:
 * it has no node of its own) is checked here.
 */
function checkInitialValues(
  sys: TransitionSystem,
  initialValues: { role: string; variable: string; slot: number; type: RtType; span: Span }[],
  fail: (message: string, span: Span) => void,
): void {
  const empty = { nodes: [], msgs: [], used: [], partition: 0, healAt: -1, fired: 0, dropsLeft: [], clock: 0, seen: 0 };
  for (const v of initialValues) {
    const role = sys.roles.find((r) => r.name === v.role);
    if (!role || role.nodes.length === 0) continue;
    let values: Value[];
    try {
      values = role.vars[v.slot]!.init(makeCtx(sys, empty, role.nodes[0]!));
    } catch {
      continue;
    }
    const bad = values.find((x) => !inType(v.type, x));
    if (bad !== undefined) {
      fail(`the initial value of ${v.role}.${v.variable} is ${JSON.stringify(bad)}, outside its type${v.type.k === 'int' ? ` (${v.type.low}..${v.type.high})` : ''}`, v.span);
    }
  }
}
