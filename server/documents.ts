import { TextDocument, type TextDocumentContentChangeEvent } from 'vscode-languageserver-textdocument';
import { analyzeText, type Analysis } from '../language/analyze.js';
import { checkProtocol } from '../language/check/check.js';
import { diagnostic } from '../language/diagnostic.js';
import { LineIndex } from '../language/span.js';
import { parseFtp } from '../language/syntax/parse.js';

/**
 * `analyzeText`, or, should the core throw (a bug: the core must not throw on
 * user input), the parse alone with an empty model and one error that says so,
 * so every handler still has an analysis to answer from.
 */
export function analyzeSafely(text: string): Analysis {
  try {
    return analyzeText(text);
  } catch (error) {
    const parsed = parseFtp(text);
    const model = checkProtocol({ ...parsed.value, decls: [] }).value;
    model.hasErrors = true;
    const reason = error instanceof Error ? error.message : String(error);
    const internal = diagnostic('FTP102', 'error', `internal checker error (please report it): ${reason}`, { start: 0, end: 0 });
    return { file: parsed.value, model, diagnostics: [internal, ...parsed.diagnostics] };
  }
}

/** One version of a document with its analysis, made on first use and kept until the next change. */
export class DocumentSnapshot {
  private cachedAnalysis: Analysis | null = null;
  private cachedIndex: LineIndex | null = null;

  constructor(
    readonly uri: string,
    readonly version: number,
    readonly text: string,
  ) {}

  get analysis(): Analysis {
    this.cachedAnalysis ??= analyzeSafely(this.text);
    return this.cachedAnalysis;
  }

  get lines(): LineIndex {
    this.cachedIndex ??= new LineIndex(this.text);
    return this.cachedIndex;
  }
}

/** The open documents: text by version (incremental edits applied), each version analysed at most once. */
export class DocumentStore {
  private readonly documents = new Map<string, { document: TextDocument; snapshot: DocumentSnapshot }>();

  open(uri: string, version: number, text: string): DocumentSnapshot {
    const document = TextDocument.create(uri, 'ftp', version, text);
    const snapshot = new DocumentSnapshot(uri, version, text);
    this.documents.set(uri, { document, snapshot });
    return snapshot;
  }

  /** Applies a `didChange`; returns the new snapshot, or undefined for a document that is not open. */
  change(uri: string, version: number, changes: readonly TextDocumentContentChangeEvent[]): DocumentSnapshot | undefined {
    const entry = this.documents.get(uri);
    if (entry === undefined) return undefined;
    const document = TextDocument.update(entry.document, [...changes], version);
    const snapshot = new DocumentSnapshot(uri, version, document.getText());
    this.documents.set(uri, { document, snapshot });
    return snapshot;
  }

  close(uri: string): void {
    this.documents.delete(uri);
  }

  get(uri: string): DocumentSnapshot | undefined {
    return this.documents.get(uri)?.snapshot;
  }

  isCurrent(uri: string, version: number): boolean {
    return this.documents.get(uri)?.snapshot.version === version;
  }

  uris(): string[] {
    return [...this.documents.keys()];
  }
}
