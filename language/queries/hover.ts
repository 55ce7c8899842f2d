import type { Analysis } from '../analyze.js';
import type * as ast from '../ast.js';
import type { CheckedModel, Definition, RoleInfo } from '../check/model.js';
import { printExpr } from '../check/print.js';
import { typeToString } from '../check/types.js';
import type { Span } from '../span.js';
import { lexFtp } from '../syntax/lexer.js';
import * as t from '../syntax/tokens.js';
import { walkAst } from '../walk.js';
import { keywordDocs } from './keyword-docs.js';
import { innermost, nodePathAt, symbolAt, touches } from './locate.js';
import { resilienceFacts } from './resilience.js';
import { handlerLabel, sourceOf } from './symbols.js';

/** A hover: Markdown about the thing at `span`. */
export interface Hover {
  span: Span;
  markdown: string;
}

const fence = (code: string): string => `\`\`\`ftp\n${code}\n\`\`\``;
const code = (text: string): string => `\`${text.replace(/`/g, "'")}\``;
const bullets = (lines: readonly string[]): string => lines.map((l) => `- ${l}`).join('\n');

/** What the thing under the cursor is, in a few lines of Markdown; null when there is nothing to say. */
export function hoverAt(analysis: Analysis, text: string, offset: number): Hover | null {
  const model = analysis.model;
  const hit = symbolAt(model, offset);
  if (hit !== null) {
    const markdown = describeDefinition(model, text, hit.definition);
    return markdown === null ? null : { span: hit.span, markdown };
  }
  const path = nodePathAt(analysis.file, offset);
  const name = innermost(path, 'NameExpr');
  if (name !== null && touches(name.span, offset)) {
    const ref = model.refs.get(name);
    if (ref?.kind === 'label') return { span: name.span, markdown: describeLabel(model, ref.name) };
    if (ref?.kind === 'event') return { span: name.span, markdown: keywordDocs[ref.name] ?? '' };
  }
  const ident = path[path.length - 1];
  if (ident?.kind === 'Ident') {
    const parent = path[path.length - 2];
    if (parent?.kind === 'EnumType') return { span: ident.span, markdown: describeLabel(model, ident.name) };
    if (parent?.kind === 'CallExpr' && keywordDocs[ident.name]) return { span: ident.span, markdown: keywordDocs[ident.name]! };
    if (parent?.kind === 'FieldExpr' && keywordDocs[ident.name]) return { span: ident.span, markdown: keywordDocs[ident.name]! };
    if (parent?.kind === 'ProtocolFile') return { span: ident.span, markdown: describeProtocol(model) };
  }
  return keywordHover(text, offset);
}

function keywordHover(text: string, offset: number): Hover | null {
  // Lex only the line around the cursor: hover must stay cheap on large files.
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  const lineEndAt = text.indexOf('\n', offset);
  const lineEnd = lineEndAt < 0 ? text.length : lineEndAt;
  const line = text.slice(lineStart, lineEnd);
  for (const tok of lexFtp(line).tokens) {
    const start = lineStart + tok.startOffset;
    const span = { start, end: start + tok.image.length };
    if (!touches(span, offset)) continue;
    const isKeyword = t.reservedKeywordTokens.includes(tok.tokenType) || t.contextualKeywordTokens.includes(tok.tokenType) || tok.tokenType === t.NotIn;
    const doc = keywordDocs[tok.image.replace(/\s+/g, ' ')];
    if (!isKeyword || doc === undefined) continue;
    // The line may sit inside a block comment that starts above it.
    if (lexFtp(text).comments.some((c) => c.startOffset < start && start < c.startOffset + c.image.length)) return null;
    return { span, markdown: doc };
  }
  return null;
}

function describeDefinition(model: CheckedModel, text: string, d: Definition): string | null {
  switch (d.kind) {
    case 'role': {
      const role = model.roleByName.get(d.name);
      return role ? describeRole(model, text, role) : null;
    }
    case 'message':
      return describeMessage(model, text, d.name);
    case 'param':
    case 'quorum':
      return describeConstant(model, text, d);
    case 'state':
      return describeState(model, text, d);
    case 'field':
      return describeField(model, text, d);
    case 'timer':
      return describeTimer(model, text, d);
    case 'property':
      return describeProperty(model, text, d.name);
    case 'scenario':
    case 'check':
      return describeRun(model, text, d);
    case 'type': {
      const alias = model.typeAliases.get(d.name);
      return `**type** ${code(d.name)}${alias ? ` = ${code(typeToString(alias))}` : ''}`;
    }
    case 'local':
      return describeLocal(model, d);
  }
}

function describeProtocol(model: CheckedModel): string {
  const count = (n: number, noun: string): string => `${n} ${noun}${n === 1 ? '' : 's'}`;
  return `**protocol** ${code(model.name)}: ${count(model.roles.length, 'role')}, ${count(model.messages.length, 'message')}, ${count(model.properties.length, 'property').replace('propertys', 'properties')}, ${count(model.scenarios.length, 'scenario')}, ${count(model.checks.length, 'check')}`;
}

