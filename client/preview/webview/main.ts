import { describeStep } from '../../../engine/describe-step.js';
import type { Trace } from '../../../engine/trace.js';
import { assertNever } from '../../../language/ast.js';
import type { Span } from '../../../language/span.js';
import type { ExportFormat, HostToWebview, PreviewDocument, PreviewTrace, WebviewToHost } from '../../../protocol/webview.js';
import type { DiagramStatement } from '../../../render/mermaid.js';
import { traceToMermaid, traceToMermaidDiagram } from '../../../render/mermaid.js';
import type { OverviewModel } from '../../../render/overview.js';
import { overviewStepAt, overviewToSvg, overviewX, traceOverview } from '../../../render/overview.js';
import type { StateMachine } from '../../../render/state-machine.js';
import { stateMachineToMermaid } from '../../../render/state-machine.js';
import type { TraceWindow } from '../../../render/trace-window.js';
import { traceWindow } from '../../../render/trace-window.js';
import { chooseTrace, clampStep, initialStep } from '../trace-choices.js';
import { parseHostMessage, safeFileName } from '../webview-messages.js';
import { createMermaidRenderer, stackedSvgFile, stepMarks, svgFile, textLimitFor, themeKind, warmUpDiagram } from './diagram.js';
import { byId, fillMachinePicker, fillNodeStates, fillTracePicker } from './dom.js';

/**
 * The timeline preview page. It receives trace JSON from the extension host,
 * draws it with the one Mermaid emitter (`render/mermaid.ts`) and the bundled
 * Mermaid, and answers with typed messages (`protocol/webview.ts`).
 */

