import mermaid from 'mermaid';
import type { DiagramStatement } from '../../../render/mermaid.js';

/**
 * Mermaid inside the preview: one configuration (strict security, no
 * auto-start, colours from the VS Code theme), rendering into a host element,
 * and finding the SVG marks that belong to each step.
 */

export type ThemeKind = 'light' | 'dark' | 'high-contrast' | 'high-contrast-light';

/** The VS Code theme of the page: VS Code puts a class on `<body>`. */
export function themeKind(body: HTMLElement): ThemeKind {
  const kind = body.dataset.vscodeThemeKind ?? '';
  const has = (c: string) => body.classList.contains(c) || kind === c;
  if (has('vscode-high-contrast-light')) return 'high-contrast-light';
  if (has('vscode-high-contrast')) return 'high-contrast';
  if (has('vscode-dark')) return 'dark';
  return 'light';
}

/** Pixels below which a diagram scrolls rather than shrinks. */
const readableWidth = 640;

/** Mermaid as the page uses it: configured per theme, rendering with fresh ids. */
export interface MermaidRenderer {
  /**
   * Sets Mermaid up for a theme; again only when the theme changed. `maxTextSize`
   * (default Mermaid's 50,000 characters) is raised by callers that draw more text.
   * Returns whether anything changed.
   */
  configure(theme: ThemeKind, body: HTMLElement, maxTextSize?: number): boolean;
  /** Renders Mermaid text into `host` (replacing what was there); the SVG element. */
  render(host: HTMLElement, text: string): Promise<SVGSVGElement>;
}

export function createMermaidRenderer(): MermaidRenderer {
  let configured: string | null = null;
  let renders = 0;
  return {
    configure(theme, body, maxTextSize = defaultMaxTextSize) {
      const limit = Math.max(defaultMaxTextSize, Math.ceil(maxTextSize));
      const key = `${theme}|${getComputedStyle(body).getPropertyValue('--vscode-font-family')}|${limit}`;
      if (configured === key) return false;
      configured = key;
      configureMermaid(theme, body, limit);
      return true;
    },
    async render(host, text) {
      renders++;
      const { svg } = await mermaid.render(`fl-diagram-${renders}`, text);
      // Past maxTextSize Mermaid returns an error picture instead of throwing: never show it as the diagram.
      if (svg.includes('Maximum text size')) throw new Error(`the diagram text (${text.length.toLocaleString('en-US')} characters) is over Mermaid's limit`);
      // The SVG comes from Mermaid with securityLevel 'strict' (DOMPurify'd); every
      // label in `text` was escaped by render/mermaid.ts or render/state-machine.ts.
      host.innerHTML = svg;
      const el = host.querySelector('svg');
      if (!el) throw new Error('Mermaid returned no SVG');
      // Mermaid fits the SVG to the panel's width (up to its natural width); below a
      // readable size it scrolls instead of shrinking further.
      const natural = Number.parseFloat(el.style.maxWidth);
      if (Number.isFinite(natural) && natural > 0) el.style.minWidth = `${Math.min(natural, readableWidth)}px`;
      return el;
    },
  };
}

/**
 * A diagram with every kind of statement our emitter writes (arrows, lost
 * arrows, notes over one and several nodes, notes to the right, a boxed step, a
 * loop), drawn once before the first trace: Mermaid's first drawings run its
 * layout code cold (set-up, then V8 compiling it), which made the first window
 * about twice as slow as the next ones.
 */
export const warmUpDiagram = ((): string => {
  const lines = ['sequenceDiagram', '  participant n0 as A', '  participant n1 as B', '  participant n2 as C'];
  for (let i = 1; i <= 8; i++) {
    const [from, to] = [`n${i % 3}`, `n${(i + 1) % 3}`];
    lines.push(`  ${from}->>${to}: ${i}. Ping(n = ${i})`, `  Note right of ${to}: seen = ${i}`);
  }
  lines.push('  Note over n0,n2: #8230; 12 earlier steps #8230;', '  Note over n1: state#58; up', '  n0-xn1: Ping lost (partition)', '  Note over n2: CRASH');
  lines.push('  rect rgb(255, 221, 221)', '  n1->>n2: 9. Ping', '  Note over n0,n2: step 9', '  end', '  loop repeats', '  n2->>n0: 10. Ping', '  end');
  return `${lines.join('\n')}\n`;
})();

/** Mermaid's own default limit on diagram text. */
export const defaultMaxTextSize = 50_000;

/** The `maxTextSize` that lets Mermaid draw `text`, with room to spare. */
export function textLimitFor(text: string): number {
  return Math.max(defaultMaxTextSize, text.length + 1_000);
}

