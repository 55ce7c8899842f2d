import { diagnostic, type Diagnostic } from '../../diagnostic.js';
import { evalConst, roleCount, type ConstEnv } from '../const-eval.js';
import { printCount } from '../print.js';
import { envOf, runBlocks, type LintInput } from './lint.js';

/**
 * FTP303: `crash up to k of R` with k >= |R| under the block's overrides: every
 * replica may crash, so nothing is tolerated. Single-node roles are left alone:
 * crashing the one coordinator is what a blocking demo is about.
 */
export function lintCrashReplicas(input: LintInput): Diagnostic[] {
  const { model } = input;
  const out: Diagnostic[] = [];
  for (const block of runBlocks(model)) {
    let env: ConstEnv | null = null;
    for (const item of block.items) {
      if (item.kind !== 'CrashBudget' || item.role === null) continue;
      const role = model.roleByName.get(item.role.name);
      if (role === undefined || !role.replicated) continue;
      env ??= envOf(input, block);
      const k = evalConst(item.limit, env);
      const n = roleCount(role, env);
      if (!Number.isFinite(k) || !Number.isFinite(n) || k < n || k < 1) continue;
      const warning = diagnostic(
        'FTP303',
        'warning',
        `tolerating ${k} crash${k === 1 ? '' : 'es'} needs ${k + 1} replicas; ${role.name} has ${printCount(role.decl.count, n)}, needs ${k + 1}`,
        item.span,
      );
      warning.data = { role: role.name, needed: k + 1 };
      out.push(warning);
    }
  }
  return out;
}
