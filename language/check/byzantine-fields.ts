import type { Span } from '../span.js';
import { error, type Checker } from './context.js';
import type { RoleInfo } from './model.js';
import { unboundedPart } from './types.js';

/**
 * A Byzantine node may send any well-typed message its role sends, with any
 * field values, so every field of those messages needs finitely many values
 * (FTP214). Reported once per budget or scripted fault, naming the first field.
 */
export function checkByzantineFields(c: Checker, role: RoleInfo, span: Span): void {
  for (const message of c.facts.sentBy.get(role.name) ?? []) {
    for (const field of message.fields) {
      const unbounded = unboundedPart(field.type);
      if (unbounded === null) continue;
      error(
        c,
        'FTP214',
        `a Byzantine ${role.name} may put any value in ${message.name}.${field.name}, but ${unbounded}; give the field a finite type${unbounded.startsWith('int') ? ', like a range 0..3' : ''}`,
        span,
      );
      return;
    }
  }
}