function nodeCount(role: RoleInfo): string {
  if (!role.replicated) return 'a single node';
  const n = Number.isFinite(role.count) ? `${role.count} node${role.count === 1 ? '' : 's'}` : 'nodes';
  return role.decl.count && role.decl.count.kind !== 'IntLit' ? `${printExpr(role.decl.count)} = ${n}` : n;
}

function describeRole(model: CheckedModel, text: string, role: RoleInfo): string {
  const head = `**node** ${code(role.replicated && role.decl.count ? `${role.name}[${printExpr(role.decl.count)}]` : role.name)}: ${nodeCount(role)}`;
  const parts = [head];
  if (role.states.length > 0) {
    parts.push(`State (${role.states.filter((s) => s.stable).length} stable, survives a crash):`);
    parts.push(fence(role.states.map((s) => sourceOf(text, s.decl.span)).join('\n')));
  } else parts.push('No state.');
  if (role.handlers.length > 0) {
    parts.push(`Handlers:\n${bullets(role.handlers.map((h) => code(handlerLabel(h.decl) + (h.decl.guard ? ` when ${printExpr(h.decl.guard)}` : ''))))}`);
  }
  if (role.timers.length > 0) parts.push(`Timers: ${role.timers.map(code).join(', ')}`);
  const sends = new Set<string>();
  for (const m of model.messages) if (m.senders.includes(role.name)) sends.add(m.name);
  if (sends.size > 0) parts.push(`Sends: ${[...sends].map(code).join(', ')}`);
  return parts.join('\n\n');
}

function handlersOf(model: CheckedModel, message: string): string[] {
  const out: string[] = [];
  for (const role of model.roles) {
    for (const h of role.handlers) if (h.message === message) out.push(`${role.name} ${code(handlerLabel(h.decl))}`);
  }
  return out;
}

function describeMessage(model: CheckedModel, text: string, name: string): string | null {
  const message = model.messageByName.get(name);
  if (!message) return null;
  const fields = message.fields.map((f) => `${f.signed ? 'signed ' : ''}${f.name}: ${sourceOf(text, f.decl.type.span)}`);
  const parts = [`**message** ${code(fields.length > 0 ? `${name} { ${fields.join(', ')} }` : name)}`];
  parts.push(message.senders.length > 0 ? `Sent by: ${message.senders.map(code).join(', ')}` : 'Sent by: no node');
  const handlers = handlersOf(model, name);
  parts.push(handlers.length > 0 ? `Handled by:\n${bullets(handlers)}` : 'Handled by: no node');
  return parts.join('\n\n');
}

function describeConstant(model: CheckedModel, text: string, d: Definition): string {
  const parts: string[] = [];
  if (d.kind === 'param') {
    const param = model.paramByName.get(d.name);
    const value = param && Number.isFinite(param.value) ? param.value : null;
    const expr = param ? printExpr(param.decl.value) : '?';
    parts.push(`**param** ${code(`${d.name} = ${expr}`)}${value !== null && expr !== String(value) ? ` = ${value}` : ''}`);
    const counts = model.roles.filter((r) => r.decl.count !== null && usesName(r.decl.count, d.name));
    if (counts.length > 0) parts.push(`Node counts: ${counts.map((r) => `${code(r.name)} has ${nodeCount(r)}`).join('; ')}`);
  } else {
    const quorum = model.quorumByName.get(d.name);
    if (quorum) {
      parts.push(`**quorum** ${code(`${quorum.access} ${d.name} = ${printExpr(quorum.decl.size)} of ${quorum.role}`)}${Number.isFinite(quorum.size) ? `: ${quorum.size} nodes` : ''}`);
    }
  }
  const facts = resilienceFacts(model).filter((f) => f.uses.has(d.name));
  if (facts.length > 0) {
    parts.push(`Resilience:\n${bullets(facts.map((f) => `${f.run ? `${code(f.run)}: ` : ''}${f.text} ${f.met ? '✓' : '✗ (not met)'}`))}`);
  }
  return parts.join('\n\n');
}

function usesName(expr: ast.Expr, name: string): boolean {
  let found = false;
  walkAst(expr, (node) => {
    if (node.kind === 'NameExpr' && node.name === name) found = true;
  });
  return found;
}

function writersOf(model: CheckedModel, role: RoleInfo, state: string): string[] {
  const out: string[] = [];
  for (const h of role.handlers) {
    let writes = false;
    walkAst(h.decl.body, (node) => {
      if (node.kind !== 'AssignStmt') return;
      const ref = model.refs.get(node);
      if (ref?.kind === 'state' && ref.name === state) writes = true;
    });
    if (writes) out.push(code(handlerLabel(h.decl)));
  }
  return out;
}

function describeState(model: CheckedModel, text: string, d: Definition): string | null {
  const role = d.container ? model.roleByName.get(d.container) : undefined;
  const state = role?.states.find((s) => s.name === d.name);
  if (!role || !state) return null;
  const parts = [`**state** of ${code(role.name)}`, fence(sourceOf(text, state.decl.span))];
  parts.push(state.stable ? 'Stable: on disk, it survives a crash.' : 'Volatile: lost on a crash and re-initialised when the node recovers.');
  const writers = writersOf(model, role, d.name);
  parts.push(writers.length > 0 ? `Written by: ${writers.join(', ')}` : 'Never written: it keeps its initial value.');
  return parts.join('\n\n');
}

