import type * as ast from '../ast.js';
import { blockEnv, evalConst, roleCount } from '../check/const-eval.js';
import type { CheckedModel, RoleInfo } from '../check/model.js';
import { printExpr } from '../check/print.js';
import { walkAst } from '../walk.js';

/**
 * The resilience arithmetic of a model, in words: for each fault budget and each
 * quorum, the bound it must meet (k+1, 2f+1, 3f+1, quorum intersection) and
 * whether the node counts meet it. Hover shows the lines a param or quorum takes
 * part in; the same bounds drive the "raise N" quick fix.
 */

export interface ResilienceFact {
  /** The run (`check explore`, a scenario name) whose budget or overrides this is about; null for the defaults. */
  run: string | null;
  /** `Byzantine agreement with f = 1 needs 3f+1 = 4 nodes; General has N = 3: not met`. */
  text: string;
  met: boolean;
  /** Params and quorums whose value enters the arithmetic. */
  uses: Set<string>;
  /** The role whose count must meet the bound, and the bound. */
  role: string | null;
  needed: number | null;
}

/** Names of params and quorums an expression depends on, following params to the params they are defined from. */
export function constantsUsed(model: CheckedModel, expr: ast.Expr | null): Set<string> {
  const out = new Set<string>();
  const visit = (e: ast.Expr): void => {
    walkAst(e, (node) => {
      if (node.kind !== 'NameExpr' || out.has(node.name)) return;
      const param = model.paramByName.get(node.name);
      const quorum = model.quorumByName.get(node.name);
      if (param) {
        out.add(node.name);
        visit(param.decl.value);
      } else if (quorum) {
        out.add(node.name);
        visit(quorum.decl.size);
      }
    });
  };
  if (expr !== null) visit(expr);
  return out;
}

/** For each role, the messages its nodes send to nodes of their own role: the relays of an agreement. */
export function relaysByRole(model: CheckedModel): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const role of model.roles) {
    for (const handler of role.handlers) {
      walkAst(handler.decl.body, (node) => {
        if (node.kind !== 'SendStmt' && node.kind !== 'BroadcastStmt') return;
        let type = model.types.get(node.to);
        if (type?.kind === 'set') type = type.element;
        if (type?.kind !== 'node' || type.role !== role.name) return;
        const set = out.get(role.name) ?? new Set<string>();
        set.add(node.message.name);
        out.set(role.name, set);
      });
    }
  }
  return out;
}

/** Whether some relay of a role is unsigned (a message with an unsigned field, or none): oral messages. */
function relaysOrally(model: CheckedModel, relays: Map<string, Set<string>>, role: string): boolean {
  for (const name of relays.get(role) ?? []) {
    const message = model.messageByName.get(name);
    if (message === undefined || message.fields.length === 0 || message.fields.some((f) => !f.signed)) return true;
  }
  return false;
}

/** `byzantine up to f` naming no role: any node may lie, so every node counts toward 3f+1. */
function wholeSystemFact(model: CheckedModel, relays: Map<string, Set<string>>, run: string, env: Map<string, number>, item: ast.ByzantineBudget, f: number): ResilienceFact[] {
  if (!model.roles.some((r) => relaysOrally(model, relays, r.name))) return [];
  let total = 0;
  const parts: string[] = [];
  const uses = new Set(constantsUsed(model, item.limit));
  for (const role of model.roles) {
    const n = roleCount(role, env);
    if (!Number.isFinite(n)) return [];
    total += n;
    parts.push(`${role.name} ${countText(role, n)}`);
    for (const name of constantsUsed(model, role.decl.count)) uses.add(name);
  }
  const need = 3 * f + 1;
  return [{ run, text: `Byzantine agreement with f = ${f} needs 3f+1 = ${need} nodes; there are ${total} (${parts.join(' + ')})`, met: total >= need, uses, role: null, needed: need }];
}

function countText(role: RoleInfo, n: number): string {
  const nodes = `${n} node${n === 1 ? '' : 's'}`;
  return role.decl.count === null || role.decl.count.kind === 'IntLit' ? nodes : `${printExpr(role.decl.count)} = ${nodes}`;
}

