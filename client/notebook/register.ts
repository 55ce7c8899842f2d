import * as vscode from 'vscode';
import type { ExploreSettings } from '../../protocol/lsp.js';
import { notebookRendererId, notebookType, traceMime } from '../../protocol/notebook.js';
import { CellWorkerHost } from './cell-worker-host.js';
import { NotebookKernel } from './controller.js';
import { registerNotebookSerializer } from './serializer.js';
import { outputDigest, parseTraceViewMessage, withKeptView } from './trace-views.js';

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
    keepTraceViews(output),
  ];
}

/**
 * The renderer says which window of a trace output the user moved to; it is kept
 * in the cell's metadata (an edit: the notebook becomes dirty) and saved into the
 * output by the serializer. Output items themselves change only in an execution.
 */
function keepTraceViews(output: vscode.OutputChannel): vscode.Disposable {
  const messaging = vscode.notebooks.createRendererMessaging(notebookRendererId);
  return messaging.onDidReceiveMessage(async ({ editor, message }) => {
    const m = parseTraceViewMessage(message);
    if (!m) return output.appendLine(`[notebook] ignored a renderer message: ${JSON.stringify(message).slice(0, 200)}`);
    const notebook = editor.notebook;
    const cell = notebook.getCells().find((c) => c.outputs.some((o) => o.items.some((i) => i.mime === traceMime && outputDigest(i.data) === m.output)));
    if (!cell) return;
    const edit = new vscode.WorkspaceEdit();
    edit.set(notebook.uri, [vscode.NotebookEdit.updateCellMetadata(cell.index, withKeptView(cell.metadata, m.output, m.view))]);
    await vscode.workspace.applyEdit(edit);
  });
}
