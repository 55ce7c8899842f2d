import * as vscode from 'vscode';
import type { ExploreSettings } from '../../protocol/lsp.js';
import { notebookType } from '../../protocol/notebook.js';
import { CellWorkerHost } from './cell-worker-host.js';
import { NotebookKernel } from './controller.js';
import { registerNotebookSerializer } from './serializer.js';

/**
 * Protocol notebooks in the extension: the `.ftpnb` serializer, the kernel and
 * its worker thread. The renderer is declared in package.json and runs in the
 * notebook's webview.
 */
export function registerNotebooks(extensionUri: vscode.Uri, output: vscode.OutputChannel, settings: () => ExploreSettings): vscode.Disposable[] {
  const host = new CellWorkerHost({
    // Bundled next to the extension by esbuild.mjs.
    script: vscode.Uri.joinPath(extensionUri, 'dist-ext', 'notebook-worker.cjs').fsPath,
    maxMemoryMb: settings().maxMemoryMb,
    killAfterMs: 2000,
    log: (m) => output.appendLine(m),
  });
  return [
    registerNotebookSerializer(notebookType, (message) => void vscode.window.showErrorMessage(message)),
    new NotebookKernel({ host, settings, output }),
    { dispose: () => void host.dispose() },
  ];
}
