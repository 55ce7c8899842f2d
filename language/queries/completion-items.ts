import type { CheckedModel, RoleInfo } from '../check/model.js';
import { printExpr } from '../check/print.js';
import { typeToString } from '../check/types.js';
import { keywordDocs } from './keyword-docs.js';

/** Completion items of each kind of name, each with a one-line detail. */

/** What a completion item is; the server maps each kind to an LSP CompletionItemKind. */
export type CompletionKind =
  | 'keyword'
  | 'message'
  | 'role'
  | 'state'
  | 'param'
  | 'quorum'
  | 'label'
  | 'local'
  | 'timer'
  | 'field'
  | 'property'
  | 'type'
  | 'builtin';

export interface CompletionItem {
  label: string;
  kind: CompletionKind;
  /** One line shown next to the label: a type, a value, fields. */
  detail: string;
  /** Text to insert instead of the label (plain text, no snippet syntax). */
  insertText?: string;
}

const typeKeywords = ['bool', 'int', 'node', 'set', 'map', 'seq'];

export function keywords(words: readonly string[]): CompletionItem[] {
  return words.map((label) => {
    const doc = keywordDocs[label.split(' ')[0]!];
    return { label, kind: 'keyword', detail: doc !== undefined ? doc.split(':')[0]!.replace(/`/g, '') : 'keyword' };
  });
}

export function messages(model: CheckedModel): CompletionItem[] {
  return model.messages.map((m) => ({
    label: m.name,
    kind: 'message',
    detail: m.fields.length > 0 ? `message ${m.name}(${m.fields.map((f) => `${f.name}: ${typeToString(f.type)}`).join(', ')})` : `message ${m.name}`,
  }));
}

export function roles(model: CheckedModel): CompletionItem[] {
  return model.roles.map((r) => ({
    label: r.name,
    kind: 'role',
    detail: r.replicated ? `node ${r.name}[${r.decl.count ? printExpr(r.decl.count) : '?'}]` : `node ${r.name}`,
  }));
}

/** Roles and `Role[i]` node names, for scripted faults and targets in scenarios. */
export function nodes(model: CheckedModel): CompletionItem[] {
  const out = roles(model);
  for (const r of model.roles) {
    if (!r.replicated || !Number.isFinite(r.count)) continue;
    for (let i = 1; i <= Math.min(r.count, 8); i++) out.push({ label: `${r.name}[${i}]`, kind: 'role', detail: `node ${i} of ${r.name}` });
  }
  return out;
}

export function params(model: CheckedModel): CompletionItem[] {
  return model.params.map((p) => ({ label: p.name, kind: 'param', detail: `param ${p.name} = ${printExpr(p.decl.value)}` }));
}

export function properties(model: CheckedModel): CompletionItem[] {
  return model.properties.map((p) => ({ label: p.name, kind: 'property', detail: p.property }));
}

export function timers(role: RoleInfo | null): CompletionItem[] {
  if (role === null) return [];
  return role.timers.map((name) => ({ label: name, kind: 'timer', detail: `timer of ${role.name}` }));
}

export function stateItems(role: RoleInfo): CompletionItem[] {
  return role.states.map((s) => ({ label: s.name, kind: 'state', detail: `${s.stable ? 'stable ' : ''}${s.name}: ${typeToString(s.type)}` }));
}

/** States of the role whose values are node ids (or sets of them): targets of `send ... to`. */
export function nodeStates(role: RoleInfo | null): CompletionItem[] {
  if (role === null) return [];
  return stateItems(role).filter((_, i) => {
    const type = role.states[i]!.type;
    return type.kind === 'node' || (type.kind === 'set' && type.element.kind === 'node');
  });
}

export function types(model: CheckedModel): CompletionItem[] {
  const aliases = [...model.typeAliases.entries()].map(([name, type]) => ({ label: name, kind: 'type' as const, detail: `type ${name} = ${typeToString(type)}` }));
  const shapes: Record<string, string> = { set: 'set<T>', map: 'map<K, V>', seq: 'seq<T>', node: 'the id of any node' };
  const builtins: CompletionItem[] = typeKeywords.map((w) => ({ label: w, kind: 'keyword', detail: shapes[w] ?? 'type' }));
  return [...builtins, ...aliases, ...roles(model).map((r) => ({ ...r, detail: `${r.detail} (a node id)` }))];
}
