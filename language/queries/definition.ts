import type { CheckedModel } from '../check/model.js';
import type { Span } from '../span.js';
import { symbolAt } from './locate.js';

/** Where the name under the cursor is declared: the declaring identifier's span, or none. */
export function definitionAt(model: CheckedModel, offset: number): Span[] {
  const hit = symbolAt(model, offset);
  return hit === null ? [] : [hit.definition.nameSpan];
}
