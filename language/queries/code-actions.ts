import type { Analysis } from '../analyze.js';
import type * as ast from '../ast.js';
import type { CheckedModel } from '../check/model.js';
import { typeToString } from '../check/types.js';
import type { Diagnostic } from '../diagnostic.js';
import type { Span } from '../span.js';
import { walkAst } from '../walk.js';
import type { TextEdit } from './rename.js';

/**
 * Quick fixes for diagnostics: declare a missing message (FTP202), add a missing
 * handler (FTP301), raise a node count to the bound a resilience lint computed
 * (FTP303/304/305), and take a checker's "did you mean" suggestion. Facts come
 * from `Diagnostic.data` when the checker filled it, else from the message text.
 */

/** A diagnostic as the editor sends it back: enough to recognise it. */
export type FixableDiagnostic = Pick<Diagnostic, 'code' | 'message' | 'span'> & { data?: Diagnostic['data'] };

export interface QuickFix {
  title: string;
  /** Index of the diagnostic (in the list given) this fixes. */
  diagnostic: number;
  edits: TextEdit[];
  /** The fix to apply with one keystroke ("fix all" picks these). */
  preferred: boolean;
}

/** Every quick fix for the given diagnostics of `analysis`'s text. */
export function quickFixes(analysis: Analysis, text: string, diagnostics: readonly FixableDiagnostic[]): QuickFix[] {
  const out: QuickFix[] = [];
  diagnostics.forEach((d, index) => {
    const add = (title: string, edits: TextEdit[], preferred: boolean): void => {
      if (edits.length > 0) out.push({ title, diagnostic: index, edits, preferred });
    };
    const suggestion = /did you mean '([A-Za-z_][A-Za-z0-9_]*)'\?/.exec(d.message)?.[1];
    if (suggestion !== undefined && d.span.end > d.span.start) add(`Change to '${suggestion}'`, [{ span: d.span, newText: suggestion }], true);
    switch (d.code) {
      case 'FTP202': {
        const fix = declareMessage(analysis, text, d);
        if (fix) add(fix.title, fix.edits, suggestion === undefined);
        break;
      }
      case 'FTP301': {
        const fix = addHandler(analysis.model, text, d);
        if (fix) add(fix.title, fix.edits, true);
        break;
      }
      case 'FTP303':
      case 'FTP304':
      case 'FTP305':
        for (const [i, fix] of raiseNodeCount(analysis.model, text, d).entries()) add(fix.title, fix.edits, i === 0);
        break;
      default:
        break;
    }
  });
  return out;
}

interface Fix {
  title: string;
  edits: TextEdit[];
}

const identifier = /^[A-Za-z_][A-Za-z0-9_]*$/;

function nameIn(text: string, span: Span): string {
  return text.slice(span.start, span.end);
}

/** The end of the line holding `offset` (before its line break). */
function lineEnd(text: string, offset: number): number {
  const n = text.indexOf('\n', offset);
  return n < 0 ? text.length : n;
}

