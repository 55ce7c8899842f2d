import type { Trace } from '../engine/trace.js';

/**
 * The overview of a whole run: one lane per node, the steps left to right.
 * Unlike the Mermaid diagram its cost does not depend on the number of steps
 * once they outnumber the pixels: steps are aggregated into pixel columns, and
 * each kind of mark of a lane is one SVG path, so a 100,000-step trace draws as
 * few elements as a 1,000-step one. The SVG is built here, every label escaped.
 */

/** What happened to a node within one column of steps (bit flags). */
export const Mark = {
  send: 1,
  receive: 2,
  crash: 4,
  recover: 8,
  drop: 16,
} as const;
export type MarkName = keyof typeof Mark;

/** Marks that concern every node: partitions and heals. */
export const GlobalMark = {
  partition: 1,
  heal: 2,
} as const;

export interface OverviewLane {
  node: string;
  /** Per column, the `Mark` flags seen in its steps. */
  columns: number[];
}

export interface OverviewModel {
  steps: number;
  /** Columns of the plot: the steps, or the pixels when steps outnumber them. */
  columns: number;
  lanes: OverviewLane[];
  /** Per column, the `GlobalMark` flags. */
  global: number[];
  /** The violating step (0 = the initial state), or null. */
  violation: { step: number; property: string } | null;
  layout: OverviewLayout;
}

export interface OverviewLayout {
  /** Total width and height of the SVG in pixels. */
  width: number;
  height: number;
  /** Width of the node names on the left. */
  labelWidth: number;
  laneHeight: number;
  /** Top margin (the step axis). */
  top: number;
}

export interface OverviewOptions {
  /** Width of the whole SVG in pixels (default 800). */
  width?: number;
  laneHeight?: number;
  labelWidth?: number;
}

const clampInt = (v: number, lo: number, hi: number) => Math.max(lo, Math.min(hi, Math.floor(Number.isFinite(v) ? v : lo)));

/** The lane view of a trace: one pass over its steps. */
export function traceOverview(trace: Trace, options: OverviewOptions = {}): OverviewModel {
  const width = clampInt(options.width ?? 800, 120, 20_000);
  const labelWidth = clampInt(options.labelWidth ?? Math.min(140, Math.floor(width / 4)), 20, width - 40);
  const laneHeight = clampInt(options.laneHeight ?? 14, 6, 60);
  const top = 14;
  const plot = width - labelWidth - 8;
  const steps = trace.steps.length;
  const columns = Math.max(1, Math.min(steps, plot));
  const lanes: OverviewLane[] = trace.nodes.map((n) => ({ node: n.name, columns: new Array<number>(columns).fill(0) }));
  const laneOf = new Map<string, number[]>();
  lanes.forEach((l) => laneOf.set(l.node, l.columns));
  const global = new Array<number>(columns).fill(0);
  const mark = (node: string | null, column: number, flag: number) => {
    if (node === null) return;
    const lane = laneOf.get(node);
    if (lane) lane[column] = lane[column]! | flag;
  };
  for (let i = 0; i < steps; i++) {
    const s = trace.steps[i]!;
    const c = columnOfIndex(i, steps, columns);
    switch (s.kind) {
      case 'deliver':
        if (s.message) mark(s.message.to, c, Mark.receive);
        break;
      case 'drop':
        if (s.message) mark(s.message.to, c, Mark.drop);
        break;
      case 'crash':
        mark(s.node, c, Mark.crash);
        break;
      case 'recover':
        mark(s.node, c, Mark.recover);
        break;
      case 'partition':
        global[c] = global[c]! | GlobalMark.partition;
        break;
      case 'heal':
        global[c] = global[c]! | GlobalMark.heal;
        break;
      default:
        break;
    }
    for (const m of s.sent) mark(m.from, c, m.lost ? Mark.drop : Mark.send);
    if (s.crashed && s.kind !== 'crash') mark(s.node, c, Mark.crash);
  }
  const violation = trace.violation ? { step: Math.max(0, Math.min(steps, trace.violation.step)), property: trace.violation.property } : null;
  return { steps, columns, lanes, global, violation, layout: { width, height: top + lanes.length * laneHeight + 4, labelWidth, laneHeight, top } };
}

