import assert from 'node:assert/strict';
import { analyzeText } from '../../language/analyze.js';
import type { Diagnostic, Severity } from '../../language/diagnostic.js';
import { LineIndex } from '../../language/span.js';

/**
 * Inline expectations for checker tests. A line made of carets and a code marks
 * a diagnostic on the nearest source line above it:
 *
 *     on start { send Pong to Foo }
 *   //                ^^^^ FTP202 unknown message
 *
 * The carets give the exact columns, then the code, an optional `(warning)` or
 * `(error)`, and a substring of the message. Marker lines (with or without the
 * leading `//`) are removed before the text is analysed, so offsets are those of
 * the remaining source.
 */

export interface ExpectedDiagnostic {
  line: number;
  start: number;
  end: number;
  code: string;
  severity: Severity | null;
  message: string;
}

export interface MarkedSource {
  text: string;
  expected: ExpectedDiagnostic[];
}

const markerLine = /^(\s*(?:\/\/)?\s*)(\^+)\s+(FTP\d{3})(?:\s+\((error|warning|information|hint)\))?\s*(.*)$/;

export function parseMarkers(source: string): MarkedSource {
  const kept: string[] = [];
  const expected: ExpectedDiagnostic[] = [];
  for (const line of source.split('\n')) {
    const match = markerLine.exec(line);
    if (match === null) {
      kept.push(line);
      continue;
    }
    if (kept.length === 0) throw new Error(`marker with no source line above it: ${line}`);
    const start = match[1]!.length;
    expected.push({
      line: kept.length - 1,
      start,
      end: start + match[2]!.length,
      code: match[3]!,
      severity: (match[4] as Severity | undefined) ?? null,
      message: match[5]!.trim(),
    });
  }
  return { text: kept.join('\n'), expected };
}

/** `line:col-endLine:endCol severity CODE message`, 1-based: the golden-file format. */
export function formatDiagnostic(diagnostic: Diagnostic, index: LineIndex): string {
  const start = index.positionAt(diagnostic.span.start);
  const end = index.positionAt(diagnostic.span.end);
  return `${start.line + 1}:${start.character + 1}-${end.line + 1}:${end.character + 1} ${diagnostic.severity} ${diagnostic.code} ${diagnostic.message}`;
}

function formatExpected(e: ExpectedDiagnostic): string {
  return `${e.line + 1}:${e.start + 1}-${e.line + 1}:${e.end + 1} ${e.severity ?? '*'} ${e.code} …${e.message}…`;
}

export interface MarkerOptions {
  /** Codes not to require markers for (e.g. FTP308 in a test about something else). */
  ignore?: string[];
}

/** Analyses a marked source and asserts its diagnostics are exactly the marked ones. */
export function expectDiagnostics(source: string, options: MarkerOptions = {}): Diagnostic[] {
  const { text, expected } = parseMarkers(source);
  const { diagnostics } = analyzeText(text);
  const index = new LineIndex(text);
  const ignore = new Set(options.ignore ?? []);
  const unmatched = [...diagnostics];
  const missing: ExpectedDiagnostic[] = [];
  for (const e of expected) {
    const i = unmatched.findIndex((d) => {
      const start = index.positionAt(d.span.start);
      const end = index.positionAt(d.span.end);
      return (
        d.code === e.code &&
        start.line === e.line &&
        end.line === e.line &&
        start.character === e.start &&
        end.character === e.end &&
        (e.severity === null || d.severity === e.severity) &&
        d.message.includes(e.message)
      );
    });
    if (i < 0) missing.push(e);
    else unmatched.splice(i, 1);
  }
  const extra = unmatched.filter((d) => !ignore.has(d.code));
  if (missing.length > 0 || extra.length > 0) {
    const lines = [
      ...missing.map((e) => `missing:    ${formatExpected(e)}`),
      ...extra.map((d) => `unexpected: ${formatDiagnostic(d, index)}`),
      'all diagnostics:',
      ...diagnostics.map((d) => `  ${formatDiagnostic(d, index)}`),
      'source:',
      ...text.split('\n').map((l, n) => `${String(n + 1).padStart(3)}| ${l}`),
    ];
    assert.fail(lines.join('\n'));
  }
  return diagnostics;
}

/** Asserts a source has no diagnostics at all (apart from ignored codes). */
export function expectClean(source: string, options: MarkerOptions = {}): void {
  expectDiagnostics(source, options);
}
