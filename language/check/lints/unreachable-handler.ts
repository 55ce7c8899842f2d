import { diagnostic, type Diagnostic } from '../../diagnostic.js';
import type { MessageTrigger } from '../../ast.js';
import type { LintInput } from './lint.js';

/**
 * FTP302: a message handler for a message no role sends, or sends only to other
 * roles (when every send of it has a statically known target), or whose `from R`
 * names a role that never sends it. (A timeout for a timer never set is already FTP205.)
 * Quiet while the file has errors: a misspelt send would make its handler look dead.
 */
export function lintUnreachableHandlers({ model, facts, hasErrors }: LintInput): Diagnostic[] {
  if (hasErrors) return [];
  // Roles each message is sent to; null when some send's target is not known statically.
  const targets = new Map<string, Set<string> | null>();
  for (const site of facts.sends) {
    const known = targets.get(site.message);
    if (site.targetRole === null) targets.set(site.message, null);
    else if (known === undefined) targets.set(site.message, new Set([site.targetRole]));
    else known?.add(site.targetRole);
  }
  const out: Diagnostic[] = [];
  for (const role of model.roles) {
    for (const handler of role.handlers) {
      if (handler.message === null || handler.decl.trigger.kind !== 'MessageTrigger') continue;
      const message = model.messageByName.get(handler.message);
      if (message === undefined) continue;
      const trigger: MessageTrigger = handler.decl.trigger;
      if (message.senders.length === 0) {
        out.push(diagnostic('FTP302', 'warning', `no node ever sends ${message.name}, so this handler never runs`, trigger.message.span));
      } else if (targets.get(message.name)?.has(role.name) === false) {
        const to = [...targets.get(message.name)!].sort().join(', ');
        out.push(diagnostic('FTP302', 'warning', `${message.name} is only sent to ${to}, so this handler in ${role.name} never runs`, trigger.message.span));
      } else if (handler.fromRole !== null && !message.senders.includes(handler.fromRole)) {
        const senders = message.senders.join(', ');
        out.push(
          diagnostic('FTP302', 'warning', `${handler.fromRole} never sends ${message.name} (only ${senders} ${message.senders.length === 1 ? 'does' : 'do'}), so this handler never runs`, trigger.from?.span ?? trigger.span),
        );
      }
    }
  }
  return out;
}