/** The column (0-based) of the step at 0-based position `i`. */
function columnOfIndex(i: number, steps: number, columns: number): number {
  return columns >= steps ? i : Math.min(columns - 1, Math.floor((i * columns) / steps));
}

/** Horizontal pixel of the left edge of a column. */
function columnX(m: OverviewModel, column: number): number {
  const plot = m.layout.width - m.layout.labelWidth - 8;
  return m.layout.labelWidth + (column * plot) / m.columns;
}

/** Width in pixels of one column. */
function columnWidth(m: OverviewModel): number {
  return (m.layout.width - m.layout.labelWidth - 8) / m.columns;
}

/** The x coordinate (SVG pixels) of a step: 0 = the initial state at the left edge. */
export function overviewX(m: OverviewModel, step: number): number {
  if (step <= 0 || m.steps === 0) return m.layout.labelWidth;
  const c = columnOfIndex(Math.min(step, m.steps) - 1, m.steps, m.columns);
  return columnX(m, c) + columnWidth(m) / 2;
}

/** The step (0..steps) under the x coordinate `x` (SVG pixels), for clicks. */
export function overviewStepAt(m: OverviewModel, x: number): number {
  if (m.steps === 0 || !Number.isFinite(x)) return 0;
  const plot = m.layout.width - m.layout.labelWidth - 8;
  const f = (x - m.layout.labelWidth) / plot;
  if (f < 0) return 0;
  // The middle step of the column under the pointer.
  const column = Math.min(m.columns - 1, Math.floor(f * m.columns));
  const first = Math.ceil((column * m.steps) / m.columns);
  const last = Math.ceil(((column + 1) * m.steps) / m.columns) - 1;
  return Math.max(1, Math.min(m.steps, Math.floor((first + last) / 2) + 1));
}

/** Escapes text for SVG content and attribute values; drops characters XML cannot hold. */
export function svgEscape(text: string): string {
  let out = '';
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    if ((c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) || c === 0xfffe || c === 0xffff || (c >= 0xd800 && c <= 0xdfff)) continue;
    if (ch === '&') out += '&amp;';
    else if (ch === '<') out += '&lt;';
    else if (ch === '>') out += '&gt;';
    else if (ch === '"') out += '&quot;';
    else if (ch === "'") out += '&#39;';
    else out += ch;
  }
  return out;
}

/** The marks of a lane kind: where they sit in the lane (fraction of its height) and their default colour. */
const laneKinds: { name: MarkName; from: number; to: number; color: string }[] = [
  { name: 'send', from: 0.15, to: 0.5, color: '#3b7dd8' },
  { name: 'receive', from: 0.5, to: 0.85, color: '#2e9d5b' },
  { name: 'drop', from: 0.1, to: 0.9, color: '#d9822b' },
  { name: 'recover', from: 0, to: 1, color: '#7b52c7' },
  { name: 'crash', from: 0, to: 1, color: '#d13438' },
];

const n1 = (v: number) => (Math.round(v * 10) / 10).toString();

/** The label a step count reads as: `12,345 steps`. */
function stepsLabel(n: number): string {
  return `${n.toLocaleString('en-US')} step${n === 1 ? '' : 's'}`;
}

/**
 * The SVG text of an overview. Its parts carry classes (`fl-ov-send`, ...,
 * `fl-ov-window`, `fl-ov-focus`) for a page to restyle; the window and focus
 * marks start where `window`/`focus` say and a page moves them with `overviewX`.
 */
