import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import { analyzeText } from '../../language/analyze.js';
import type { Span } from '../../language/span.js';
import type { RunRef } from '../../protocol/lsp.js';
import type { ExportFormat, HostToWebview, PreviewDocument, PreviewSelection, PreviewTrace } from '../../protocol/webview.js';
import { stateMachines } from '../../render/state-machine.js';
import { ExportProgress } from './export-progress.js';
import { localSample } from './local-traces.js';
import { previewHtml } from './preview-html.js';
import { previewData, traceId, withSample } from './trace-choices.js';
import type { TraceService } from './trace-service.js';
import { encodeHostMessage, routeWebviewMessage } from './webview-messages.js';

export const previewViewType = 'faultline.preview';

export interface PreviewDeps {
  extensionUri: vscode.Uri;
  traces: TraceService<vscode.CancellationToken>;
  output: vscode.OutputChannel;
  /** Longest sample run drawn for a seed. */
  sampleSteps: () => number;
}

/** What the page keeps in `vscode.setState` (see webview/main.ts); `uri` says which document to reopen. */
interface RestoredState {
  uri?: unknown;
}

/**
 * The timeline preview: one webview panel beside the editor, like the Markdown
 * preview. It follows the active `.ftp` editor, runs the document again
 * (debounced) when it changes, and routes the page's messages.
 */
export class PreviewManager implements vscode.Disposable {
  private panel: vscode.WebviewPanel | null = null;
  private target: vscode.Uri | null = null;
  private ready = false;
  /** The last `show` sent, replayed when the page (re)loads. */
  private shown: Extract<HostToWebview, { type: 'show' }> | null = null;
  private pendingSelect: PreviewSelection = { trace: null, run: null };
  private readonly waitingForReady: (() => void)[] = [];
  private refreshTimer: ReturnType<typeof setTimeout> | null = null;
  /** Bumped by each refresh: an older answer arriving late is dropped. */
  private generation = 0;
  /** Cancels the server's work for the previous refresh. */
  private running: vscode.CancellationTokenSource | null = null;
  private readonly disposables: vscode.Disposable[] = [];
  /** An SVG export drawing the whole trace in the page: shown as a cancellable notification. */
  private readonly exportProgress = new ExportProgress();
  private exportNotice: { progress: vscode.Progress<{ message?: string; increment?: number }>; close: () => void } | null = null;
  private readonly handlerDecoration = vscode.window.createTextEditorDecorationType({
    backgroundColor: new vscode.ThemeColor('editor.rangeHighlightBackground'),
    isWholeLine: false,
    overviewRulerColor: new vscode.ThemeColor('editorOverviewRuler.rangeHighlightForeground'),
  });