function configureMermaid(theme: ThemeKind, body: HTMLElement, maxTextSize: number): void {
  const css = getComputedStyle(body);
  const v = (name: string, fallback: string) => css.getPropertyValue(name).trim() || fallback;
  const font = v('--vscode-font-family', 'system-ui, sans-serif');
  const contrast = theme === 'high-contrast' || theme === 'high-contrast-light';
  const fg = v('--vscode-editor-foreground', theme === 'high-contrast' ? '#ffffff' : '#000000');
  const bg = v('--vscode-editor-background', theme === 'high-contrast' ? '#000000' : '#ffffff');
  const border = v('--vscode-contrastBorder', fg);
  mermaid.initialize({
    startOnLoad: false,
    securityLevel: 'strict',
    // Long traces are windowed (render/trace-window.ts); callers raise it for the text they draw.
    maxTextSize,
    fontFamily: font,
    theme: contrast ? 'base' : theme === 'dark' ? 'dark' : 'default',
    ...(contrast
      ? {
          themeVariables: {
            background: bg,
            primaryColor: bg,
            primaryTextColor: fg,
            primaryBorderColor: border,
            lineColor: fg,
            textColor: fg,
            actorBkg: bg,
            actorBorder: border,
            actorTextColor: fg,
            actorLineColor: fg,
            signalColor: fg,
            signalTextColor: fg,
            noteBkgColor: bg,
            noteTextColor: fg,
            noteBorderColor: border,
            labelBoxBkgColor: bg,
            labelTextColor: fg,
          },
        }
      : {}),
    // Shrunk to the panel's width, but never below a readable size (preview.css), then scrolled.
    sequence: { mirrorActors: true, showSequenceNumbers: false },
  });
}

/**
 * The SVG elements of each step: Mermaid draws the k-th arrow of the text as the
 * k-th `.messageText` (and line), the k-th note as the k-th `rect.note` group.
 * Null when the counts disagree (a Mermaid change), so nothing is mis-marked.
 */
export function stepMarks(svg: SVGSVGElement, statements: readonly DiagramStatement[]): Map<number, Element[]> | null {
  const texts = [...svg.querySelectorAll('text.messageText')];
  const lines = [...svg.querySelectorAll('.messageLine0, .messageLine1')];
  const notes = [...svg.querySelectorAll('rect.note')].map((r) => r.parentElement ?? r);
  const messages = statements.filter((s) => s.kind === 'message');
  const noteSteps = statements.filter((s) => s.kind === 'note');
  if (texts.length !== messages.length || notes.length !== noteSteps.length) return null;
  const marks = new Map<number, Element[]>();
  const mark = (step: number, el: Element | undefined) => {
    if (!el || step <= 0) return;
    el.setAttribute('data-step', String(step));
    el.classList.add('fl-step');
    const list = marks.get(step) ?? [];
    list.push(el);
    marks.set(step, list);
  };
  messages.forEach((s, i) => {
    mark(s.step, texts[i]);
    if (lines.length === texts.length) mark(s.step, lines[i]);
  });
  noteSteps.forEach((s, i) => mark(s.step, notes[i]));
  return marks;
}

/** Several SVGs (the chunks of a whole trace) stacked top to bottom as one standalone file. */
export function stackedSvgFile(svgs: readonly SVGSVGElement[]): string {
  let y = 0;
  let width = 0;
  const parts: string[] = [];
  for (const svg of svgs) {
    const copy = svg.cloneNode(true) as SVGSVGElement;
    for (const el of copy.querySelectorAll('.fl-current')) el.classList.remove('fl-current');
    const box = copy.viewBox.baseVal;
    const w = box && box.width > 0 ? box.width : svg.getBoundingClientRect().width;
    const h = box && box.height > 0 ? box.height : svg.getBoundingClientRect().height;
    copy.removeAttribute('style');
    copy.setAttribute('x', '0');
    copy.setAttribute('y', String(y));
    copy.setAttribute('width', String(w));
    copy.setAttribute('height', String(h));
    parts.push(new XMLSerializer().serializeToString(copy));
    y += h;
    width = Math.max(width, w);
  }
  return `<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${y}" viewBox="0 0 ${width} ${y}">${parts.join('')}</svg>\n`;
}

/** The SVG as a standalone file: our highlight removed, the namespace declared. */
export function svgFile(svg: SVGSVGElement): string {
  const copy = svg.cloneNode(true) as SVGSVGElement;
  for (const el of copy.querySelectorAll('.fl-current')) el.classList.remove('fl-current');
  if (!copy.getAttribute('xmlns')) copy.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
  return `<?xml version="1.0" encoding="UTF-8"?>\n${new XMLSerializer().serializeToString(copy)}\n`;
}
