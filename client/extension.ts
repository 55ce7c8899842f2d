import { performance } from 'node:perf_hooks';
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { analyzeText } from '../language/analyze.js';
import { tracesRequest } from '../protocol/lsp.js';
import type { ExploreSettings, TracesParams, TracesResult } from '../protocol/lsp.js';
import { registerCommands } from './commands.js';
import { registerNotebooks } from './notebook/register.js';
import { effectiveSettings, readExploreSettings } from './explore-settings.js';
import { settingsChanged, startLanguageClient } from './language-client.js';
import { localTraces } from './preview/local-traces.js';
import { PreviewManager, previewViewType } from './preview/preview-panel.js';
import { createTraceService } from './preview/trace-service.js';

/**
 * The Faultline extension: the language client, the timeline preview and the
 * commands. Everything with state is made here and handed on; nothing lives at
 * module level, so a second activation starts clean.
 */

/** What `deactivate` must stop: set by `activate`, read once. */
interface Running {
  client: LanguageClient | null;
}

const sampleSteps = 200;

export async function activate(context: vscode.ExtensionContext): Promise<{ running: Running }> {
  const output = vscode.window.createOutputChannel('Faultline');
  const running: Running = { client: null };
  const settings = (): ExploreSettings => {
    const raw = readExploreSettings((key) => vscode.workspace.getConfiguration('faultline.explore').get(key));
    const allowUntrusted = vscode.workspace.getConfiguration('faultline.explore').get('backgroundInUntrustedWorkspaces') === true;
    return effectiveSettings(raw, { trusted: vscode.workspace.isTrusted, allowUntrusted });
  };

  const local = async (params: TracesParams): Promise<TracesResult> => {
    const uri = vscode.Uri.parse(params.uri);
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === params.uri) ?? (await vscode.workspace.openTextDocument(uri));
    const text = doc.getText();
    const s = settings();
    return localTraces(analyzeText(text).model, text, params.uri, doc.version, params, {
      now: () => performance.now(),
      timeBudgetMs: s.timeBudgetMs,
      maxStates: s.maxStates,
      maxDepth: s.maxDepth,
      sampleSteps,
    });
  };
  const traces = createTraceService<vscode.CancellationToken>({
    request: () => {
      const client = running.client;
      return client && client.isRunning() ? (params, token) => client.sendRequest<TracesResult>(tracesRequest, params, token) : null;
    },
    local,
    log: (m) => output.appendLine(m),
  });
  const preview = new PreviewManager({ extensionUri: context.extensionUri, traces, output, sampleSteps: () => sampleSteps });

  context.subscriptions.push(
    output,
    preview,
    ...registerCommands({ extensionUri: context.extensionUri, preview, traces, output }),
    ...registerNotebooks(context.extensionUri, output, settings),
    vscode.window.registerWebviewPanelSerializer(previewViewType, {
      deserializeWebviewPanel: (panel, state: unknown) => preview.restore(panel, state),
    }),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('faultline')) void settingsChanged(running.client, settings());
    }),
    vscode.workspace.onDidGrantWorkspaceTrust(() => void settingsChanged(running.client, settings())),
    { dispose: () => void running.client?.stop() },
  );

  try {
    running.client = await startLanguageClient(context, output, settings);
  } catch (e) {
    output.appendLine(`the language server did not start: ${e instanceof Error ? e.message : String(e)}`);
  }
  return { running };
}

export function deactivate(): void {
  // The client is stopped through context.subscriptions.
}
