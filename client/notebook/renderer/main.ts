import { describeStep } from '../../../engine/describe-step.js';
import type { NotebookTrace, NotebookVerdicts } from '../../../protocol/notebook.js';
import { traceMime, verdictsMime } from '../../../protocol/notebook.js';
import { traceToMermaidDiagram } from '../../../render/mermaid.js';
import { overviewStepAt, overviewToSvg, traceOverview } from '../../../render/overview.js';
import type { TraceWindow } from '../../../render/trace-window.js';
import { traceWindow } from '../../../render/trace-window.js';
import { resultText, sizeText, timeText, whereText } from '../../../notebook/outputs.js';
import { createMermaidRenderer, themeKind } from '../../preview/webview/diagram.js';
import type { TraceView } from '../../../protocol/notebook.js';
import { outputDigest } from '../trace-views.js';
import { readTrace, readVerdicts } from './read-outputs.js';

/**
 * The notebook renderer for Faultline's two output types. It gets JSON data,
 * never HTML: the verdict table is built from DOM nodes with `textContent`,
 * and a trace is drawn by the one Mermaid emitter (`render/mermaid.ts`, which
 * escapes every label) and the preview's Mermaid set-up (`securityLevel:
 * 'strict'`), exactly as in the timeline preview.
 */

/** The parts of VS Code's notebook renderer API used here (`vscode-notebook-renderer`). */
export interface OutputItem {
  readonly id: string;
  readonly mime: string;
  json(): unknown;
  data(): Uint8Array;
}

export interface RendererContext {
  readonly workspace?: { readonly isTrusted: boolean };
  /** Present when the extension listens (`requiresMessaging: optional` and the extension is running). */
  postMessage?(message: unknown): void;
}

export interface RendererApi {
  renderOutputItem(item: OutputItem, element: HTMLElement, signal?: AbortSignal): Promise<void>;
  disposeOutputItem(id?: string): void;
}

const css = `
.fl-nb { font-family: var(--vscode-font-family, system-ui, sans-serif); font-size: var(--vscode-font-size, 13px); color: var(--vscode-foreground, inherit); }
.fl-nb table { border-collapse: collapse; margin: 4px 0; }
.fl-nb th, .fl-nb td { border: 1px solid var(--vscode-panel-border, #8884); padding: 2px 8px; text-align: left; vertical-align: top; }
.fl-nb td.fl-num { text-align: right; font-variant-numeric: tabular-nums; }
.fl-nb .fl-ok { color: var(--vscode-testing-iconPassed, #388a34); }
.fl-nb .fl-bad { color: var(--vscode-testing-iconFailed, #e51400); font-weight: bold; }
.fl-nb .fl-diags { margin: 4px 0; padding-left: 20px; }
.fl-nb .fl-error { color: var(--vscode-errorForeground, #e51400); }
.fl-nb .fl-warning { color: var(--vscode-editorWarning-foreground, #bf8803); }
.fl-nb .fl-title { font-weight: bold; margin: 4px 0; }
.fl-nb .fl-summary, .fl-nb .fl-note { opacity: 0.8; margin: 4px 0; }
.fl-nb .fl-diagram svg { max-width: 100%; height: auto; }
.fl-nb .fl-nav { display: flex; gap: 8px; align-items: center; margin: 4px 0; }
.fl-nb .fl-overview-box { margin: 4px 0; cursor: crosshair; }
.fl-nb .fl-overview-box[hidden] { display: none; }
.fl-nb .fl-overview-box svg { display: block; width: 100%; height: auto; }
.fl-nb [hidden] { display: none; }
`;

function el<K extends keyof HTMLElementTagNameMap>(tag: K, text?: string, className?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = text;
  if (className) e.className = className;
  return e;
}

function style(): HTMLStyleElement {
  const s = document.createElement('style');
  s.textContent = css;
  return s;
}

