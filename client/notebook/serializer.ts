import * as vscode from 'vscode';
import { describeNotebookError, parseNotebook, serializeNotebook } from '../../notebook/format.js';
import type { CellDataShape } from './notebook-data.js';
import { cellToShape, notebookFromShape } from './notebook-data.js';
import { applyKeptViews } from './trace-views.js';

/**
 * `.ftpnb` files for VS Code: the notebook format of `notebook/format.ts`,
 * converted by `notebook-data.ts`. A file that cannot be read whole is refused
 * with the position of the problem: VS Code then shows the error instead of the
 * notebook, so a damaged file is never opened as an empty (or shorter) notebook
 * and saved over.
 */
export class FtpnbSerializer implements vscode.NotebookSerializer {
  constructor(private readonly onRefused: (message: string) => void) {}

  deserializeNotebook(content: Uint8Array): vscode.NotebookData {
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(content);
    } catch {
      return this.refuse('the file is not UTF-8 text');
    }
    const parsed = parseNotebook(text);
    if (!parsed.ok) return this.refuse(describeNotebookError(parsed.error));
    const data = new vscode.NotebookData(parsed.notebook.cells.map(toCellData));
    data.metadata = parsed.notebook.metadata;
    return data;
  }

  serializeNotebook(data: vscode.NotebookData): Uint8Array {
    const shape = {
      metadata: data.metadata ?? {},
      // The window last looked at in each trace output goes into its JSON (trace-views.ts).
      cells: data.cells.map(
        (c): CellDataShape => applyKeptViews({
          kind: c.kind === vscode.NotebookCellKind.Markup ? 1 : 2,
          value: c.value,
          languageId: c.languageId,
          ...(c.metadata ? { metadata: c.metadata } : {}),
          ...(c.executionSummary ? { executionSummary: { ...c.executionSummary, ...(c.executionSummary.timing ? { timing: { ...c.executionSummary.timing } } : {}) } } : {}),
          outputs: (c.outputs ?? []).map((o) => ({ items: o.items.map((i) => ({ mime: i.mime, data: i.data })), ...(o.metadata ? { metadata: o.metadata } : {}) })),
        }),
      ),
    };
    return new TextEncoder().encode(serializeNotebook(notebookFromShape(shape)));
  }

  private refuse(why: string): never {
    const message = `This Faultline notebook cannot be opened: ${why}. The file was not changed; open it with the text editor to repair it.`;
    this.onRefused(message);
    throw new Error(message);
  }
}

function toCellData(cell: Parameters<typeof cellToShape>[0]): vscode.NotebookCellData {
  const shape = cellToShape(cell);
  const data = new vscode.NotebookCellData(shape.kind === 1 ? vscode.NotebookCellKind.Markup : vscode.NotebookCellKind.Code, shape.value, shape.languageId);
  data.metadata = shape.metadata ?? {};
  data.outputs = (shape.outputs ?? []).map((o) => new vscode.NotebookCellOutput(o.items.map((i) => new vscode.NotebookCellOutputItem(i.data, i.mime)), o.metadata));
  if (shape.executionSummary) data.executionSummary = shape.executionSummary;
  return data;
}

/** Registers the serializer; outputs and metadata are part of the file (not transient). */
export function registerNotebookSerializer(notebookType: string, onRefused: (message: string) => void): vscode.Disposable {
  return vscode.workspace.registerNotebookSerializer(notebookType, new FtpnbSerializer(onRefused), { transientOutputs: false });
}