function describeField(model: CheckedModel, text: string, d: Definition): string | null {
  const message = d.container ? model.messageByName.get(d.container) : undefined;
  const field = message?.fields.find((f) => f.name === d.name);
  if (!message || !field) return null;
  const parts = [`**field** of message ${code(message.name)}`, fence(`${field.signed ? 'signed ' : ''}${field.name}: ${sourceOf(text, field.decl.type.span)}`)];
  if (field.signed) parts.push('Signed: a Byzantine relay cannot alter it.');
  return parts.join('\n\n');
}

function describeTimer(model: CheckedModel, text: string, d: Definition): string | null {
  const role = d.container ? model.roleByName.get(d.container) : undefined;
  if (!role) return null;
  const sets: string[] = [];
  for (const h of role.handlers) {
    walkAst(h.decl.body, (node) => {
      if (node.kind === 'SetTimerStmt' && node.timer.name === d.name) sets.push(`${code(`set timer ${d.name} after ${printExpr(node.after)}`)} in ${code(handlerLabel(h.decl))}`);
    });
  }
  const fires = role.handlers.filter((h) => h.timer === d.name).map((h) => code(handlerLabel(h.decl) + (h.decl.guard ? ` when ${printExpr(h.decl.guard)}` : '')));
  const parts = [`**timer** ${code(d.name)} of ${code(role.name)}`];
  if (sets.length > 0) parts.push(`Set by:\n${bullets(sets)}`);
  parts.push(fires.length > 0 ? `Fires: ${fires.join(', ')}` : 'No `on timeout` handler: firing it does nothing.');
  parts.push(model.network.timing === 'sync' ? 'In a `sync` network it fires exactly when its time has passed.' : 'In an `async` network it may fire at any time after it is set (a slow node can be falsely suspected).');
  return parts.join('\n\n');
}

function describeProperty(model: CheckedModel, text: string, name: string): string | null {
  const property = model.propertyByName.get(name);
  if (!property) return null;
  const body = sourceOf(text, property.decl.body.span);
  const what = property.property === 'invariant' ? 'must hold in every reachable state' : 'must hold at the end of every run';
  const parts = [`**${property.property}** ${code(name)}: ${what}`, fence(body.length > 400 ? `${body.slice(0, 400)}…` : body)];
  const expectations: string[] = [];
  for (const block of [...model.scenarios, ...model.checks]) {
    for (const item of block.items) {
      if (item.kind === 'Expectation' && item.property.name === name) {
        const run = block.kind === 'ScenarioDecl' ? block.name.name : block.name?.name || `check ${block.mode}`;
        expectations.push(`${code(run)}: expected to be ${item.outcome === 'holds' ? 'held' : 'violated'}`.replace('to be held', 'to hold'));
      }
    }
  }
  if (expectations.length > 0) parts.push(`Expectations:\n${bullets(expectations)}`);
  return parts.join('\n\n');
}

function describeRun(model: CheckedModel, text: string, d: Definition): string {
  const block = [...model.scenarios, ...model.checks].find((b) => b.name?.span.start === d.nameSpan.start);
  const parts = [`**${d.kind}** ${code(d.name)}`];
  if (block) {
    const faults: string[] = [];
    const expects: string[] = [];
    for (const item of block.items as readonly (ast.RunSetting | ast.ScriptedFault)[]) {
      if (item.kind === 'Expectation') expects.push(`${code(item.property.name)} ${item.outcome}`);
      else if (item.kind !== 'ParamOverride' && item.kind !== 'BoundSetting') faults.push(code(sourceOf(text, item.span)));
    }
    if (faults.length > 0) parts.push(`Faults: ${faults.join(', ')}`);
    parts.push(`Expects: ${expects.length > 0 ? expects.join(', ') : 'every property holds'}`);
  }
  return parts.join('\n\n');
}

function describeLocal(model: CheckedModel, d: Definition): string {
  let type: string | null = null;
  for (const [node, ref] of model.refs) {
    if (ref.kind !== 'local' || ref.decl.span.start !== d.nameSpan.start || node.kind !== 'NameExpr') continue;
    const found = model.types.get(node);
    if (found) type = typeToString(found);
    break;
  }
  return `**local** ${code(type ? `${d.name}: ${type}` : d.name)}${d.container ? ` in ${code(d.container)}` : ''}`;
}

function describeLabel(model: CheckedModel, label: string): string {
  const owners: string[] = [];
  for (const role of model.roles) {
    for (const s of role.states) {
      const type = s.type.kind === 'set' || s.type.kind === 'seq' ? s.type.element : s.type;
      if (type.kind === 'enum' && type.labels.includes(label)) owners.push(code(`${role.name}.${s.name}`));
    }
  }
  return `**label** ${code(label)}${owners.length > 0 ? `: a value of ${owners.join(', ')}` : ''}`;
}