  constructor(private readonly deps: PreviewDeps) {
    this.disposables.push(
      this.handlerDecoration,
      vscode.window.onDidChangeActiveTextEditor((editor) => {
        if (!this.panel || !editor || editor.document.languageId !== 'ftp') return;
        if (this.target?.toString() === editor.document.uri.toString()) return;
        this.target = editor.document.uri;
        this.pendingSelect = { trace: null, run: null };
        void this.refresh();
      }),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (!this.panel || this.target?.toString() !== e.document.uri.toString() || e.contentChanges.length === 0) return;
        this.scheduleRefresh();
      }),
    );
  }

  /** The document the preview shows, if it is open. */
  get shownDocument(): vscode.Uri | null {
    return this.panel ? this.target : null;
  }

  /** Opens (or reveals) the preview on a document, optionally on one run. */
  async show(uri: vscode.Uri, run: RunRef | null): Promise<void> {
    const changed = this.target?.toString() !== uri.toString();
    this.target = uri;
    this.pendingSelect = { trace: null, run: run?.name ?? null };
    if (this.panel) {
      this.panel.reveal(this.panel.viewColumn ?? vscode.ViewColumn.Beside, true);
    } else {
      const panel = vscode.window.createWebviewPanel(previewViewType, 'Timeline', { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, this.panelOptions());
      this.adopt(panel);
    }
    if (changed || run !== null || !this.shown) await this.refresh();
  }

  /** Takes over a panel VS Code restored after a reload. */
  async restore(panel: vscode.WebviewPanel, state: unknown): Promise<void> {
    const uri = typeof state === 'object' && state !== null && typeof (state as RestoredState).uri === 'string' ? (state as { uri: string }).uri : null;
    panel.webview.options = this.panelOptions();
    this.adopt(panel);
    this.target = uri ? vscode.Uri.parse(uri) : (vscode.window.activeTextEditor?.document.languageId === 'ftp' ? vscode.window.activeTextEditor.document.uri : null);
    if (this.target) await this.refresh();
  }

  /** Asks the page for its diagram in a format; it answers with an `export` message. */
  async requestExport(format: ExportFormat): Promise<void> {
    if (!this.panel) {
      const editor = vscode.window.activeTextEditor;
      if (!editor || editor.document.languageId !== 'ftp') {
        void vscode.window.showInformationMessage('Open a .ftp file to export its diagram.');
        return;
      }
      await this.show(editor.document.uri, null);
    }
    await this.whenReady();
    this.post({ type: 'requestExport', format });
  }

  dispose(): void {
    this.running?.cancel();
    this.panel?.dispose();
    for (const d of this.disposables) d.dispose();
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
  }

  private panelOptions(): vscode.WebviewPanelOptions & vscode.WebviewOptions {
    return {
      enableScripts: true,
      enableFindWidget: true,
      localResourceRoots: [this.media()],
    };
  }

  private media(): vscode.Uri {
    return vscode.Uri.joinPath(this.deps.extensionUri, 'dist-ext', 'media');
  }

  private adopt(panel: vscode.WebviewPanel): void {
    this.panel = panel;
    this.ready = false;
    this.shown = null;
    panel.iconPath = vscode.Uri.joinPath(this.deps.extensionUri, 'resources', 'icon.png');
    const webview = panel.webview;
    webview.html = previewHtml({
      cspSource: webview.cspSource,
      nonce: randomBytes(16).toString('base64'),
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(this.media(), 'preview.js')).toString(),
      styleUri: webview.asWebviewUri(vscode.Uri.joinPath(this.media(), 'preview.css')).toString(),
    });
    const subscriptions = [
      webview.onDidReceiveMessage((data: unknown) => void this.onMessage(data)),
      panel.onDidDispose(() => {
        for (const s of subscriptions) s.dispose();
        this.panel = null;
        this.ready = false;
        this.shown = null;
        // The page that was drawing for an export is gone: so is its progress.
        this.exportProgress.report('cancelled', 0, 0);
        this.exportNotice?.close();
        for (const editor of vscode.window.visibleTextEditors) editor.setDecorations(this.handlerDecoration, []);
      }),
    ];
  }

  private post(message: HostToWebview): void {
    if (this.panel && this.ready) void this.panel.webview.postMessage(encodeHostMessage(message));
  }

  private whenReady(): Promise<void> {
    return this.ready ? Promise.resolve() : new Promise((resolve) => this.waitingForReady.push(resolve));
  }

  private scheduleRefresh(): void {
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    this.refreshTimer = setTimeout(() => {
      this.refreshTimer = null;
      void this.refresh();
    }, 400);
  }

  private async documentOf(uri: vscode.Uri): Promise<vscode.TextDocument> {
    return vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString()) ?? (await vscode.workspace.openTextDocument(uri));
  }

  private describe(doc: vscode.TextDocument): PreviewDocument {
    const name = doc.uri.path.split('/').pop() ?? 'untitled.ftp';
    return { uri: doc.uri.toString(), name, version: doc.version };
  }

  /** Runs the target document and sends its traces to the page. */
  private async refresh(): Promise<void> {
    const target = this.target;
    if (!this.panel || !target) return;
    const generation = ++this.generation;
    this.running?.cancel();
    this.running?.dispose();
    const cancel = new vscode.CancellationTokenSource();
    this.running = cancel;
    const doc = await this.documentOf(target);
    const document = this.describe(doc);
    this.panel.title = `Timeline: ${document.name}`;
    this.post({ type: 'busy', document });
    let message: Extract<HostToWebview, { type: 'show' }>;
    try {
      const result = await this.deps.traces.traces({ uri: document.uri, run: null }, cancel.token);
      const data = previewData(result);
      const text = doc.getText();
      message = {
        type: 'show',
        document: { ...document, version: result.version },
        runs: data.runs,
        traces: data.traces,
        stateMachines: stateMachines(analyzeText(text).model),
        select: this.pendingSelect,
        error: result.error,
      };
    } catch (e) {
      message = { type: 'show', document, runs: [], traces: [], stateMachines: [], select: this.pendingSelect, error: `The runs failed: ${e instanceof Error ? e.message : String(e)}` };
    }
    if (generation !== this.generation || !this.panel) return;
    this.running = null;
    cancel.dispose();
    this.pendingSelect = { trace: null, run: null };
    this.shown = message;
    this.post(message);
  }

  private async onMessage(data: unknown): Promise<void> {
    await routeWebviewMessage(data, {
      ready: () => {
        this.ready = true;
        if (this.shown) this.post(this.shown);
        for (const resolve of this.waitingForReady.splice(0)) resolve();
      },
      revealSource: (uri, version, span) => this.reveal(uri, version, span),
      requestSample: (uri, run, seed) => this.sample(uri, run, seed),
      stepChanged: (uri, _version, _step, handler) => this.markHandler(uri, handler),
      exportDiagram: (format, fileName, content) => this.save(format, fileName, content),
      exportProgress: (state, done, total) => this.showExportProgress(state, done, total),
      log: (level, message) => this.deps.output.appendLine(`[preview ${level}] ${message}`),
      rejected: (value) => this.deps.output.appendLine(`[preview] ignored a message: ${JSON.stringify(value).slice(0, 200)}`),
    });
  }

  private async reveal(uri: string, version: number, span: Span): Promise<void> {
    const doc = await this.documentOf(vscode.Uri.parse(uri));
    if (doc.version !== version) this.deps.output.appendLine(`[preview] the document changed since the trace was made (v${version} -> v${doc.version}): the range may be off`);
    const range = new vscode.Range(doc.positionAt(span.start), doc.positionAt(span.end));
    const column = vscode.window.visibleTextEditors.find((e) => e.document === doc)?.viewColumn ?? vscode.ViewColumn.One;
    const editor = await vscode.window.showTextDocument(doc, { viewColumn: column, selection: new vscode.Range(range.start, range.start), preserveFocus: false });
    editor.revealRange(range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
    editor.setDecorations(this.handlerDecoration, [range]);
  }

  private markHandler(uri: string, span: Span | null): void {
    for (const editor of vscode.window.visibleTextEditors) {
      if (editor.document.uri.toString() !== uri) continue;
      const ranges = span ? [new vscode.Range(editor.document.positionAt(span.start), editor.document.positionAt(span.end))] : [];
      editor.setDecorations(this.handlerDecoration, ranges);
      if (ranges[0]) editor.revealRange(ranges[0], vscode.TextEditorRevealType.InCenterIfOutsideViewport);
    }
  }

  private async sample(uri: string, run: string, seed: number): Promise<void> {
    const shown = this.shown;
    if (!shown || shown.document.uri !== uri) return;
    const doc = await this.documentOf(vscode.Uri.parse(uri));
    const text = doc.getText();
    const result = localSample(analyzeText(text).model, text, uri, doc.version, { name: run.replace(/ #\d+$/, '') }, seed, this.deps.sampleSteps());
    const fresh = previewData(result, new Map([[run, seed]])).traces[0];
    if (!fresh) {
      this.post({ ...shown, error: result.error ?? `No sample run of ${run}.`, select: { trace: null, run: null } });
      return;
    }
    const sample: PreviewTrace = { ...fresh, run, id: traceId(run, null), seed };
    const message = { ...shown, traces: withSample(shown.traces, sample), select: { trace: sample.id, run: null }, error: null };
    this.shown = { ...message, select: { trace: null, run: null } };
    this.post(message);
  }

  /**
   * Mermaid runs on the page's thread (it measures text in the DOM), so the page
   * draws the whole trace in chunks and reports them; VS Code shows the progress
   * and its Cancel reaches the page as `cancelExport`.
   */
  private showExportProgress(state: 'running' | 'done' | 'cancelled' | 'failed', done: number, total: number): void {
    const step = this.exportProgress.report(state, done, total);
    if (step.open) {
      void vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: 'Faultline: drawing the whole trace for the SVG export', cancellable: true },
        (progress, token) =>
          new Promise<void>((resolve) => {
            const close = () => {
              this.exportNotice = null;
              resolve();
            };
            this.exportNotice = { progress, close };
            token.onCancellationRequested(() => {
              this.post({ type: 'cancelExport' });
              close();
            });
          }),
      );
    }
    this.exportNotice?.progress.report({ increment: step.increment, message: step.message });
    if (step.close) {
      this.exportNotice?.close();
      if (state === 'failed') void vscode.window.showErrorMessage('Faultline: the whole trace could not be drawn for the SVG export (see the Faultline output).');
    }
  }

  private async save(format: ExportFormat, fileName: string, content: string): Promise<void> {
    const base = this.target ? vscode.Uri.joinPath(this.target, '..') : vscode.workspace.workspaceFolders?.[0]?.uri;
    const defaultUri = base && base.scheme === 'file' ? vscode.Uri.joinPath(base, fileName) : undefined;
    const uri = await vscode.window.showSaveDialog({
      ...(defaultUri ? { defaultUri } : {}),
      filters: format === 'svg' ? { 'SVG image': ['svg'] } : { Markdown: ['md'] },
      saveLabel: format === 'svg' ? 'Export SVG' : 'Export Markdown',
    });
    if (!uri) return;
    await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(content));
    const open = await vscode.window.showInformationMessage(`Saved ${uri.path.split('/').pop() ?? 'the diagram'}.`, 'Open');
    if (open === 'Open') await vscode.commands.executeCommand('vscode.open', uri);
  }
}