/** The verdict table: diagnostics, one row per property (a run's rows grouped), a summary line. */
export function renderVerdicts(v: NotebookVerdicts): HTMLElement {
  const root = el('div', undefined, 'fl-nb fl-verdicts');
  if (v.diagnostics.length > 0) {
    const ul = el('ul', undefined, 'fl-diags');
    for (const d of v.diagnostics) {
      const li = el('li', `${whereText(d)}: ${d.severity}: ${d.message} [${d.code}]`, d.severity === 'error' ? 'fl-error' : d.severity === 'warning' ? 'fl-warning' : '');
      ul.append(li);
    }
    root.append(ul);
  }
  if (v.runs.length > 0) {
    const table = el('table');
    const head = el('tr');
    for (const h of ['Run', 'Property', 'Result', 'Expected', 'Explored', 'Time']) {
      const th = el('th', h);
      th.scope = 'col';
      head.append(th);
    }
    table.append(el('thead'));
    table.tHead!.append(head);
    const body = el('tbody');
    for (const run of v.runs) {
      const rows = Math.max(1, run.verdicts.length);
      const first = el('tr');
      const title = el('th', run.title);
      title.scope = 'rowgroup';
      title.rowSpan = rows;
      first.append(title);
      const cells = (tr: HTMLTableRowElement, i: number) => {
        const x = run.verdicts[i];
        if (x) {
          tr.append(el('td', x.property));
          const result = el('td', `${x.ok ? '✓' : '✗'} ${resultText(x)}`, x.ok ? 'fl-ok' : 'fl-bad');
          result.title = x.message;
          tr.append(result, el('td', x.expected));
        } else {
          tr.append(el('td', ''), el('td', `${run.ok ? '✓' : '✗'} ${run.statusText}`, run.ok ? 'fl-ok' : 'fl-bad'), el('td', ''));
        }
        if (i === 0) {
          const size = el('td', sizeText(run) || run.statusText, 'fl-num');
          const time = el('td', timeText(run.elapsedMs), 'fl-num');
          size.rowSpan = rows;
          time.rowSpan = rows;
          if (run.status !== 'complete') size.title = run.statusText;
          tr.append(size, time);
        }
        body.append(tr);
      };
      cells(first, 0);
      for (let i = 1; i < rows; i++) cells(el('tr'), i);
    }
    table.append(body);
    root.append(table);
  }
  const status = v.stopped ? 'stopped' : v.ok ? 'every expectation met' : 'an expectation was not met';
  root.append(el('p', `${status} in ${timeText(v.elapsedMs)}`, `fl-summary ${v.ok ? 'fl-ok' : 'fl-bad'}`));
  return root;
}