interface VsCodeApi {
  postMessage(message: WebviewToHost): void;
  getState(): unknown;
  setState(state: SavedState): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

/** What survives the panel being hidden or VS Code reloading. */
interface SavedState {
  /** The document shown: the host reopens it after a reload. */
  uri: string | null;
  trace: string | null;
  step: number;
  tab: 'timeline' | 'machines';
  machine: number;
}

function savedState(v: unknown): SavedState {
  const s = (typeof v === 'object' && v !== null ? v : {}) as Partial<Record<keyof SavedState, unknown>>;
  return {
    uri: typeof s.uri === 'string' ? s.uri : null,
    trace: typeof s.trace === 'string' ? s.trace : null,
    step: typeof s.step === 'number' && Number.isInteger(s.step) && s.step >= 0 ? s.step : 0,
    tab: s.tab === 'machines' ? 'machines' : 'timeline',
    machine: typeof s.machine === 'number' && Number.isInteger(s.machine) && s.machine >= 0 ? s.machine : 0,
  };
}

/** What is drawn in the timeline now. */
interface Drawn {
  trace: PreviewTrace;
  window: TraceWindow | null;
  svg: SVGSVGElement;
  statements: DiagramStatement[];
  marks: Map<number, Element[]> | null;
  /** The whole trace, drawn in chunks (one SVG each) by "Render the whole trace". */
  whole: SVGSVGElement[] | null;
}

/**
 * Steps on each side of a chunk's middle when the whole trace is drawn: 41 steps,
 * a few hundred milliseconds of Mermaid at most, so Cancel is answered quickly.
 */
const chunkRadius = 20;

function start(): void {
  const vscode = acquireVsCodeApi();
  const post = (m: WebviewToHost) => vscode.postMessage(m);
  const mermaid = createMermaidRenderer();
  const ui = {
    picker: byId('trace-picker', HTMLSelectElement),
    seed: byId('seed', HTMLInputElement),
    sample: byId('sample', HTMLButtonElement),
    tabTimeline: byId('tab-timeline', HTMLButtonElement),
    tabMachines: byId('tab-machines', HTMLButtonElement),
    exportSvg: byId('export-svg', HTMLButtonElement),
    exportMd: byId('export-md', HTMLButtonElement),
    message: byId('message', HTMLParagraphElement),
    timeline: byId('timeline-view', HTMLElement),
    timelineControls: byId('timeline-controls', HTMLDivElement),
    machines: byId('machines-view', HTMLElement),
    slider: byId('step', HTMLInputElement),
    prev: byId('step-prev', HTMLButtonElement),
    next: byId('step-next', HTMLButtonElement),
    stepLabel: byId('step-label', HTMLOutputElement),
    stepText: byId('step-text', HTMLParagraphElement),
    whole: byId('whole', HTMLDivElement),
    wholeRender: byId('whole-render', HTMLButtonElement),
    wholeBox: byId('whole-progress-box', HTMLSpanElement),
    wholeProgress: byId('whole-progress', HTMLProgressElement),
    wholeLabel: byId('whole-label', HTMLOutputElement),
    wholeCancel: byId('whole-cancel', HTMLButtonElement),
    diagram: byId('diagram', HTMLDivElement),
    overview: byId('overview', HTMLDivElement),
    nodeStates: byId('node-states', HTMLTableElement),
    machinePicker: byId('machine-picker', HTMLSelectElement),
    machine: byId('machine', HTMLDivElement),
    status: byId('status', HTMLDivElement),
  };
  const tbody = ui.nodeStates.tBodies[0]!;

  const saved = savedState(vscode.getState());
  const page = {
    document: null as PreviewDocument | null,
    traces: [] as PreviewTrace[],
    machines: [] as StateMachine[],
    current: null as PreviewTrace | null,
    step: saved.step,
    tab: saved.tab,
    machine: saved.machine,
    drawn: null as Drawn | null,
    /** The overview shown above the diagram, and the trace and width it was drawn for. */
    overview: null as { trace: PreviewTrace; width: number; model: OverviewModel; svg: SVGSVGElement } | null,
    /** Bumped by every drawing: a slower, older one never overwrites a newer one. */
    generation: 0,
    machineDrawn: null as StateMachine | null,
    /** An export asked for before anything was drawn: done after the first drawing. */
    pendingExport: null as ExportFormat | null,
    /** An SVG export drawing the whole trace first: its chunks so far, reported to the host's progress notification. */
    exportWhole: null as { done: number; total: number } | null,
    theme: themeKind(document.body),
  };

  const persist = () => vscode.setState({ uri: page.document?.uri ?? saved.uri, trace: page.current?.id ?? null, step: page.step, tab: page.tab, machine: page.machine });
  const setStatus = (state: string) => {
    ui.status.dataset.state = state;
    ui.status.dataset.trace = page.current?.id ?? '';
    ui.status.dataset.step = String(page.step);
    ui.status.dataset.window = page.drawn?.window ? `${page.drawn.window.focus}±${page.drawn.window.radius}` : '';
  };
  const say = (text: string) => {
    ui.message.textContent = text;
    ui.message.hidden = text.length === 0;
  };

  // ---- the timeline -------------------------------------------------------

  /** Draws the overview of the whole run when the trace or the panel's width changed; it costs no more than the pixels. */
  const drawOverview = () => {
    const t = page.current;
    if (!t || t.trace.steps.length === 0) {
      ui.overview.replaceChildren();
      ui.overview.hidden = true;
      page.overview = null;
      return;
    }
    ui.overview.hidden = false;
    const width = Math.max(320, Math.round(ui.overview.clientWidth || 800));
    if (page.overview && page.overview.trace === t && page.overview.width === width) return;
    const model = traceOverview(t.trace, { width });
    // Built by render/overview.ts from escaped text only.
    ui.overview.innerHTML = overviewToSvg(model, { focus: page.step, title: `Overview of ${t.trace.steps.length} steps` });
    const svg = ui.overview.querySelector('svg');
    if (!svg) return;
    page.overview = { trace: t, width, model, svg };
    ui.status.dataset.overview = String(model.columns);
    showOverviewFocus();
  };

  /** Moves the overview's focus line and window box to the current step and drawn window. */
  const showOverviewFocus = () => {
    const o = page.overview;
    if (!o || o.trace !== page.current) return;
    const m = o.model;
    const focus = o.svg.querySelector('.fl-ov-focus');
    const x = String(Math.round(overviewX(m, page.step) * 10) / 10);
    focus?.setAttribute('x1', x);
    focus?.setAttribute('x2', x);
    const box = o.svg.querySelector('.fl-ov-window');
    const w = page.drawn && page.drawn.trace === o.trace ? page.drawn.window : null;
    if (!box) return;
    if (!w) {
      box.setAttribute('visibility', 'hidden');
      return;
    }
    const half = (m.layout.width - m.layout.labelWidth - 8) / m.columns / 2;
    const left = overviewX(m, Math.max(1, w.focus - w.radius)) - half;
    const right = overviewX(m, Math.min(m.steps, w.focus + w.radius)) + half;
    box.setAttribute('x', String(left));
    box.setAttribute('width', String(Math.max(2, right - left)));
    box.removeAttribute('visibility');
  };

  const drawTimeline = async (): Promise<void> => {
    const t = page.current;
    const generation = ++page.generation;
    drawOverview();
    if (!t) {
      ui.diagram.replaceChildren();
      page.drawn = null;
      setStatus('empty');
      return;
    }
    setStatus('rendering');
    const window = traceWindow(t.trace, page.step, null);
    const diagram = traceToMermaidDiagram(t.trace, window ? { window } : {});
    endWhole(null);
    mermaid.configure(page.theme, document.body, textLimitFor(diagram.text));
    try {
      const host = document.createElement('div');
      const svg = await mermaid.render(host, diagram.text);
      if (generation !== page.generation) return;
      ui.diagram.replaceChildren(...host.childNodes);
      const marks = stepMarks(svg, diagram.statements);
      if (!marks) post({ type: 'log', level: 'error', message: 'the diagram does not match its statements: steps cannot be highlighted' });
      page.drawn = { trace: t, window, svg, statements: diagram.statements, marks, whole: null };
      ui.whole.hidden = window === null;
      showStep();
      showOverviewFocus();
      setStatus('rendered');
      if (page.pendingExport) {
        const format = page.pendingExport;
        page.pendingExport = null;
        exportDiagram(format);
      }
    } catch (e) {
      if (generation !== page.generation) return;
      const text = e instanceof Error ? e.message : String(e);
      say(`The diagram could not be drawn: ${text}`);
      post({ type: 'log', level: 'error', message: `Mermaid: ${text}` });
      setStatus('error');
    }
  };

  /** Moves the highlight, the slider and the node table to `page.step`, without drawing again when it can. */
  const showStep = () => {
    const t = page.current;
    if (!t) return;
    const trace = t.trace;
    ui.slider.max = String(trace.steps.length);
    ui.slider.value = String(page.step);
    ui.prev.disabled = page.step <= 0;
    ui.next.disabled = page.step >= trace.steps.length;
    ui.stepLabel.value = page.step === 0 ? `initial state (${trace.steps.length} steps)` : `step ${page.step} of ${trace.steps.length}`;
    const step = trace.steps[page.step - 1];
    const violated = trace.violation && trace.violation.step === page.step ? ` ⟶ ${trace.violation.message}` : '';
    ui.stepText.textContent = step ? `${describeStep(step)}${violated}` : `Every node before the first step.${violated}`;
    fillNodeStates(tbody, trace, page.step);
    const drawn = page.drawn;
    if (drawn && drawn.trace === t) {
      if (!drawn.whole && traceWindow(trace, page.step, drawn.window) !== drawn.window) {
        void drawTimeline();
        return;
      }
      showOverviewFocus();
      for (const el of drawn.svg.querySelectorAll('.fl-current')) el.classList.remove('fl-current');
      const marks = drawn.marks?.get(page.step) ?? [];
      for (const el of marks) el.classList.add('fl-current');
      marks[0]?.scrollIntoView({ block: 'nearest', inline: 'nearest' });
    }
    setStatus(ui.status.dataset.state ?? 'rendered');
  };

  // ---- the whole trace, on request ---------------------------------------

  /**
   * Mermaid needs the page's DOM to measure text, so it cannot run in a worker:
   * the whole trace is drawn a chunk of steps at a time, yielding to the page
   * between chunks, so progress shows, the page answers and Cancel works.
   */
  const renderWhole = async (forExport = false): Promise<void> => {
    const t = page.current;
    if (!t) return;
    const generation = ++page.generation;
    const total = t.trace.steps.length;
    const chunks = Math.max(1, Math.ceil(total / (2 * chunkRadius + 1)));
    // An export this drawing replaces ends here, so the host's notification closes.
    if (page.exportWhole) endWhole('cancelled');
    page.exportWhole = forExport ? { done: 0, total: chunks } : null;
    if (page.exportWhole) post({ type: 'exportProgress', state: 'running', ...page.exportWhole });
    const host = document.createElement('div');
    const svgs: SVGSVGElement[] = [];
    const marks = new Map<number, Element[]>();
    let complete = true;
    ui.wholeRender.disabled = true;
    ui.wholeBox.hidden = false;
    ui.wholeProgress.max = chunks;
    ui.status.dataset.whole = 'rendering';
    ui.status.dataset.wholeChunks = '0';
    setStatus('rendering');
    for (let k = 0; k < chunks; k++) {
      const first = k * (2 * chunkRadius + 1) + 1;
      ui.wholeProgress.value = k;
      ui.wholeLabel.value = `steps ${first.toLocaleString('en-US')}–${Math.min(total, first + 2 * chunkRadius).toLocaleString('en-US')} of ${total.toLocaleString('en-US')}`;
      // Let the page paint the progress and take a click on Cancel.
      await new Promise<void>((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
      if (generation !== page.generation) return;
      const diagram = traceToMermaidDiagram(t.trace, { window: { focus: first + chunkRadius, radius: chunkRadius }, markers: false });
      mermaid.configure(page.theme, document.body, textLimitFor(diagram.text));
      const box = document.createElement('div');
      box.className = 'fl-chunk';
      let svg: SVGSVGElement;
      try {
        svg = await mermaid.render(box, diagram.text);
      } catch (e) {
        if (generation !== page.generation) return;
        const text = e instanceof Error ? e.message : String(e);
        say(`The whole trace could not be drawn: ${text}`);
        post({ type: 'log', level: 'error', message: `Mermaid: ${text}` });
        complete = false;
        break;
      }
      if (generation !== page.generation) return;
      for (const [step, els] of stepMarks(svg, diagram.statements) ?? []) marks.set(step, els);
      svgs.push(svg);
      host.append(box);
      if (k === 0) ui.diagram.replaceChildren(host);
      ui.status.dataset.wholeChunks = String(k + 1);
      if (page.exportWhole) {
        page.exportWhole.done = k + 1;
        post({ type: 'exportProgress', state: 'running', ...page.exportWhole });
      }
    }
    if (!complete) {
      endWhole('failed');
      void drawTimeline();
      return;
    }
    page.drawn = { trace: t, window: null, svg: svgs[0]!, statements: [], marks, whole: svgs };
    endWhole('done');
    ui.whole.hidden = true;
    showStep();
    showOverviewFocus();
    setStatus('rendered');
    if (forExport) exportDiagram('svg');
  };

  /** Hides the progress of a whole-trace drawing and says how it ended. */
  const endWhole = (state: 'done' | 'cancelled' | 'failed' | null) => {
    ui.wholeBox.hidden = true;
    ui.wholeRender.disabled = false;
    // null: a newer drawing took over, which cancels one in progress.
    const ended = state ?? (ui.status.dataset.whole === 'rendering' ? 'cancelled' : null);
    if (ended) ui.status.dataset.whole = ended;
    if (page.exportWhole && ended) post({ type: 'exportProgress', state: ended, ...page.exportWhole });
    if (ended) page.exportWhole = null;
  };

  /** Cancel (the page's button or the host's progress notification): back to the window. */
  const cancelWhole = () => {
    endWhole('cancelled');
    void drawTimeline();
  };

  const setStep = (n: number, from: 'user' | 'host') => {
    const t = page.current;
    if (!t) return;
    const next = clampStep(t.trace, n);
    if (next === page.step && page.drawn?.trace === t) return;
    page.step = next;
    showStep();
    persist();
    if (from === 'user' && page.document) {
      post({ type: 'stepChanged', uri: page.document.uri, version: page.document.version, step: next, handler: sourceOf(t.trace, next) });
    }
  };

  /** Where a step comes from in the source: its handler, else the fault or the failure. */
  const sourceOf = (trace: Trace, step: number): Span | null => {
    const s = trace.steps[step - 1];
    return s ? (s.handler ?? s.error?.span ?? s.fault?.span ?? null) : null;
  };

  const chooseCurrent = (next: PreviewTrace | null, keepStep: boolean) => {
    const same = next !== null && page.current !== null && next.id === page.current.id;
    page.current = next;
    if (next) page.step = keepStep && same ? clampStep(next.trace, page.step) : initialStep(next.trace);
    ui.seed.value = String(next?.seed ?? ui.seed.value);
    persist();
  };

  // ---- the state machines -------------------------------------------------

  const drawMachine = async () => {
    const m = page.machines[page.machine] ?? page.machines[0];
    if (!m) {
      ui.machine.replaceChildren();
      ui.machine.textContent = 'No role of this protocol has an enum state.';
      page.machineDrawn = null;
      return;
    }
    mermaid.configure(page.theme, document.body);
    try {
      const host = document.createElement('div');
      await mermaid.render(host, stateMachineToMermaid(m));
      ui.machine.replaceChildren(...host.childNodes);
      page.machineDrawn = m;
      ui.status.dataset.machine = `${m.role}.${m.variable}`;
    } catch (e) {
      ui.machine.textContent = `The state machine could not be drawn: ${e instanceof Error ? e.message : String(e)}`;
    }
  };

  const showTab = (tab: 'timeline' | 'machines') => {
    page.tab = tab;
    ui.timeline.hidden = tab !== 'timeline';
    ui.timelineControls.hidden = tab !== 'timeline';
    ui.machines.hidden = tab !== 'machines';
    if (tab === 'timeline') drawOverview();
    ui.tabTimeline.setAttribute('aria-selected', String(tab === 'timeline'));
    ui.tabMachines.setAttribute('aria-selected', String(tab === 'machines'));
    if (tab === 'machines' && page.machineDrawn !== page.machines[page.machine]) void drawMachine();
    persist();
  };

  // ---- export -------------------------------------------------------------

  const exportDiagram = (format: ExportFormat) => {
    const doc = page.document;
    const base = doc ? doc.name.replace(/\.[^.]*$/, '') : 'faultline';
    if (page.tab === 'machines') {
      const m = page.machineDrawn;
      const svg = ui.machine.querySelector('svg');
      if (!m || !svg) return say('There is no state machine to export.');
      const fileName = `${safeFileName(`${base}-${m.role}-${m.variable}`)}.${format === 'svg' ? 'svg' : 'md'}`;
      const content = format === 'svg' ? svgFile(svg) : markdown(`${m.role}.${m.variable}`, stateMachineToMermaid(m));
      return post({ type: 'export', format, fileName, content });
    }
    const drawn = page.drawn;
    if (!drawn) {
      if (page.document === null || ui.status.dataset.state === 'rendering') {
        page.pendingExport = format;
        return;
      }
      return say('There is no diagram to export.');
    }
    // An SVG file is the whole trace: a window is drawn whole first, in chunks, with progress and Cancel.
    if (format === 'svg' && drawn.window && !drawn.whole) {
      void renderWhole(true);
      return;
    }
    const t = drawn.trace;
    const fileName = `${safeFileName(`${base}-${t.run}-${t.property ?? 'sample'}`)}.${format === 'svg' ? 'svg' : 'md'}`;
    const content =
      format === 'svg'
        ? drawn.whole
          ? stackedSvgFile(drawn.whole)
          : svgFile(drawn.svg)
        : markdown(`${t.trace.protocol}, ${t.run}: ${t.message}`, traceToMermaid(t.trace, drawn.window ? { window: drawn.window } : {}));
    post({ type: 'export', format, fileName, content });
  };

  // ---- messages from the host ---------------------------------------------

  const onHostMessage = (msg: HostToWebview) => {
    switch (msg.type) {
      case 'show': {
        page.document = msg.document;
        page.traces = msg.traces;
        page.machines = msg.stateMachines;
        if (page.machine >= page.machines.length) page.machine = 0;
        const next = chooseTrace(msg.traces, msg.select, page.current?.id ?? saved.trace);
        const restoring = page.current === null && next !== null && next.id === saved.trace && msg.select.trace === null;
        if (restoring) page.current = next;
        chooseCurrent(next, true);
        fillTracePicker(ui.picker, page.traces, page.current?.id ?? null);
        fillMachinePicker(ui.machinePicker, page.machines, page.machine);
        say(msg.error ?? (msg.traces.length === 0 ? 'This file has no runs to show.' : ''));
        ui.sample.disabled = page.current === null;
        page.machineDrawn = null;
        if (page.tab === 'machines') void drawMachine();
        void drawTimeline();
        return;
      }
      case 'busy':
        say(`Running ${msg.document.name}…`);
        return;
      case 'selectStep':
        setStep(msg.step, 'host');
        return;
      case 'requestExport':
        exportDiagram(msg.format);
        return;
      case 'cancelExport':
        if (page.exportWhole) cancelWhole();
        return;
      default:
        assertNever(msg);
    }
  };

  window.addEventListener('message', (event: MessageEvent<unknown>) => {
    const msg = parseHostMessage(event.data);
    if (msg) onHostMessage(msg);
  });

  // ---- user input ---------------------------------------------------------

  ui.picker.addEventListener('change', () => {
    chooseCurrent(page.traces.find((t) => t.id === ui.picker.value) ?? null, false);
    void drawTimeline();
  });
  ui.slider.addEventListener('input', () => setStep(Number(ui.slider.value), 'user'));
  ui.prev.addEventListener('click', () => setStep(page.step - 1, 'user'));
  ui.next.addEventListener('click', () => setStep(page.step + 1, 'user'));
  ui.sample.addEventListener('click', () => {
    const seed = Number(ui.seed.value);
    if (!page.document || !page.current || !Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) return say('A seed is a whole number from 0 to 4294967295.');
    post({ type: 'requestSample', uri: page.document.uri, run: page.current.run, seed });
  });
  ui.tabTimeline.addEventListener('click', () => showTab('timeline'));
  ui.tabMachines.addEventListener('click', () => showTab('machines'));
  ui.machinePicker.addEventListener('change', () => {
    page.machine = Number(ui.machinePicker.value);
    persist();
    void drawMachine();
  });
  ui.wholeRender.addEventListener('click', () => void renderWhole());
  ui.wholeCancel.addEventListener('click', cancelWhole);
  ui.exportSvg.addEventListener('click', () => exportDiagram('svg'));
  ui.exportMd.addEventListener('click', () => exportDiagram('markdown'));

  // A click on an arrow or a note selects its step and shows where it comes from.
  ui.diagram.addEventListener('click', (event) => {
    const target = event.target instanceof Element ? event.target.closest('[data-step]') : null;
    const t = page.current;
    if (!target || !t) return;
    const step = Number(target.getAttribute('data-step'));
    setStep(step, 'user');
    const span = sourceOf(t.trace, step);
    if (span && page.document) post({ type: 'revealSource', uri: page.document.uri, version: page.document.version, span });
  });

  // A click on the overview moves the focus there; the diagram follows when the step leaves its window.
  ui.overview.addEventListener('click', (event) => {
    const o = page.overview;
    if (!o || o.trace !== page.current) return;
    const box = o.svg.getBoundingClientRect();
    if (box.width <= 0) return;
    const x = ((event.clientX - box.left) * o.model.layout.width) / box.width;
    setStep(overviewStepAt(o.model, x), 'user');
  });
  window.addEventListener('resize', () => {
    if (page.tab === 'timeline') drawOverview();
  });

  document.addEventListener('keydown', (event) => {
    if (page.tab !== 'timeline' || event.altKey || event.ctrlKey || event.metaKey) return;
    const target = event.target;
    if (target instanceof HTMLSelectElement || (target instanceof HTMLInputElement && target !== ui.slider) || target instanceof HTMLTextAreaElement) return;
    // The slider moves itself on arrows; elsewhere the same keys move the step.
    if (target === ui.slider && event.key.startsWith('Arrow')) return;
    const t = page.current;
    if (!t) return;
    const moves: Record<string, number> = {
      ArrowRight: page.step + 1,
      ArrowDown: page.step + 1,
      j: page.step + 1,
      ArrowLeft: page.step - 1,
      ArrowUp: page.step - 1,
      k: page.step - 1,
      Home: 0,
      End: t.trace.steps.length,
      v: t.trace.violation?.step ?? page.step,
    };
    const to = moves[event.key];
    if (to === undefined) return;
    event.preventDefault();
    setStep(to, 'user');
  });

  // VS Code changes the body's class when the colour theme changes.
  new MutationObserver(() => {
    const theme = themeKind(document.body);
    if (theme === page.theme) return;
    page.theme = theme;
    page.machineDrawn = null;
    void drawTimeline();
    if (page.tab === 'machines') void drawMachine();
  }).observe(document.body, { attributes: true, attributeFilter: ['class', 'data-vscode-theme-kind'] });

  showTab(page.tab);
  setStatus('waiting');
  // Mermaid's first drawings pay for its set-up and run its layout code cold (the
  // first window took twice as long as the next), and the first number formatted
  // for a marker or the overview pays for the browser's number formatting (~15 ms).
  // Both are paid now, while the host is still computing the traces, not in the
  // first paint of a trace; then the page is ready.
  (1234).toLocaleString('en-US');
  mermaid.configure(page.theme, document.body);
  const warmUp = async () => {
    for (let i = 0; i < 2; i++) await mermaid.render(document.createElement('div'), warmUpDiagram);
  };
  void warmUp()
    .catch(() => undefined)
    .finally(() => post({ type: 'ready' }));
}

/** A Markdown file with one mermaid block (GitHub, VS Code and most wikis draw it). */
function markdown(title: string, diagram: string): string {
  const heading = title.replace(/[\r\n]+/g, ' ').replace(/[\\`*_[\]<>#]/g, (c) => `\\${c}`);
  return `${heading}\n\n\`\`\`mermaid\n${diagram}\`\`\`\n`;
}

start();
