import {
  createConnection,
  DidChangeConfigurationNotification,
  ProposedFeatures,
  ResponseError,
  LSPErrorCodes,
  TextDocumentSyncKind,
  type InitializeResult,
} from 'vscode-languageserver/node.js';
import { performance } from 'node:perf_hooks';
import { quickFixes } from '../language/queries/code-actions.js';
import { codeLenses } from '../language/queries/code-lens.js';
import { completionsAt } from '../language/queries/completion.js';
import { definitionAt } from '../language/queries/definition.js';
import { foldingRanges } from '../language/queries/folding.js';
import { formatFtp } from '../language/queries/format.js';
import { hoverAt } from '../language/queries/hover.js';
import { highlightsAt, referencesAt } from '../language/queries/references.js';
import { prepareRename, renameAt } from '../language/queries/rename.js';
import { semanticTokens } from '../language/queries/semantic-tokens.js';
import { documentSymbols } from '../language/queries/symbols.js';
import {
  defaultSettings,
  runStatusNotification,
  settingsSection,
  tracesRequest,
  type ExplorationState,
  type FaultlineSettings,
  type RunStatusParams,
  type TracesParams,
  type TracesResult,
} from '../protocol/lsp.js';
import { DiagnosticsPublisher } from './diagnostics.js';
import { DocumentStore, type DocumentSnapshot } from './documents.js';
import { ExplorationScheduler } from './exploration.js';
import { readSettings } from './settings.js';
import * as lsp from './to-lsp.js';
import { TraceRequests } from './traces.js';
import { WorkerHost } from './worker-host.js';

/**
 * The language server: wiring only. Each handler is one call into
 * `language/queries` (or the exploration scheduler) and one conversion from
 * `to-lsp.ts`, wrapped so that an exception becomes a logged error and an empty
 * answer instead of a dead server.
 */

const connection = createConnection(ProposedFeatures.all);
const documents = new DocumentStore();
let settings: FaultlineSettings = defaultSettings;
let pullConfiguration = false;
const changedAt = new Map<string, number>();

const log = (message: string): void => connection.console.error(message);
const workerScript = new URL('./explore-worker.js', import.meta.url);
const hostOptions = (): ConstructorParameters<typeof WorkerHost>[0] => ({
  script: workerScript,
  get maxMemoryMb() {
    return settings.explore.maxMemoryMb;
  },
  killAfterMs: 1000,
  log,
});
const exploreHost = new WorkerHost(hostOptions());
const tracesHost = new WorkerHost(hostOptions());
const publisher = new DiagnosticsPublisher((params) => void connection.sendDiagnostics(params));
const status = (uri: string, version: number, state: ExplorationState, summary: string[]): void => {
  const params: RunStatusParams = { uri, version, state, summary, elapsedMs: Math.round(performance.now() - (changedAt.get(uri) ?? performance.now())) };
  void connection.sendNotification(runStatusNotification, params);
};
const scheduler = new ExplorationScheduler(
  exploreHost,
  {
    isCurrent: (uri, version) => documents.isCurrent(uri, version),
    publish: (uri, version, diagnostics) => {
      const snapshot = documents.get(uri);
      if (snapshot?.version === version) publisher.exploration(snapshot, diagnostics);
    },
    status,
  },
  { debounceMs: 300, settings: () => settings.explore, log },
);
const traceRequests = new TraceRequests(tracesHost, () => settings.explore);

