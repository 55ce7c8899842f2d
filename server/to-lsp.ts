import {
  CodeActionKind,
  CompletionItemKind,
  DiagnosticSeverity,
  DocumentHighlightKind,
  FoldingRangeKind,
  InsertTextFormat,
  SymbolKind,
  type CodeAction,
  type CodeLens,
  type CompletionItem,
  type CompletionList,
  type Diagnostic as LspDiagnostic,
  type DocumentHighlight,
  type DocumentSymbol,
  type FoldingRange,
  type Hover,
  type Location,
  type Range,
  type SemanticTokens,
  type TextEdit as LspTextEdit,
  type WorkspaceEdit,
} from 'vscode-languageserver/node.js';
import { diagnosticCodes, codeDescriptionUrl, type DiagnosticCode } from '../language/codes.js';
import type { Diagnostic, Severity } from '../language/diagnostic.js';
import type { CodeLens as FtpCodeLens } from '../language/queries/code-lens.js';
import type { FixableDiagnostic, QuickFix } from '../language/queries/code-actions.js';
import type { CompletionKind, CompletionList as FtpCompletionList } from '../language/queries/completion.js';
import type { FoldingRange as FtpFoldingRange } from '../language/queries/folding.js';
import type { Hover as FtpHover } from '../language/queries/hover.js';
import type { TextEdit } from '../language/queries/rename.js';
import { semanticTokenModifiers, semanticTokenTypes, type SemanticToken } from '../language/queries/semantic-tokens.js';
import type { OutlineKind, OutlineSymbol } from '../language/queries/symbols.js';
import type { LineIndex, Span } from '../language/span.js';
import { lensCommands, type RunRef } from '../protocol/lsp.js';

/**
 * Core answers -> LSP shapes. Conversions only: offsets to positions, kinds to
 * LSP enums, a quick fix to a workspace edit. No decisions are made here.
 */

export const diagnosticSource = 'faultline';

export function toRange(lines: LineIndex, span: Span): Range {
  return { start: lines.positionAt(span.start), end: lines.positionAt(span.end) };
}

export function toSpan(lines: LineIndex, range: Range): Span {
  const start = lines.offsetAt(range.start);
  const end = lines.offsetAt(range.end);
  return { start: Math.min(start, end), end: Math.max(start, end) };
}

const severities: Record<Severity, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  information: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

/** A core diagnostic on the document `uri`: the code with a link to its documentation, related locations in the same file. */
export function toLspDiagnostic(d: Diagnostic, uri: string, lines: LineIndex): LspDiagnostic {
  const out: LspDiagnostic = {
    range: toRange(lines, d.span),
    severity: severities[d.severity],
    code: d.code,
    codeDescription: { href: codeDescriptionUrl(d.code) },
    source: diagnosticSource,
    message: d.message,
  };
  if (d.related.length > 0) {
    out.relatedInformation = d.related.map((r) => ({ location: { uri, range: toRange(lines, r.span) }, message: r.message }));
  }
  if (d.data !== undefined) out.data = d.data;
  return out;
}

/** An LSP diagnostic sent back in a code-action request, as the core's quick fixes read it; null when it is not ours. */
export function fromLspDiagnostic(d: LspDiagnostic, lines: LineIndex): FixableDiagnostic | null {
  const code = typeof d.code === 'string' ? d.code : null;
  if (code === null || !(code in diagnosticCodes)) return null;
  const data = isFlatRecord(d.data) ? d.data : undefined;
  return { code: code as DiagnosticCode, message: d.message, span: toSpan(lines, d.range), ...(data ? { data } : {}) };
}

/** The diagnostics of a code-action request that are ours, paired with their core form (same order). */
export function ourDiagnostics(sent: readonly LspDiagnostic[], lines: LineIndex): { lsp: LspDiagnostic[]; fixable: FixableDiagnostic[] } {
  const out = { lsp: [] as LspDiagnostic[], fixable: [] as FixableDiagnostic[] };
  for (const d of sent) {
    const fixable = fromLspDiagnostic(d, lines);
    if (fixable === null) continue;
    out.lsp.push(d);
    out.fixable.push(fixable);
  }
  return out;
}

function isFlatRecord(value: unknown): value is Record<string, string | number> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  return Object.values(value).every((v) => typeof v === 'string' || typeof v === 'number');
}

export function toHover(hover: FtpHover | null, lines: LineIndex): Hover | null {
  if (hover === null) return null;
  return { contents: { kind: 'markdown', value: hover.markdown }, range: toRange(lines, hover.span) };
}

const completionKinds: Record<CompletionKind, CompletionItemKind> = {
  keyword: CompletionItemKind.Keyword,
  message: CompletionItemKind.Struct,
  role: CompletionItemKind.Class,
  state: CompletionItemKind.Field,
  param: CompletionItemKind.Constant,
  quorum: CompletionItemKind.Constant,
  label: CompletionItemKind.EnumMember,
  local: CompletionItemKind.Variable,
  timer: CompletionItemKind.Event,
  field: CompletionItemKind.Property,
  property: CompletionItemKind.Function,
  type: CompletionItemKind.TypeParameter,
  builtin: CompletionItemKind.Function,
};

