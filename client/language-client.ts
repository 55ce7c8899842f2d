import { existsSync } from 'node:fs';
import * as vscode from 'vscode';
import type { LanguageClientOptions, ServerOptions } from 'vscode-languageclient/node';
import { DidChangeConfigurationNotification, LanguageClient, TransportKind } from 'vscode-languageclient/node';
import type { ExploreSettings } from '../protocol/lsp.js';
import { patchConfiguration } from './explore-settings.js';

/**
 * Starts the language server (`dist-ext/server.cjs`) over IPC. Its answers to
 * `workspace/configuration` go through `patchConfiguration`, so workspace trust
 * decides about background exploration in one place.
 */
export async function startLanguageClient(
  context: vscode.ExtensionContext,
  output: vscode.OutputChannel,
  effectiveSettings: () => ExploreSettings,
): Promise<LanguageClient | null> {
  const serverModule = context.asAbsolutePath('dist-ext/server.cjs');
  if (!existsSync(serverModule)) {
    output.appendLine(`no language server at ${serverModule}: diagnostics are off, the preview computes traces itself`);
    return null;
  }
  const serverOptions: ServerOptions = {
    run: { module: serverModule, transport: TransportKind.ipc },
    debug: { module: serverModule, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6019'] } },
  };
  const clientOptions: LanguageClientOptions = {
    // Files only: a notebook cell is not a protocol on its own (the notebook kernel joins cells).
    documentSelector: [
      { scheme: 'file', language: 'ftp' },
      { scheme: 'untitled', language: 'ftp' },
    ],
    outputChannel: output,
    initializationOptions: { settings: { explore: effectiveSettings() } },
    middleware: {
      workspace: {
        configuration: async (params, token, next) => {
          const results = await next(params, token);
          if (!Array.isArray(results)) return results;
          return patchConfiguration(params.items, results, effectiveSettings());
        },
        // Settings pushed to the server must pass the trust rule too: the extension
        // sends them itself (`settingsChanged`), never the raw workspace values.
        didChangeConfiguration: () => Promise.resolve(),
      },
    },
  };
  const client = new LanguageClient('faultline', 'Faultline Language Server', serverOptions, clientOptions);
  await client.start();
  return client;
}

/** Tells the server to read its settings again (trust was granted, a setting changed). */
export async function settingsChanged(client: LanguageClient | null, effective: ExploreSettings): Promise<void> {
  if (!client || !client.isRunning()) return;
  await client.sendNotification(DidChangeConfigurationNotification.type, { settings: { faultline: { explore: effective } } });
}
