import * as vscode from 'vscode';
import { analyzeText } from '../language/analyze.js';
import type { RunRef } from '../protocol/lsp.js';
import type { ExportFormat } from '../protocol/webview.js';
import { commandIds, commandTarget } from './command-args.js';
import { findRuns, runNameOf } from './preview/local-traces.js';
import type { PreviewManager } from './preview/preview-panel.js';
import type { TraceService } from './preview/trace-service.js';
import { runSummary } from './run-summary.js';

export interface CommandDeps {
  extensionUri: vscode.Uri;
  preview: PreviewManager;
  traces: TraceService<vscode.CancellationToken>;
  output: vscode.OutputChannel;
}

/** The `.ftp` document a command is about: its argument, else the active editor. */
async function targetDocument(uri: string | null): Promise<vscode.TextDocument | null> {
  if (uri) return vscode.workspace.openTextDocument(vscode.Uri.parse(uri));
  const doc = vscode.window.activeTextEditor?.document;
  if (doc?.languageId === 'ftp') return doc;
  void vscode.window.showInformationMessage('Open a .ftp file first.');
  return null;
}

/** Asks which scenario or check to run when the command came without one. */
async function pickRun(doc: vscode.TextDocument): Promise<RunRef | null | undefined> {
  const text = doc.getText();
  const runs = findRuns(analyzeText(text).model, text, null);
  if (runs.length <= 1) return runs[0] ? { name: runNameOf(runs[0]) } : null;
  const items = runs.map((s) => ({
    label: runNameOf(s),
    description: s === null ? 'default exploration' : s.kind === 'ScenarioDecl' ? 'scenario' : `check ${s.mode}`,
    ref: { name: runNameOf(s), position: s ? doc.positionAt(s.span.start) : { line: 0, character: 0 } } satisfies RunRef,
  }));
  const chosen = await vscode.window.showQuickPick(items, { placeHolder: 'Which scenario or check?' });
  return chosen ? { name: chosen.ref.name, position: { line: chosen.ref.position.line, character: chosen.ref.position.character } } : undefined;
}

export function registerCommands(deps: CommandDeps): vscode.Disposable[] {
  const run = async (args: unknown[], mode: 'explore' | undefined) => {
    const target = commandTarget(args);
    const doc = await targetDocument(target.uri);
    if (!doc) return;
    const ref = target.run ?? (await pickRun(doc));
    if (ref === undefined) return;
    const title = `${mode === 'explore' ? 'Exploring' : 'Running'} ${ref?.name ?? 'all runs'}`;
    let cancelled = false;
    const result = await vscode.window
      .withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, (_progress, token) => {
        token.onCancellationRequested(() => (cancelled = true));
        return deps.traces.traces({ uri: doc.uri.toString(), run: ref, ...(mode ? { mode } : {}) }, token);
      })
      .then(
        (r) => r,
        (e: unknown) => {
          if (!cancelled) void vscode.window.showErrorMessage(`${title} failed: ${e instanceof Error ? e.message : String(e)}`);
          return null;
        },
      );
    if (!result || cancelled) return;
    const summary = runSummary(result);
    for (const line of summary.lines) deps.output.appendLine(`${doc.uri.path.split('/').pop() ?? ''}: ${line}`);
    const show = summary.ok ? vscode.window.showInformationMessage : vscode.window.showWarningMessage;
    const action = await show(summary.headline, 'Show timeline');
    if (action === 'Show timeline') await deps.preview.show(doc.uri, ref);
  };

  return [
    vscode.commands.registerCommand(commandIds.showPreview, async (...args: unknown[]) => {
      const target = commandTarget(args);
      // From the preview itself (no .ftp editor active): show its own document again.
      const shown = deps.preview.shownDocument;
      if (target.uri === null && shown && vscode.window.activeTextEditor?.document.languageId !== 'ftp') {
        await deps.preview.show(shown, target.run);
        return;
      }
      const doc = await targetDocument(target.uri);
      if (doc) await deps.preview.show(doc.uri, target.run);
    }),
    vscode.commands.registerCommand(commandIds.runScenario, (...args: unknown[]) => run(args, undefined)),
    vscode.commands.registerCommand(commandIds.explore, (...args: unknown[]) => run(args, 'explore')),
    vscode.commands.registerCommand(commandIds.exportDiagram, async (format?: unknown) => {
      let chosen: ExportFormat | undefined = format === 'svg' || format === 'markdown' ? format : undefined;
      if (!chosen) {
        const pick = await vscode.window.showQuickPick(
          [
            { label: 'SVG image', format: 'svg' as const },
            { label: 'Markdown (a mermaid block)', format: 'markdown' as const },
          ],
          { placeHolder: 'Export the diagram as' },
        );
        chosen = pick?.format;
      }
      if (chosen) await deps.preview.requestExport(chosen);
    }),
    vscode.commands.registerCommand(commandIds.openSample, async (name?: unknown) => {
      const file = typeof name === 'string' && /^[a-z0-9-]+\.ftp$/.test(name) ? name : 'two-phase-commit.ftp';
      const bytes = await vscode.workspace.fs.readFile(vscode.Uri.joinPath(deps.extensionUri, 'samples', file));
      // An untitled copy: the installed extension's files stay untouched.
      const doc = await vscode.workspace.openTextDocument({ language: 'ftp', content: new TextDecoder().decode(bytes) });
      await vscode.window.showTextDocument(doc);
    }),
  ];
}