export function overviewToSvg(m: OverviewModel, view: { focus?: number; window?: { focus: number; radius: number } | null; title?: string } = {}): string {
  const { width, height, labelWidth, laneHeight, top } = m.layout;
  const w = Math.max(1, columnWidth(m));
  const tick = Math.max(1, Math.min(w, 3));
  const right = width - 8;
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" class="fl-overview" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${svgEscape(view.title ?? `Overview of ${stepsLabel(m.steps)}`)}" data-steps="${m.steps}" data-columns="${m.columns}">`,
  );
  parts.push(`<text class="fl-ov-axis" x="${labelWidth}" y="10" font-size="9" fill="currentColor">0</text>`);
  parts.push(`<text class="fl-ov-axis" x="${right}" y="10" font-size="9" text-anchor="end" fill="currentColor">${svgEscape(stepsLabel(m.steps))}</text>`);
  m.lanes.forEach((lane, i) => {
    const y = top + i * laneHeight;
    parts.push(`<line class="fl-ov-lane" x1="${labelWidth}" x2="${right}" y1="${n1(y + laneHeight / 2)}" y2="${n1(y + laneHeight / 2)}" stroke="currentColor" stroke-opacity="0.25"/>`);
    parts.push(`<text class="fl-ov-label" x="${labelWidth - 4}" y="${n1(y + laneHeight * 0.75)}" font-size="${Math.min(11, laneHeight - 2)}" text-anchor="end" fill="currentColor">${svgEscape(lane.node)}</text>`);
    for (const kind of laneKinds) {
      const flag = Mark[kind.name];
      let d = '';
      for (let c = 0; c < m.columns; c++) {
        if ((lane.columns[c]! & flag) === 0) continue;
        d += `M${n1(columnX(m, c) + w / 2)} ${n1(y + laneHeight * kind.from)}V${n1(y + laneHeight * kind.to)}`;
      }
      if (d) parts.push(`<path class="fl-ov-${kind.name}" d="${d}" stroke="${kind.color}" stroke-width="${n1(kind.name === 'crash' || kind.name === 'recover' ? Math.max(2, tick) : tick)}" fill="none"/>`);
    }
  });
  const lanesTop = top;
  const lanesBottom = top + m.lanes.length * laneHeight;
  for (const [name, flag, color] of [
    ['partition', GlobalMark.partition, '#b8860b'],
    ['heal', GlobalMark.heal, '#6b8e23'],
  ] as const) {
    let d = '';
    for (let c = 0; c < m.columns; c++) if ((m.global[c]! & flag) !== 0) d += `M${n1(columnX(m, c) + w / 2)} ${lanesTop}V${lanesBottom}`;
    if (d) parts.push(`<path class="fl-ov-${name}" d="${d}" stroke="${color}" stroke-width="${n1(Math.max(1, tick))}" stroke-dasharray="3 2" fill="none"/>`);
  }
  if (m.violation) {
    const x = n1(overviewX(m, m.violation.step));
    parts.push(
      `<g class="fl-ov-violation"><title>${svgEscape(`step ${m.violation.step}: violates ${m.violation.property}`)}</title><line x1="${x}" x2="${x}" y1="${lanesTop - 4}" y2="${lanesBottom}" stroke="#d13438" stroke-width="2"/><path d="M${x} ${lanesTop - 1}l-4 -6h8z" fill="#d13438"/></g>`,
    );
  }
  const win = view.window ?? null;
  const wx = win ? overviewX(m, Math.max(1, win.focus - win.radius)) - w / 2 : labelWidth;
  const wr = win ? overviewX(m, Math.min(m.steps, win.focus + win.radius)) + w / 2 : labelWidth;
  parts.push(
    `<rect class="fl-ov-window" x="${n1(wx)}" y="${lanesTop - 2}" width="${n1(Math.max(2, wr - wx))}" height="${lanesBottom - lanesTop + 4}" fill="currentColor" fill-opacity="0.08" stroke="currentColor" stroke-opacity="0.5"${win ? '' : ' visibility="hidden"'}/>`,
  );
  const fx = n1(overviewX(m, view.focus ?? 0));
  parts.push(`<line class="fl-ov-focus" x1="${fx}" x2="${fx}" y1="${lanesTop - 2}" y2="${lanesBottom + 2}" stroke="#0078d4" stroke-width="2"/>`);
  parts.push('</svg>');
  return parts.join('');
}
