import type { Span } from '../span.js';
import { error, type Checker } from './context.js';
import type { RoleInfo } from './model.js';
import { typeToString, unboundedPart } from './types.js';

/**
 * A Byzantine node may send any well-typed message its role sends, with any
 * field values, so every field of those messages needs finitely many values
 * (FTP214). Reported once per budget or scripted fault, naming the first field.
 */
export function checkByzantineFields(c: Checker, role: RoleInfo, span: Span): void {
  for (const message of c.model.messages) {
    if (!message.senders.includes(role.name)) continue;
    for (const field of message.fields) {
      const unbounded = unboundedPart(field.type);
      if (unbounded === null) continue;
      error(
        c,
        'FTP214',
        `a Byzantine ${role.name} may send ${message.name} with any value, but field '${field.name}: ${typeToString(field.type)}' has no finite range (${unbounded}); give it a range like 0..3`,
        span,
      );
      return;
    }
  }
}
