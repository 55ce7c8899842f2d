import type * as ast from '../../ast.js';
import { diagnostic, type Diagnostic } from '../../diagnostic.js';
import { evalConst, roleCount, type ConstEnv } from '../const-eval.js';
import type { CheckedModel, RoleInfo } from '../model.js';
import { printCount, printExpr } from '../print.js';
import { envOf, runBlocks, type LintInput } from './lint.js';

/**
 * FTP304 / FTP305: `byzantine up to f [of R]`. When nodes relay messages to peers
 * of their own role they must agree among themselves: with oral (unsigned)
 * messages Byzantine agreement needs 3f+1 nodes (FTP305), counted over R, or
 * over every node when the budget names no role. Signed relays lift that bound.
 * Replicas that only answer another role, which masks f liars by majority vote,
 * need 2f+1 (FTP304).
 */
export function lintByzantineReplicas(input: LintInput): Diagnostic[] {
  const { model, facts } = input;
  // Messages each role sends to its own role: the relays of an agreement.
  const relays = new Map<string, Set<string>>();
  for (const site of facts.sends) {
    if (site.targetRole !== site.role) continue;
    const set = relays.get(site.role);
    if (set) set.add(site.message);
    else relays.set(site.role, new Set([site.message]));
  }
  const oral = (role: string): boolean => [...(relays.get(role) ?? [])].some((name) => !isSigned(model, name));
  const out: Diagnostic[] = [];
  for (const block of runBlocks(model)) {
    let env: ConstEnv | null = null;
    for (const item of block.items) {
      if (item.kind !== 'ByzantineBudget') continue;
      env ??= envOf(input, block);
      const f = evalConst(item.limit, env);
      if (!Number.isFinite(f) || f < 1) continue;
      const warning = item.role === null ? checkWholeSystem(model, item, f, env, oral) : checkRole(model, item, f, env, relays, oral);
      if (warning) out.push(warning);
    }
  }
  return out;
}

/** A message whose every field is signed cannot be forged by a relay. */
function isSigned(model: CheckedModel, name: string): boolean {
  const message = model.messageByName.get(name);
  return message !== undefined && message.fields.length > 0 && message.fields.every((field) => field.signed);
}

function checkRole(
  model: CheckedModel,
  item: ast.ByzantineBudget,
  f: number,
  env: ConstEnv,
  relays: Map<string, Set<string>>,
  oral: (role: string) => boolean,
): Diagnostic | null {
  const role = model.roleByName.get(item.role!.name);
  if (role === undefined) return null;
  const n = roleCount(role, env);
  if (!Number.isFinite(n)) return null;
  const has = `${role.name} has ${printCount(role.decl.count, n)}`;
  if (relays.has(role.name)) {
    if (!oral(role.name) || n >= 3 * f + 1) return null;
    return withData(diagnostic('FTP305', 'warning', `Byzantine agreement with f = ${f} needs 3f+1 = ${3 * f + 1} nodes; ${has}`, item.span), role.name, 3 * f + 1);
  }
  if (n >= 2 * f + 1) return null;
  return withData(
    diagnostic('FTP304', 'warning', `masking f = ${f} Byzantine replicas by voting needs 2f+1 = ${2 * f + 1} nodes; ${has}`, item.span),
    role.name,
    2 * f + 1,
  );
}

/** Quick-fix facts: which role to grow, and to how many nodes. */
function withData(warning: Diagnostic, role: string, needed: number): Diagnostic {
  warning.data = { role, needed };
  return warning;
}

/** `byzantine up to f` with no role: any node may be a traitor, so count them all. */
function checkWholeSystem(model: CheckedModel, item: ast.ByzantineBudget, f: number, env: ConstEnv, oral: (role: string) => boolean): Diagnostic | null {
  if (!model.roles.some((role) => oral(role.name))) return null;
  let total = 0;
  const parts: string[] = [];
  let grow: { role: RoleInfo; n: number } | null = null;
  for (const role of model.roles) {
    const n = roleCount(role, env);
    if (!Number.isFinite(n)) return null;
    total += n;
    parts.push(describePart(role, n));
    if (grow === null && role.replicated && oral(role.name)) grow = { role, n };
  }
  if (total >= 3 * f + 1) return null;
  const warning = diagnostic(
    'FTP305',
    'warning',
    `Byzantine agreement with f = ${f} needs 3f+1 = ${3 * f + 1} nodes; there are ${total} (${parts.join(' + ')})`,
    item.span,
  );
  // The fix grows the role whose nodes relay to each other by the missing number.
  return grow === null ? warning : withData(warning, grow.role.name, grow.n + 3 * f + 1 - total);
}

function describePart(role: RoleInfo, n: number): string {
  const count = role.decl.count;
  if (count === null || count.kind === 'IntLit') return `${role.name} ${n}`;
  return `${role.name} ${printExpr(count)} = ${n}`;
}