/** Every bound the model's budgets and quorums must meet, per run block, with the arithmetic spelt out. */
export function resilienceFacts(model: CheckedModel): ResilienceFact[] {
  const out: ResilienceFact[] = [];
  const relays = relaysByRole(model);
  const blocks: (ast.ScenarioDecl | ast.CheckDecl)[] = [...model.checks, ...model.scenarios].sort((a, b) => a.span.start - b.span.start);
  for (const block of blocks) {
    const run = block.kind === 'ScenarioDecl' ? block.name.name : block.name?.name || `check ${block.mode}`;
    const env = blockEnv(model, block);
    for (const item of block.items) {
      if (item.kind !== 'CrashBudget' && item.kind !== 'ByzantineBudget') continue;
      const k = evalConst(item.limit, env);
      if (!Number.isFinite(k) || k < 1) continue;
      if (item.role === null) {
        if (item.kind === 'ByzantineBudget') out.push(...wholeSystemFact(model, relays, run, env, item, k));
        continue;
      }
      const role = model.roleByName.get(item.role.name);
      if (role === undefined) continue;
      const n = roleCount(role, env);
      if (!Number.isFinite(n)) continue;
      const uses = new Set([...constantsUsed(model, item.limit), ...constantsUsed(model, role.decl.count)]);
      const has = `${role.name} has ${countText(role, n)}`;
      if (item.kind === 'CrashBudget') {
        if (!role.replicated) continue;
        const need = k + 1;
        out.push({ run, text: `tolerating ${k} crash${k === 1 ? '' : 'es'} of ${role.name} needs k+1 = ${need} replicas; ${has}`, met: n >= need, uses, role: role.name, needed: need });
      } else if (relays.has(role.name) && !relaysOrally(model, relays, role.name)) {
        out.push({ run, text: `${role.name} relays only signed messages, so the 3f+1 bound of oral messages does not apply (f = ${k}); ${has}`, met: true, uses, role: role.name, needed: null });
      } else if (relays.has(role.name)) {
        const need = 3 * k + 1;
        out.push({ run, text: `Byzantine agreement with f = ${k} needs 3f+1 = ${need} nodes; ${has}`, met: n >= need, uses, role: role.name, needed: need });
      } else {
        const need = 2 * k + 1;
        out.push({ run, text: `masking f = ${k} Byzantine replicas by voting needs 2f+1 = ${need} nodes; ${has}`, met: n >= need, uses, role: role.name, needed: need });
      }
    }
  }
  // Quorum intersection with default params.
  const byRole = new Map<string, CheckedModel['quorums']>();
  for (const q of model.quorums) byRole.set(q.role, [...(byRole.get(q.role) ?? []), q]);
  for (const [roleName, quorums] of byRole) {
    const role = model.roleByName.get(roleName);
    if (role === undefined || !Number.isFinite(role.count)) continue;
    const n = role.count;
    const roleUses = constantsUsed(model, role.decl.count);
    const reads = quorums.filter((q) => q.access === 'read' && Number.isFinite(q.size));
    const writes = quorums.filter((q) => q.access === 'write' && Number.isFinite(q.size));
    for (const r of reads) {
      for (const w of writes) {
        const sum = r.size + w.size;
        const uses = new Set([r.name, w.name, ...roleUses, ...constantsUsed(model, r.decl.size), ...constantsUsed(model, w.decl.size)]);
        out.push({ run: null, text: `${r.name} + ${w.name} = ${r.size} + ${w.size} = ${sum} ${sum > n ? '>' : '<='} N = ${n}: a read and a write quorum of ${roleName} ${sum > n ? 'always intersect' : 'need not intersect'}`, met: sum > n, uses, role: roleName, needed: null });
      }
    }
    for (const w of writes) {
      const twice = 2 * w.size;
      const uses = new Set([w.name, ...roleUses, ...constantsUsed(model, w.decl.size)]);
      out.push({ run: null, text: `2·${w.name} = ${twice} ${twice > n ? '>' : '<='} N = ${n}: two write quorums of ${roleName} ${twice > n ? 'always intersect' : 'need not intersect'}`, met: twice > n, uses, role: roleName, needed: null });
    }
  }
  return out;
}