export function toCompletionList(list: FtpCompletionList, lines: LineIndex): CompletionList {
  const range = toRange(lines, list.replace);
  const items: CompletionItem[] = list.items.map((item, i) => ({
    label: item.label,
    kind: completionKinds[item.kind],
    detail: item.detail,
    sortText: String(i).padStart(4, '0'),
    insertTextFormat: InsertTextFormat.PlainText,
    textEdit: { range, newText: item.insertText ?? item.label },
  }));
  return { isIncomplete: false, items };
}

export function toLocations(uri: string, spans: readonly Span[], lines: LineIndex): Location[] {
  return spans.map((span) => ({ uri, range: toRange(lines, span) }));
}

export function toHighlights(list: readonly { span: Span; write: boolean }[], lines: LineIndex): DocumentHighlight[] {
  return list.map((h) => ({ range: toRange(lines, h.span), kind: h.write ? DocumentHighlightKind.Write : DocumentHighlightKind.Read }));
}

export function toTextEdits(edits: readonly TextEdit[], lines: LineIndex): LspTextEdit[] {
  return edits.map((e) => ({ range: toRange(lines, e.span), newText: e.newText }));
}

export function toWorkspaceEdit(uri: string, edits: readonly TextEdit[], lines: LineIndex): WorkspaceEdit {
  return { changes: { [uri]: toTextEdits(edits, lines) } };
}

/** Formatting: the whole document replaced by the formatted text, or no edit when it is already canonical. */
export function toFormattingEdits(text: string, formatted: string, lines: LineIndex): LspTextEdit[] {
  if (formatted === text) return [];
  return [{ range: toRange(lines, { start: 0, end: text.length }), newText: formatted }];
}

const symbolKinds: Record<OutlineKind, SymbolKind> = {
  protocol: SymbolKind.Namespace,
  param: SymbolKind.Constant,
  type: SymbolKind.TypeParameter,
  message: SymbolKind.Struct,
  field: SymbolKind.Field,
  role: SymbolKind.Class,
  state: SymbolKind.Property,
  handler: SymbolKind.Method,
  network: SymbolKind.Interface,
  quorum: SymbolKind.Constant,
  invariant: SymbolKind.Boolean,
  eventually: SymbolKind.Boolean,
  scenario: SymbolKind.Event,
  check: SymbolKind.Event,
};

export function toDocumentSymbols(symbols: readonly OutlineSymbol[], lines: LineIndex): DocumentSymbol[] {
  return symbols.map((s) => ({
    name: s.name.length > 0 ? s.name : '?',
    detail: s.detail,
    kind: symbolKinds[s.kind],
    range: toRange(lines, s.span),
    selectionRange: toRange(lines, s.selection),
    children: toDocumentSymbols(s.children, lines),
  }));
}

export function toFoldingRanges(ranges: readonly FtpFoldingRange[]): FoldingRange[] {
  return ranges.map((r) => ({ startLine: r.startLine, endLine: r.endLine, ...(r.kind === 'comment' ? { kind: FoldingRangeKind.Comment } : {}) }));
}

export const semanticTokensLegend = { tokenTypes: [...semanticTokenTypes], tokenModifiers: [...semanticTokenModifiers] };

/** The LSP relative encoding; a token spanning lines (a block comment) is split into one per line. */
export function toSemanticTokens(tokens: readonly SemanticToken[], text: string, lines: LineIndex): SemanticTokens {
  const data: number[] = [];
  let lastLine = 0;
  let lastChar = 0;
  const push = (line: number, char: number, length: number, type: number, modifiers: number): void => {
    if (length <= 0) return;
    data.push(line - lastLine, line === lastLine ? char - lastChar : char, length, type, modifiers);
    lastLine = line;
    lastChar = char;
  };
  for (const token of tokens) {
    const type = semanticTokenTypes.indexOf(token.type);
    let modifiers = 0;
    for (const m of token.modifiers) modifiers |= 1 << semanticTokenModifiers.indexOf(m);
    const start = lines.positionAt(token.start);
    const end = lines.positionAt(token.start + token.length);
    if (start.line === end.line) {
      push(start.line, start.character, end.character - start.character, type, modifiers);
      continue;
    }
    for (let line = start.line; line <= end.line; line++) {
      const from = line === start.line ? token.start : lines.offsetAt({ line, character: 0 });
      const lineEnd = line === end.line ? token.start + token.length : lines.offsetAt({ line: line + 1, character: 0 });
      const piece = text.slice(from, lineEnd).replace(/\r?\n$/, '');
      push(line, line === start.line ? start.character : 0, piece.length, type, modifiers);
    }
  }
  return { data };
}

export function toCodeLenses(uri: string, lenses: readonly FtpCodeLens[], lines: LineIndex): CodeLens[] {
  return lenses.map((lens) => {
    const run: RunRef = { name: lens.run, position: lines.positionAt(lens.runStart) };
    return { range: toRange(lines, lens.span), command: { title: lens.title, command: lensCommands[lens.action], arguments: [uri, run] } };
  });
}

export function toCodeActions(uri: string, fixes: readonly QuickFix[], sent: readonly LspDiagnostic[], lines: LineIndex): CodeAction[] {
  return fixes.map((fix) => {
    const diagnostic = sent[fix.diagnostic];
    return {
      title: fix.title,
      kind: CodeActionKind.QuickFix,
      ...(diagnostic ? { diagnostics: [diagnostic] } : {}),
      isPreferred: fix.preferred,
      edit: toWorkspaceEdit(uri, fix.edits, lines),
    };
  });
}