function lineStartOf(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

/** FTP202: `message M { fields }` with fields inferred from the sends and handlers that use M. */
function declareMessage(analysis: Analysis, text: string, d: FixableDiagnostic): Fix | null {
  const name = typeof d.data?.['message'] === 'string' ? d.data['message'] : nameIn(text, d.span);
  if (!identifier.test(name)) return null;
  const model = analysis.model;
  let fields: { name: string; type: string }[] | null = null;
  walkAst(analysis.file, (node) => {
    if (fields !== null) return;
    if ((node.kind === 'SendStmt' || node.kind === 'BroadcastStmt') && node.message.name === name && node.args.length > 0) {
      fields = node.args.map((arg, i) => {
        const type = model.types.get(arg.value);
        const printed = type && type.kind !== 'error' ? typeToString(type) : 'int';
        return { name: arg.name?.name ?? `field${i + 1}`, type: printed.includes('|') ? 'int' : printed };
      });
    } else if (node.kind === 'MessageTrigger' && node.message.name === name && node.params.length > 0) {
      fields = node.params.map((p) => ({ name: p.name, type: 'int' }));
    }
  });
  const list = fields as { name: string; type: string }[] | null;
  const body = list && list.length > 0 ? ` { ${list.map((f) => `${f.name}: ${f.type}`).join(', ')} }` : '';
  const decls = analysis.file.decls;
  const lastMessage = [...decls].reverse().find((x) => x.kind === 'MessageDecl');
  const anchor = lastMessage ?? [...decls].reverse().find((x) => x.kind === 'ParamDecl' || x.kind === 'TypeDecl');
  let edit: TextEdit;
  if (anchor) {
    const at = lineEnd(text, anchor.span.end);
    edit = { span: { start: at, end: at }, newText: `\nmessage ${name}${body}` };
  } else if (analysis.file.name) {
    const at = lineEnd(text, analysis.file.name.span.end);
    edit = { span: { start: at, end: at }, newText: `\n\nmessage ${name}${body}` };
  } else {
    edit = { span: { start: 0, end: 0 }, newText: `message ${name}${body}\n` };
  }
  return { title: `Declare message '${name}'`, edits: [edit] };
}

/** FTP301: an empty `on M(fields) { }` handler in the receiving role. */
function addHandler(model: CheckedModel, text: string, d: FixableDiagnostic): Fix | null {
  const parsed = /^(\w+) has no handler for (\w+)/.exec(d.message);
  const roleName = typeof d.data?.['role'] === 'string' ? d.data['role'] : parsed?.[1];
  const messageName = typeof d.data?.['message'] === 'string' ? d.data['message'] : parsed?.[2];
  const role = roleName ? model.roleByName.get(roleName) : undefined;
  const message = messageName ? model.messageByName.get(messageName) : undefined;
  if (!role || !message) return null;
  const taken = new Set([...role.states.map((s) => s.name), ...model.params.map((p) => p.name), ...model.quorums.map((q) => q.name), ...model.roles.map((r) => r.name), ...model.labels]);
  const params = message.fields.map((f) => (taken.has(f.name) ? `${f.name}_` : f.name));
  const trigger = `on ${message.name}${params.length > 0 ? `(${params.join(', ')})` : ''}`;
  const close = role.decl.span.end - 1;
  if (text.charAt(close) !== '}') return null;
  const indent = leadingSpace(text, role.decl.span.start);
  const inner = `${indent}  `;
  const ownLine = text.slice(lineStartOf(text, close), close).trim() === '';
  const edit: TextEdit = ownLine
    ? { span: { start: lineStartOf(text, close), end: lineStartOf(text, close) }, newText: `${inner}${trigger} {\n${inner}}\n` }
    : { span: { start: close, end: close }, newText: `\n${inner}${trigger} {\n${inner}}\n${indent}` };
  return { title: `Add a handler for ${message.name} to ${role.name}`, edits: [edit] };
}

function leadingSpace(text: string, offset: number): string {
  const start = lineStartOf(text, offset);
  return /^[ \t]*/.exec(text.slice(start, offset))![0];
}

/** FTP303/304/305: raise the role's count to the bound, in the param it comes from, or in the run's `with`. */
function raiseNodeCount(model: CheckedModel, text: string, d: FixableDiagnostic): Fix[] {
  const parsed = /needs (?:\d*[kf]\+1 = )?(\d+) (?:replicas|nodes); (\w+) has/.exec(d.message);
  const needed = typeof d.data?.['needed'] === 'number' ? d.data['needed'] : parsed ? Number(parsed[1]) : NaN;
  const roleName = typeof d.data?.['role'] === 'string' ? d.data['role'] : parsed?.[2];
  const role = roleName ? model.roleByName.get(roleName) : undefined;
  if (!role || !Number.isFinite(needed) || role.decl.count === null) return [];
  const block = [...model.checks, ...model.scenarios].find((b) => b.span.start <= d.span.start && d.span.end <= b.span.end) ?? null;
  const count = role.decl.count;
  const bound = boundName(d);
  const out: Fix[] = [];
  if (count.kind === 'IntLit') {
    out.push({ title: `Raise ${role.name} to ${needed} nodes (${bound})`, edits: [{ span: count.span, newText: String(needed) }] });
    return out;
  }
  if (count.kind !== 'NameExpr') return out;
  const param = model.paramByName.get(count.name);
  if (!param) return out;
  const override = block ? overrideOf(block, param.name) : null;
  if (override) {
    out.push({ title: `Raise ${param.name} to ${needed} in this run (${bound})`, edits: [{ span: override.value.span, newText: String(needed) }] });
    return out;
  }
  if (param.decl.value.kind === 'IntLit') {
    out.push({ title: `Raise ${param.name} to ${needed} (${bound})`, edits: [{ span: param.decl.value.span, newText: String(needed) }] });
  }
  if (block) {
    const edit = addOverride(text, block, param.name, needed);
    if (edit) out.push({ title: `Run with ${param.name} = ${needed} here (${bound})`, edits: [edit] });
  }
  return out;
}

function boundName(d: FixableDiagnostic): string {
  if (d.code === 'FTP305') return '3f+1';
  if (d.code === 'FTP304') return '2f+1';
  return 'k+1';
}

function overrideOf(block: ast.ScenarioDecl | ast.CheckDecl, name: string): ast.ParamOverride | null {
  for (const item of block.items as readonly (ast.RunSetting | ast.ScriptedFault)[]) {
    if (item.kind === 'ParamOverride' && item.name.name === name) return item;
  }
  return null;
}

/** `with N = v` as the first item of a run block. */
function addOverride(text: string, block: ast.ScenarioDecl | ast.CheckDecl, name: string, value: number): TextEdit | null {
  const open = text.indexOf('{', block.name?.span.end ?? block.span.start);
  if (open < 0 || open >= block.span.end) return null;
  const rest = text.slice(open + 1, lineEnd(text, open));
  if (rest.trim() === '') {
    const indent = `${leadingSpace(text, block.span.start)}  `;
    return { span: { start: open + 1, end: open + 1 }, newText: `\n${indent}with ${name} = ${value}` };
  }
  return { span: { start: open + 1, end: open + 1 }, newText: ` with ${name} = ${value};` };
}
