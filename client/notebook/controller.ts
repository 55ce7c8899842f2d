import * as vscode from 'vscode';
import type { KernelCell, CellPlacedDiagnostic } from '../../notebook/run.js';
import { ftpLanguage } from '../../notebook/run.js';
import type { ExploreSettings } from '../../protocol/lsp.js';
import { notebookType } from '../../protocol/notebook.js';
import type { CellWorkerHost, RunningCellJob } from './cell-worker-host.js';
import { outputToShape } from './notebook-data.js';

/**
 * The kernel of `faultline-notebook`: runs `ftp` cells in the notebook worker
 * (`notebook/run.ts` there), one at a time in the order asked, with execution
 * order, success and timing on each cell, its outputs (verdict table, traces)
 * and its diagnostics in the cell editors. Stopping a cell (or interrupting the
 * notebook) stops the engine through the worker's shared flag.
 */

export const notebookControllerId = 'faultline-notebook-kernel';

/** Milliseconds each check or scenario of a cell may run: a notebook run is asked for, so it gets longer than a background run. */
const cellTimeBudgetMs = 60_000;

export interface NotebookControllerDeps {
  host: CellWorkerHost;
  settings: () => ExploreSettings;
  output: vscode.OutputChannel;
}

const severities: Record<CellPlacedDiagnostic['diagnostic']['severity'], vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  information: vscode.DiagnosticSeverity.Information,
  hint: vscode.DiagnosticSeverity.Hint,
};

function kernelCells(notebook: vscode.NotebookDocument): KernelCell[] {
  return notebook.getCells().map((c) => ({
    kind: c.kind === vscode.NotebookCellKind.Markup ? 'markdown' : 'code',
    language: c.document.languageId,
    source: c.document.getText(),
  }));
}

function toVsOutput(output: Parameters<typeof outputToShape>[0]): vscode.NotebookCellOutput {
  const shape = outputToShape(output);
  return new vscode.NotebookCellOutput(
    shape.items.map((i) => new vscode.NotebookCellOutputItem(i.data, i.mime)),
    shape.metadata,
  );
}

export class NotebookKernel implements vscode.Disposable {
  private readonly controller: vscode.NotebookController;
  private readonly diagnostics = vscode.languages.createDiagnosticCollection('faultline-notebook');
  /** The last execution order given in each notebook. */
  private readonly orders = new Map<string, number>();
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor(private readonly deps: NotebookControllerDeps) {
    this.controller = vscode.notebooks.createNotebookController(notebookControllerId, notebookType, 'Faultline');
    this.controller.supportedLanguages = [ftpLanguage];
    this.controller.supportsExecutionOrder = true;
    this.controller.description = 'Runs protocol cells with the Faultline engine';
    this.controller.executeHandler = (cells, notebook) => this.execute(cells, notebook);
    this.subscriptions.push(
      vscode.workspace.onDidCloseNotebookDocument((nb) => {
        this.orders.delete(nb.uri.toString());
        for (const cell of nb.getCells()) this.diagnostics.delete(cell.document.uri);
      }),
    );
  }

  dispose(): void {
    this.controller.dispose();
    this.diagnostics.dispose();
    for (const s of this.subscriptions) s.dispose();
  }

  private nextOrder(notebook: vscode.NotebookDocument): number {
    const key = notebook.uri.toString();
    // Continue after the orders saved in the file.
    const last = this.orders.get(key) ?? Math.max(0, ...notebook.getCells().map((c) => c.executionSummary?.executionOrder ?? 0));
    this.orders.set(key, last + 1);
    return last + 1;
  }

  private async execute(cells: vscode.NotebookCell[], notebook: vscode.NotebookDocument): Promise<void> {
    // Every asked cell shows as pending at once, then runs in order.
    const executions = cells.filter((c) => c.kind === vscode.NotebookCellKind.Code).map((c) => ({ cell: c, execution: this.controller.createNotebookCellExecution(c) }));
    for (const { cell, execution } of executions) {
      if (execution.token.isCancellationRequested) {
        execution.end(undefined);
        continue;
      }
      await this.runOne(cell, notebook, execution);
    }
  }

  private async runOne(cell: vscode.NotebookCell, notebook: vscode.NotebookDocument, execution: vscode.NotebookCellExecution): Promise<void> {
    execution.executionOrder = this.nextOrder(notebook);
    execution.start(Date.now());
    await execution.clearOutput();
    if (cell.document.languageId !== ftpLanguage) {
      execution.end(undefined, Date.now());
      return;
    }
    const s = this.deps.settings();
    let job: RunningCellJob | null = this.deps.host.run({
      cells: kernelCells(notebook),
      index: cell.index,
      timeBudgetMs: cellTimeBudgetMs,
      limits: { maxStates: s.maxStates, maxDepth: s.maxDepth },
    });
    const cancel = execution.token.onCancellationRequested(() => job?.stop());
    try {
      const end = await job.ended;
      job = null;
      switch (end.kind) {
        case 'done':
          await execution.replaceOutput(end.run.outputs.map(toVsOutput));
          this.showDiagnostics(notebook, end.run.diagnostics, end.run.contextCells);
          execution.end(end.run.ok, Date.now());
          break;
        case 'cancelled':
          execution.end(undefined, Date.now());
          break;
        case 'killed':
          await execution.replaceOutput(new vscode.NotebookCellOutput([vscode.NotebookCellOutputItem.stderr('Stopped: the engine did not stop in time, so its worker was ended.')]));
          execution.end(false, Date.now());
          break;
        case 'crashed':
          this.deps.output.appendLine(`notebook cell ${cell.index + 1} failed: ${end.reason}`);
          await execution.replaceOutput(new vscode.NotebookCellOutput([vscode.NotebookCellOutputItem.error(new Error(`The cell could not be run: ${end.reason.split('\n')[0] ?? ''}`))]));
          execution.end(false, Date.now());
          break;
      }
    } finally {
      cancel.dispose();
    }
  }

  /** Puts the run's diagnostics on the cells they are about; the cells of the run that have none are cleared. */
  private showDiagnostics(notebook: vscode.NotebookDocument, placed: readonly CellPlacedDiagnostic[], context: readonly number[]): void {
    const byCell = new Map<number, vscode.Diagnostic[]>();
    for (const c of context) if (c < notebook.cellCount) byCell.set(c, []);
    for (const p of placed) {
      if (p.cell >= notebook.cellCount) continue;
      const doc = notebook.cellAt(p.cell).document;
      const d = p.diagnostic;
      const range = new vscode.Range(doc.positionAt(d.span.start), doc.positionAt(d.span.end));
      const diag = new vscode.Diagnostic(range, d.message, severities[d.severity]);
      diag.code = d.code;
      diag.source = 'faultline';
      diag.relatedInformation = p.related
        .filter((r) => r.cell < notebook.cellCount)
        .map((r) => {
          const rdoc = notebook.cellAt(r.cell).document;
          return new vscode.DiagnosticRelatedInformation(new vscode.Location(rdoc.uri, new vscode.Range(rdoc.positionAt(r.info.span.start), rdoc.positionAt(r.info.span.end))), r.info.message);
        });
      const list = byCell.get(p.cell) ?? [];
      list.push(diag);
      byCell.set(p.cell, list);
    }
    for (const [index, list] of byCell) this.diagnostics.set(notebook.cellAt(index).document.uri, list);
  }
}
