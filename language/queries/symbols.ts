import * as ast from '../ast.js';
import { printExpr } from '../check/print.js';
import type { Span } from '../span.js';

/** The kinds of entries in the outline; the server maps each to an LSP SymbolKind. */
export type OutlineKind =
  | 'protocol'
  | 'param'
  | 'type'
  | 'message'
  | 'field'
  | 'role'
  | 'state'
  | 'handler'
  | 'network'
  | 'quorum'
  | 'invariant'
  | 'eventually'
  | 'scenario'
  | 'check';

/** One entry of the document outline. `selection` lies inside `span`. */
export interface OutlineSymbol {
  name: string;
  kind: OutlineKind;
  /** A short description shown next to the name (`= 3`, `stable`, `when phase == WAIT`). */
  detail: string;
  span: Span;
  selection: Span;
  children: OutlineSymbol[];
}

/** The outline of a file: declarations in source order, roles with their states and handlers, messages with their fields. */
export function documentSymbols(file: ast.ProtocolFile, text: string): OutlineSymbol[] {
  const out: OutlineSymbol[] = [];
  if (file.name !== null && file.name.name !== '') {
    out.push(leaf(file.name.name, 'protocol', '', file.name.span, file.name.span));
  }
  for (const decl of file.decls) {
    const symbol = declSymbol(decl, text);
    if (symbol !== null) out.push(symbol);
  }
  return out;
}

function leaf(name: string, kind: OutlineKind, detail: string, span: Span, selection: Span): OutlineSymbol {
  const inside = selection.start >= span.start && selection.end <= span.end ? selection : { start: span.start, end: span.start };
  return { name, kind, detail, span, selection: inside, children: [] };
}

function named(ident: ast.Ident, fallback: string): string {
  return ident.name === '' ? fallback : ident.name;
}

function declSymbol(decl: ast.Decl, text: string): OutlineSymbol | null {
  switch (decl.kind) {
    case 'ParamDecl':
      return leaf(named(decl.name, 'param'), 'param', `= ${printExpr(decl.value)}`, decl.span, decl.name.span);
    case 'TypeDecl':
      return leaf(named(decl.name, 'type'), 'type', sourceOf(text, decl.type.span), decl.span, decl.name.span);
    case 'MessageDecl': {
      const symbol = leaf(named(decl.name, 'message'), 'message', '', decl.span, decl.name.span);
      symbol.children = decl.fields.map((f) =>
        leaf(named(f.name, 'field'), 'field', `${f.signed ? 'signed ' : ''}${sourceOf(text, f.type.span)}`, f.span, f.name.span),
      );
      return symbol;
    }
    case 'NodeDecl': {
      const count = decl.count === null ? '' : `[${printExpr(decl.count)}]`;
      const symbol = leaf(named(decl.name, 'node'), 'role', count, decl.span, decl.name.span);
      const members: OutlineSymbol[] = [
        ...decl.states.map((s) =>
          leaf(named(s.name, 'state'), 'state', `${s.stable ? 'stable ' : ''}${sourceOf(text, s.type.span)}`, s.span, s.name.span),
        ),
        ...decl.handlers.map((h) => leaf(handlerLabel(h), 'handler', h.guard ? `when ${printExpr(h.guard)}` : '', h.span, h.trigger.span)),
      ];
      symbol.children = members.sort((a, b) => a.span.start - b.span.start);
      return symbol;
    }
    case 'NetworkDecl':
      return leaf('network', 'network', `${decl.timing}${decl.delta ? `(${printExpr(decl.delta)})` : ''} ${decl.ordering} ${decl.reliability}`, decl.span, decl.span);
    case 'QuorumDecl':
      return leaf(named(decl.name, 'quorum'), 'quorum', `${decl.access} ${printExpr(decl.size)} of ${decl.role.name}`, decl.span, decl.name.span);
    case 'PropertyDecl':
      return leaf(named(decl.name, decl.property), decl.property, decl.property, decl.span, decl.name.span);
    case 'ScenarioDecl':
      return leaf(named(decl.name, 'scenario'), 'scenario', 'scenario', decl.span, decl.name.span);
    case 'CheckDecl': {
      const name = decl.name?.name || `check ${decl.mode}`;
      return leaf(name, 'check', decl.mode, decl.span, decl.name?.span ?? decl.span);
    }
    default:
      return ast.assertNever(decl);
  }
}

/** `on start`, `on Vote(c) from p`, `on timeout t`: how a handler is named in the outline and in hovers. */
export function handlerLabel(handler: ast.Handler): string {
  const trigger = handler.trigger;
  switch (trigger.kind) {
    case 'StartTrigger':
      return 'on start';
    case 'RecoverTrigger':
      return 'on recover';
    case 'TimeoutTrigger':
      return `on timeout ${trigger.timer.name}`;
    case 'MessageTrigger': {
      const params = trigger.params.length > 0 ? `(${trigger.params.map((p) => p.name).join(', ')})` : '';
      const from = trigger.from ? ` from ${trigger.from.name}` : '';
      return `on ${trigger.message.name || '?'}${params}${from}`;
    }
    default:
      return ast.assertNever(trigger);
  }
}

/** The source text of a span with its whitespace runs collapsed to one space. */
export function sourceOf(text: string, span: Span): string {
  return text.slice(span.start, span.end).replace(/\s+/g, ' ').trim();
}
