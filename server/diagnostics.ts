import type { PublishDiagnosticsParams } from 'vscode-languageserver/node.js';
import { sortDiagnostics, type Diagnostic } from '../language/diagnostic.js';
import type { DocumentSnapshot } from './documents.js';
import { toLspDiagnostic } from './to-lsp.js';

/**
 * Publishes a document's diagnostics: the fast ones (parse + check) of its
 * current version at once, merged with the slow ones (exploration verdicts)
 * when they arrive for that same version. A new version drops the slow ones of
 * the old: their ranges would point at text that has moved.
 */
export class DiagnosticsPublisher {
  private readonly slow = new Map<string, { version: number; diagnostics: Diagnostic[] }>();

  constructor(private readonly send: (params: PublishDiagnosticsParams) => void) {}

  /** A new version: its parse and check diagnostics, now. */
  fast(snapshot: DocumentSnapshot): void {
    const slow = this.slow.get(snapshot.uri);
    if (slow !== undefined && slow.version !== snapshot.version) this.slow.delete(snapshot.uri);
    this.publish(snapshot);
  }

  /** Exploration diagnostics for `snapshot`'s version (all runs so far). */
  exploration(snapshot: DocumentSnapshot, diagnostics: Diagnostic[]): void {
    this.slow.set(snapshot.uri, { version: snapshot.version, diagnostics });
    this.publish(snapshot);
  }

  /** A closed document: no diagnostics. */
  clear(uri: string): void {
    this.slow.delete(uri);
    this.send({ uri, diagnostics: [] });
  }

  private publish(snapshot: DocumentSnapshot): void {
    const slow = this.slow.get(snapshot.uri);
    const all = slow?.version === snapshot.version ? [...snapshot.analysis.diagnostics, ...slow.diagnostics] : snapshot.analysis.diagnostics;
    const lines = snapshot.lines;
    this.send({
      uri: snapshot.uri,
      version: snapshot.version,
      diagnostics: sortDiagnostics(all).map((d) => toLspDiagnostic(d, snapshot.uri, lines)),
    });
  }
}