export function activate(context?: RendererContext): RendererApi {
  const mermaid = createMermaidRenderer();
  /**
   * The view each output was last moved to, by digest of its bytes: a re-render
   * (scrolled back, reloaded webview) shows it again before the notebook is saved.
   */
  const views = new Map<string, TraceView>();

  const renderTrace = async (t: NotebookTrace, element: HTMLElement, signal: AbortSignal | undefined, digest: () => string): Promise<void> => {
    const root = el('div', undefined, 'fl-nb fl-trace');
    root.append(el('p', t.title, `fl-title ${t.ok ? '' : 'fl-bad'}`.trim()));
    if (t.message && t.message !== t.title) root.append(el('p', t.message, 'fl-note'));
    const nav = el('div', undefined, 'fl-nav');
    const earlier = el('button', 'Earlier steps');
    const later = el('button', 'Later steps');
    const range = el('span');
    earlier.type = 'button';
    later.type = 'button';
    nav.append(earlier, range, later);
    const diagram = el('div', undefined, 'fl-diagram');
    const steps = el('details');
    steps.append(el('summary', `${t.trace.steps.length} ${t.trace.steps.length === 1 ? 'step' : 'steps'}`));
    const ol = el('ol');
    for (const s of t.trace.steps) ol.append(el('li', describeStep(s).replace(/^step \d+: /, '')));
    steps.append(ol);
    // A long trace gets the overview of the whole run (render/overview.ts); a click on it moves the window there.
    const overview = el('div', undefined, 'fl-overview-box');
    overview.hidden = true;
    root.append(nav, overview, diagram, steps);
    element.replaceChildren(style(), root);

    const total = t.trace.steps.length;
    const kept = views.size > 0 ? views.get(digest()) : undefined;
    let window: TraceWindow | null = kept?.window ?? t.view.window ?? traceWindow(t.trace, t.view.focus, null);
    // The extension keeps the window the user moved to and saves it in the output.
    const keep = () => {
      const view: TraceView = { focus: t.view.focus, window };
      views.set(digest(), view);
      context?.postMessage?.({ type: 'traceView', output: digest(), view });
    };
    const model = window ? traceOverview(t.trace, { width: Math.max(320, Math.round(root.clientWidth || 800)) }) : null;
    const drawOverview = () => {
      if (!model) return;
      overview.hidden = false;
      // Built from escaped text only.
      overview.innerHTML = overviewToSvg(model, { focus: t.view.focus, window });
    };
    overview.addEventListener('click', (event) => {
      const svg = overview.querySelector('svg');
      if (!model || !svg || !window) return;
      const box = svg.getBoundingClientRect();
      if (box.width <= 0) return;
      const step = overviewStepAt(model, ((event.clientX - box.left) * model.layout.width) / box.width);
      const next = traceWindow(t.trace, step, window);
      if (next === window || !next) return;
      window = next;
      keep();
      void draw();
    });
    const draw = async (): Promise<void> => {
      nav.hidden = window === null;
      drawOverview();
      if (window) {
        const first = Math.max(1, window.focus - window.radius);
        const last = Math.min(total, window.focus + window.radius);
        range.textContent = `steps ${first}–${last} of ${total}`;
        earlier.disabled = first <= 1;
        later.disabled = last >= total;
      }
      const body = document.body;
      mermaid.configure(themeKind(body), body);
      const { text } = traceToMermaidDiagram(t.trace, { focus: t.view.focus, ...(window ? { window } : {}) });
      if (signal?.aborted) return;
      try {
        await mermaid.render(diagram, text);
        diagram.dataset.state = 'rendered';
      } catch (e) {
        diagram.replaceChildren(el('p', `The diagram could not be drawn: ${e instanceof Error ? e.message : String(e)}`, 'fl-error'));
        diagram.dataset.state = 'error';
      }
    };
    const move = (by: number) => {
      if (!window) return;
      const step = Math.max(1, Math.min(total, window.focus + by * (2 * window.radius + 1)));
      window = traceWindow(t.trace, step, null);
      keep();
      void draw();
    };
    earlier.addEventListener('click', () => move(-1));
    later.addEventListener('click', () => move(1));
    await draw();
  };

  return {
    async renderOutputItem(item, element, signal) {
      let data: unknown;
      try {
        data = item.json();
      } catch {
        data = null;
      }
      if (item.mime === verdictsMime) {
        const v = readVerdicts(data);
        element.replaceChildren(style(), v ? renderVerdicts(v) : el('p', 'This output is not a Faultline verdict table.', 'fl-nb fl-error'));
        return;
      }
      if (item.mime === traceMime) {
        const t = readTrace(data);
        if (!t) {
          element.replaceChildren(style(), el('p', 'This output is not a Faultline trace.', 'fl-nb fl-error'));
          return;
        }
        try {
          // Digest of the bytes, computed once and only when needed (a large trace is megabytes).
          let digest: string | null = null;
          await renderTrace(t, element, signal, () => (digest ??= outputDigest(item.data())));
        } catch (e) {
          element.replaceChildren(style(), el('p', `The trace could not be shown: ${e instanceof Error ? e.message : String(e)}`, 'fl-nb fl-error'));
        }
        return;
      }
      element.replaceChildren(el('p', `Faultline cannot show ${item.mime}.`, 'fl-nb'));
    },
    disposeOutputItem() {
      // Nothing is kept per output: each drawing lives in its element.
    },
  };
}
