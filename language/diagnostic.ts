import type { Span } from './span.js';
import type { DiagnosticCode } from './codes.js';

export type Severity = 'error' | 'warning' | 'information' | 'hint';

/** A location that explains a diagnostic: another declaration, a step of a counterexample. */
export interface RelatedInfo {
  span: Span;
  message: string;
}

/** One problem found in a file. Plain data: it crosses workers, notebooks and golden files. */
export interface Diagnostic {
  code: DiagnosticCode;
  severity: Severity;
  message: string;
  span: Span;
  related: RelatedInfo[];
  /**
   * Optional facts for quick fixes (`role`, `needed`, `message`, ...). Plain
   * strings and numbers, so it survives the LSP round trip in `Diagnostic.data`.
   */
  data?: Record<string, string | number>;
}

/** What every phase returns: a value (possibly partial) and what went wrong on the way. */
export interface Result<T> {
  value: T;
  diagnostics: Diagnostic[];
}

export function diagnostic(
  code: DiagnosticCode,
  severity: Severity,
  message: string,
  span: Span,
  related: RelatedInfo[] = [],
): Diagnostic {
  return { code, severity, message, span, related };
}

const severityRank: Record<Severity, number> = { error: 0, warning: 1, information: 2, hint: 3 };

/** Sorts by position, then severity, then code, so output is stable for goldens. */
export function sortDiagnostics(list: readonly Diagnostic[]): Diagnostic[] {
  return [...list].sort(
    (a, b) =>
      a.span.start - b.span.start ||
      a.span.end - b.span.end ||
      severityRank[a.severity] - severityRank[b.severity] ||
      a.code.localeCompare(b.code) ||
      a.message.localeCompare(b.message),
  );
}