/** Runs a handler; an exception is logged and answered with `fallback`. */
function guard<T>(name: string, fallback: T, body: () => T): T {
  try {
    return body();
  } catch (error) {
    log(`${name} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    return fallback;
  }
}

/** The current snapshot of a document, or `fallback` when it is not open. */
function onDocument<T>(name: string, uri: string, fallback: T, body: (doc: DocumentSnapshot) => T): T {
  return guard(name, fallback, () => {
    const doc = documents.get(uri);
    return doc === undefined ? fallback : body(doc);
  });
}

/** New text for a document: fast diagnostics now, exploration after the debounce (none on open), or not at all. */
function refresh(doc: DocumentSnapshot, opened = false): void {
  changedAt.set(doc.uri, performance.now());
  publisher.fast(doc);
  if (settings.explore.background && !doc.analysis.model.hasErrors) {
    scheduler.schedule(doc.uri, doc.version, doc.text, opened ? 0 : undefined);
  } else {
    scheduler.cancel(doc.uri);
    status(doc.uri, doc.version, 'skipped', []);
  }
}

async function loadSettings(): Promise<void> {
  if (!pullConfiguration) return;
  const value: unknown = await connection.workspace.getConfiguration(settingsSection);
  settings = readSettings(value);
}

connection.onInitialize((params): InitializeResult => {
  pullConfiguration = params.capabilities.workspace?.configuration === true;
  const options = params.initializationOptions as { settings?: unknown } | undefined;
  if (options?.settings !== undefined) settings = readSettings(options.settings);
  return {
    capabilities: {
      textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
      hoverProvider: true,
      completionProvider: { triggerCharacters: ['.'] },
      definitionProvider: true,
      referencesProvider: true,
      documentHighlightProvider: true,
      renameProvider: { prepareProvider: true },
      documentSymbolProvider: true,
      foldingRangeProvider: true,
      documentFormattingProvider: true,
      codeLensProvider: { resolveProvider: false },
      codeActionProvider: { codeActionKinds: ['quickfix'] },
      semanticTokensProvider: { legend: lsp.semanticTokensLegend, full: true },
    },
    serverInfo: { name: 'faultline', version: '0.1.0' },
  };
});

connection.onInitialized(() => {
  if (settings.explore.background) exploreHost.warm();
  if (!pullConfiguration) return;
  void connection.client.register(DidChangeConfigurationNotification.type, { section: settingsSection }).catch(() => undefined);
  void loadSettings().catch((error) => log(`reading settings failed: ${String(error)}`));
});

connection.onDidChangeConfiguration((change) => {
  const pushed = (change.settings as Record<string, unknown> | null | undefined)?.[settingsSection];
  const reload = pushed !== undefined ? Promise.resolve((settings = readSettings(pushed))) : loadSettings();
  void reload
    .then(() => {
      for (const uri of documents.uris()) {
        const doc = documents.get(uri);
        if (doc) refresh(doc);
      }
    })
    .catch((error) => log(`reading settings failed: ${String(error)}`));
});

connection.onDidOpenTextDocument((p) => guard('didOpen', undefined, () => refresh(documents.open(p.textDocument.uri, p.textDocument.version, p.textDocument.text), true)));

connection.onDidChangeTextDocument((p) =>
  guard('didChange', undefined, () => {
    const doc = documents.change(p.textDocument.uri, p.textDocument.version, p.contentChanges);
    if (doc) refresh(doc);
  }),
);

connection.onDidCloseTextDocument((p) =>
  guard('didClose', undefined, () => {
    scheduler.cancel(p.textDocument.uri);
    documents.close(p.textDocument.uri);
    publisher.clear(p.textDocument.uri);
  }),
);

connection.onHover((p) => onDocument('hover', p.textDocument.uri, null, (d) => lsp.toHover(hoverAt(d.analysis, d.text, d.lines.offsetAt(p.position)), d.lines)));

connection.onCompletion((p) => onDocument('completion', p.textDocument.uri, null, (d) => lsp.toCompletionList(completionsAt(d.analysis, d.text, d.lines.offsetAt(p.position)), d.lines)));

connection.onDefinition((p) => onDocument('definition', p.textDocument.uri, [], (d) => lsp.toLocations(d.uri, definitionAt(d.analysis.model, d.lines.offsetAt(p.position)), d.lines)));

connection.onReferences((p) =>
  onDocument('references', p.textDocument.uri, [], (d) => lsp.toLocations(d.uri, referencesAt(d.analysis.model, d.lines.offsetAt(p.position), p.context.includeDeclaration), d.lines)),
);

connection.onDocumentHighlight((p) => onDocument('highlight', p.textDocument.uri, [], (d) => lsp.toHighlights(highlightsAt(d.analysis.model, d.lines.offsetAt(p.position)), d.lines)));

connection.onPrepareRename((p) =>
  onDocument('prepareRename', p.textDocument.uri, null, (d) => {
    const target = prepareRename(d.analysis.model, d.text, d.lines.offsetAt(p.position));
    return 'error' in target ? new ResponseError(LSPErrorCodes.RequestFailed, target.error) : { range: lsp.toRange(d.lines, target.span), placeholder: target.placeholder };
  }),
);

connection.onRenameRequest((p) =>
  onDocument('rename', p.textDocument.uri, null, (d) => {
    const result = renameAt(d.analysis, d.text, d.lines.offsetAt(p.position), p.newName);
    return 'error' in result ? new ResponseError(LSPErrorCodes.RequestFailed, result.error) : lsp.toWorkspaceEdit(d.uri, result.edits, d.lines);
  }),
);

connection.onDocumentSymbol((p) => onDocument('documentSymbol', p.textDocument.uri, [], (d) => lsp.toDocumentSymbols(documentSymbols(d.analysis.file, d.text), d.lines)));

connection.onFoldingRanges((p) => onDocument('foldingRanges', p.textDocument.uri, [], (d) => lsp.toFoldingRanges(foldingRanges(d.analysis.file, d.text))));

connection.onDocumentFormatting((p) => onDocument('formatting', p.textDocument.uri, [], (d) => lsp.toFormattingEdits(d.text, formatFtp(d.text), d.lines)));

connection.onCodeLens((p) => onDocument('codeLens', p.textDocument.uri, [], (d) => lsp.toCodeLenses(d.uri, codeLenses(d.analysis.file), d.lines)));

connection.onCodeAction((p) =>
  onDocument('codeAction', p.textDocument.uri, [], (d) => {
    const sent = lsp.ourDiagnostics(p.context.diagnostics, d.lines);
    return lsp.toCodeActions(d.uri, quickFixes(d.analysis, d.text, sent.fixable), sent.lsp, d.lines);
  }),
);

connection.languages.semanticTokens.on((p) => onDocument('semanticTokens', p.textDocument.uri, { data: [] }, (d) => lsp.toSemanticTokens(semanticTokens(d.analysis, d.text), d.text, d.lines)));

connection.onRequest(tracesRequest, async (params: TracesParams, token): Promise<TracesResult> => {
  const doc = documents.get(params.uri);
  const empty: TracesResult = { uri: params.uri, version: doc?.version ?? -1, error: 'the document is not open', runs: [] };
  if (doc === undefined) return empty;
  try {
    return await traceRequests.request(doc, params, token);
  } catch (error) {
    log(`traces failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    return { ...empty, error: 'internal error' };
  }
});

connection.onShutdown(async () => {
  scheduler.dispose();
  await Promise.all([exploreHost.dispose(), tracesHost.dispose()]);
});

// The last line of defence: a bug must cost one answer, not the server.
process.on('uncaughtException', (error) => log(`uncaught: ${error.stack ?? error.message}`));
process.on('unhandledRejection', (reason) => log(`unhandled rejection: ${String(reason)}`));

connection.listen();
