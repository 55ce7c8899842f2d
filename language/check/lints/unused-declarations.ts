import { diagnostic, type Diagnostic } from '../../diagnostic.js';
import type { Definition } from '../model.js';
import type { LintInput } from './lint.js';

/**
 * FTP308: a param, message or state declared and never used. Any use counts (a
 * write, a read in an invariant, a `with` override, a handler). Quiet while the
 * file has errors: an unresolved name would make its target look unused.
 */
export function lintUnusedDeclarations({ model, facts, symbols, hasErrors }: LintInput): Diagnostic[] {
  if (hasErrors) return [];
  const out: Diagnostic[] = [];
  const unused = (definition: Definition | undefined, what: string): void => {
    if (definition === undefined || (facts.useCounts.get(definition) ?? 0) > 0) return;
    out.push(diagnostic('FTP308', 'warning', `${what} is declared but never used`, definition.nameSpan));
  };
  for (const param of model.params) unused(symbols.globals.get(param.name), `param '${param.name}'`);
  for (const message of model.messages) unused(symbols.globals.get(message.name), `message '${message.name}'`);
  for (const role of model.roles) {
    const states = symbols.states.get(role);
    for (const state of role.states) unused(states?.get(state.name)?.definition, `state '${state.name}' of ${role.name}`);
  }
  return out;
}
