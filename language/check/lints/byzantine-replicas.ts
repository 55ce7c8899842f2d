import { diagnostic, type Diagnostic } from '../../diagnostic.js';
import { evalConst, roleCount, type ConstEnv } from '../const-eval.js';
import { printCount } from '../print.js';
import { envOf, runBlocks, type LintInput } from './lint.js';

/**
 * FTP304 / FTP305: `byzantine up to f of R`. When the nodes of R message each
 * other they must agree among themselves: Byzantine agreement needs 3f+1 nodes
 * (FTP305). Otherwise they are replicas answering another role, which masks f
 * liars by majority vote: 2f+1 (FTP304).
 */
export function lintByzantineReplicas(input: LintInput): Diagnostic[] {
  const { model, facts } = input;
  const talksToItself = new Set<string>();
  for (const site of facts.sends) if (site.targetRole === site.role) talksToItself.add(site.role);
  const out: Diagnostic[] = [];
  for (const block of runBlocks(model)) {
    let env: ConstEnv | null = null;
    for (const item of block.items) {
      if (item.kind !== 'ByzantineBudget' || item.role === null) continue;
      const role = model.roleByName.get(item.role.name);
      if (role === undefined) continue;
      env ??= envOf(input, block);
      const f = evalConst(item.limit, env);
      const n = roleCount(role, env);
      if (!Number.isFinite(f) || !Number.isFinite(n) || f < 1) continue;
      const has = `${role.name} has ${printCount(role.decl.count, n)}`;
      if (talksToItself.has(role.name)) {
        if (n < 3 * f + 1) {
          out.push(diagnostic('FTP305', 'warning', `Byzantine agreement with f = ${f} needs 3f+1 = ${3 * f + 1} nodes; ${has}`, item.span));
        }
      } else if (n < 2 * f + 1) {
        out.push(
          diagnostic('FTP304', 'warning', `masking f = ${f} Byzantine replicas by voting needs 2f+1 = ${2 * f + 1} nodes; ${has}`, item.span),
        );
      }
    }
  }
  return out;
}
