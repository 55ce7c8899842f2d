import type { CheckedModel } from '../check/model.js';
import type { Span } from '../span.js';
import { occurrencesOf, symbolAt } from './locate.js';

/** Every occurrence of the name under the cursor, in source order (its declaration first when asked for). */
export function referencesAt(model: CheckedModel, offset: number, includeDeclaration: boolean): Span[] {
  const hit = symbolAt(model, offset);
  return hit === null ? [] : occurrencesOf(model, hit.definition, includeDeclaration);
}

/** The occurrences of the name under the cursor, for highlighting it in the editor. */
export function highlightsAt(model: CheckedModel, offset: number): { span: Span; write: boolean }[] {
  const hit = symbolAt(model, offset);
  if (hit === null) return [];
  const decl = hit.definition.nameSpan;
  return occurrencesOf(model, hit.definition, true).map((span) => ({ span, write: span.start === decl.start && span.end === decl.end }));
}
