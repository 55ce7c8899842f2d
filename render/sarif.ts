import type { Diagnostic, Severity } from '../language/diagnostic.js';
import { codeDescriptionUrl, diagnosticCodes } from '../language/codes.js';
import type { DiagnosticCode } from '../language/codes.js';
import { LineIndex } from '../language/span.js';
import type { Span } from '../language/span.js';

/** The diagnostics of one file, with the text their spans point into. */
export interface FileDiagnostics {
  uri: string;
  text: string;
  diagnostics: Diagnostic[];
}

const sarifLevel: Record<Severity, 'error' | 'warning' | 'note'> = { error: 'error', warning: 'warning', information: 'note', hint: 'note' };

function region(index: LineIndex, span: Span) {
  const a = index.positionAt(span.start);
  const b = index.positionAt(span.end);
  return { startLine: a.line + 1, startColumn: a.character + 1, endLine: b.line + 1, endColumn: b.character + 1 };
}

/** SARIF 2.1.0, so CI code scanning shows violations inline. */
export function toSarif(files: FileDiagnostics[], version: string): object {
  const used = new Set<DiagnosticCode>();
  const results = files.flatMap((f) => {
    const index = new LineIndex(f.text);
    return f.diagnostics.map((d) => {
      used.add(d.code);
      return {
        ruleId: d.code,
        level: sarifLevel[d.severity],
        message: { text: d.message },
        locations: [{ physicalLocation: { artifactLocation: { uri: f.uri }, region: region(index, d.span) } }],
        relatedLocations: d.related.map((r, i) => ({
          id: i + 1,
          message: { text: r.message },
          physicalLocation: { artifactLocation: { uri: f.uri }, region: region(index, r.span) },
        })),
      };
    });
  });
  const rules = [...used].sort().map((code) => ({
    id: code,
    shortDescription: { text: diagnosticCodes[code] },
    helpUri: codeDescriptionUrl(code),
  }));
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [{ tool: { driver: { name: 'faultline', version, informationUri: 'https://faultline.dev', rules } }, results }],
  };
}
