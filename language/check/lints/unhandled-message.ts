import { diagnostic, type Diagnostic } from '../../diagnostic.js';
import type { LintInput } from './lint.js';

/**
 * FTP301: a `send`/`broadcast` of M to a role with no handler for M. Only when the
 * receiving role is known statically: a role name, `R[i]`, or a value of type R.
 */
export function lintUnhandledMessages({ model, facts }: LintInput): Diagnostic[] {
  const handled = new Set<string>();
  for (const role of model.roles) {
    for (const handler of role.handlers) if (handler.message !== null) handled.add(`${role.name}\u0000${handler.message}`);
  }
  const out: Diagnostic[] = [];
  for (const site of facts.sends) {
    if (site.targetRole === null || !model.roleByName.has(site.targetRole)) continue;
    if (handled.has(`${site.targetRole}\u0000${site.message}`)) continue;
    const verb = site.stmt.kind === 'SendStmt' ? 'sent' : 'broadcast';
    const warning = diagnostic('FTP301', 'warning', `${site.targetRole} has no handler for ${site.message}, so the message ${verb} here is never received`, site.stmt.message.span);
    warning.data = { role: site.targetRole, message: site.message };
    out.push(warning);
  }
  return out;
}
