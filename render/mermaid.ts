import { formatValue, messageLabel } from '../engine/describe-step.js';
import type { NodeSnapshot, Trace, TraceStep } from '../engine/trace.js';
import { nodeStatesAt } from './node-states.js';

/**
 * Trace -> Mermaid sequence diagram. Participants are nodes; deliveries are
 * arrows, losses `-x` arrows, crashes, recoveries, partitions and state changes
 * notes; the violating step is boxed. Every piece of user text goes through
 * `mermaidText`, so no label can end a line, open a comment or inject markup.
 */
export interface MermaidOptions {
  /** Show state changes as notes (default true). */
  changes?: boolean;
  /** Highlight this step (1-based) instead of the violating one. */
  focus?: number;
  /** Draw only steps focus-radius..focus+radius, with markers for what is left out. */
  window?: { focus: number; radius: number };
  /**
   * Draw the "… N earlier steps …" / "… N later steps …" notes around a window, and
   * under the first one each node's state at the window's start, so a window reads
   * on its own (default true).
   */
  markers?: boolean;
}

const safeChar = /[A-Za-z0-9 _.,=()+\-*/!?@']/;

/** Escapes text for a Mermaid label: anything outside a small safe set becomes an entity code. */
export function mermaidText(text: string): string {
  let out = '';
  for (const ch of text) {
    out += safeChar.test(ch) ? ch : `#${ch.codePointAt(0)!};`;
  }
  return out.trim().length === 0 ? '#32;' : out;
}

/** One drawn statement of a diagram: an arrow or a note, and the step (1-based; 0 = none) it belongs to. */
export interface DiagramStatement {
  kind: 'message' | 'note';
  step: number;
}

/**
 * The diagram text plus, in drawing order, which step each arrow and note belongs
 * to: Mermaid draws the k-th arrow as the k-th `.messageText` and the k-th note
 * as the k-th `.note`, so a preview can highlight and click one step's marks.
 */
export interface MermaidDiagram {
  text: string;
  statements: DiagramStatement[];
}

export function traceToMermaid(trace: Trace, options: MermaidOptions = {}): string {
  return traceToMermaidDiagram(trace, options).text;
}

export function traceToMermaidDiagram(trace: Trace, options: MermaidOptions = {}): MermaidDiagram {
  const ids = new Map(trace.nodes.map((n, i) => [n.name, `n${i}`]));
  const id = (name: string | null) => (name !== null ? (ids.get(name) ?? 'n0') : 'n0');
  const all = trace.nodes.length > 1 ? `${id(trace.nodes[0]!.name)},${id(trace.nodes[trace.nodes.length - 1]!.name)}` : 'n0';
  const focus = options.focus ?? (trace.violation ? trace.violation.step : -1);
  const lines: string[] = ['sequenceDiagram'];
  // The step of each line of `lines` (0 = not a step's line).
  const owners: number[] = [0];
  const push = (step: number, ...more: string[]) => {
    for (const l of more) {
      lines.push(l);
      owners.push(step);
    }
  };
  for (const n of trace.nodes) push(0, `  participant ${id(n.name)} as ${mermaidText(n.name)}`);
  const byzantine = Object.entries(trace.initial).filter(([, s]) => s.byzantine).map(([name]) => name);
  for (const name of byzantine) push(0, `  Note over ${id(name)}: ${mermaidText('Byzantine')}`);
  if (trace.violation && trace.violation.step === 0) {
    push(0, `  Note over ${all}: ${mermaidText(`violates ${trace.violation.property} in the initial state`)}`);
  }
  const first = options.window ? Math.max(1, options.window.focus - options.window.radius) : 1;
  const last = options.window ? Math.min(trace.steps.length, options.window.focus + options.window.radius) : trace.steps.length;
  if (first > 1 && options.markers !== false) {
    push(0, `  Note over ${all}: ${mermaidText(`… ${(first - 1).toLocaleString('en-US')} earlier steps …`)}`);
    const states = nodeStatesAt(trace, first - 1);
    for (const n of trace.nodes) {
      const s = states[n.name];
      if (s) push(0, `  Note over ${id(n.name)}: ${mermaidText(stateText(s))}`);
    }
  }
  // A run that never ends: its last steps repeat forever.
  const loopStart = trace.violation?.loopStart;
  const looping = loopStart !== undefined && loopStart < trace.steps.length;
  for (const step of trace.steps) {
    if (step.index < first || step.index > last) continue;
    if (looping && step.index === Math.max(first, loopStart + 1)) {
      push(0, `  loop ${mermaidText(`repeats forever: ${trace.violation!.property} never holds`)}`);
    }
    const body = stepLines(step, id, all, options.changes !== false);
    if (step.index === focus) {
      push(0, '  rect rgb(255, 221, 221)');
      for (const l of body) push(step.index, `  ${l}`);
      const label = trace.violation && trace.violation.step === step.index ? `step ${step.index}: violates ${trace.violation.property}` : `step ${step.index}`;
      push(step.index, `    Note over ${all}: ${mermaidText(label)}`);
      push(0, '  end');
    } else {
      push(step.index, ...body);
    }
  }
  if (looping && last >= loopStart + 1) push(0, '  end');
  if (last < trace.steps.length && options.markers !== false) {
    push(0, `  Note over ${all}: ${mermaidText(`… ${(trace.steps.length - last).toLocaleString('en-US')} later steps …`)}`);
  }
  const statements: DiagramStatement[] = [];
  lines.forEach((line, i) => {
    const t = line.trimStart();
    if (t.startsWith('Note ')) statements.push({ kind: 'note', step: owners[i]! });
    else if (/^(?:sequenceDiagram|participant |rect |loop |end$)/.test(t)) return;
    else statements.push({ kind: 'message', step: owners[i]! });
  });
  return { text: `${lines.join('\n')}\n`, statements };
}

/** A node's state as the note at a window's start says it: `state: up; seen = 12, log = [1, 2]`. */
function stateText(s: NodeSnapshot): string {
  const vars = Object.entries(s.vars).map(([k, v]) => `${k} = ${formatValue(v)}`);
  return `state: ${s.status}${s.byzantine ? ', Byzantine' : ''}${vars.length > 0 ? `; ${vars.join(', ')}` : ''}`;
}

/**
 * How many arrows and notes `stepLines` draws for a step, without building them:
 * windows are sized by this count (render/trace-window.ts), which must stay cheap
 * over 100,000 steps. A test holds it equal to `stepLines(...).length`.
 */
export function stepStatementCount(step: TraceStep, changes = true): number {
  let n = 0;
  switch (step.kind) {
    case 'deliver':
    case 'drop':
    case 'duplicate':
    case 'delay':
      if (step.message) n++;
      break;
    case 'start':
    case 'timeout':
    case 'crash':
    case 'recover':
    case 'partition':
    case 'heal':
    case 'tick':
      n++;
      break;
  }
  for (const s of step.sent) if (s.lost) n++;
  if (step.crashed && step.kind !== 'crash') n++;
  n += step.events.length;
  if (changes && step.changes.length > 0) {
    const first = step.changes[0]!.node;
    if (step.changes.every((c) => c.node === first)) n++;
    else n += new Set(step.changes.map((c) => c.node)).size;
  }
  if (step.error) n++;
  return n;
}

/** The lines of one step; exported for the test that holds `stepStatementCount` to it. */
export function stepLines(step: TraceStep, id: (name: string | null) => string, all: string, changes: boolean): string[] {
  const out: string[] = [];
  const at = id(step.node);
  const fault = step.fault ? ` [${step.fault.label}]` : '';
  switch (step.kind) {
    case 'deliver':
      if (step.message) out.push(`  ${id(step.message.from)}->>${id(step.message.to)}: ${mermaidText(`${step.index}. ${messageLabel(step.message)}`)}`);
      break;
    case 'drop':
      if (step.message) out.push(`  ${id(step.message.from)}-x${id(step.message.to)}: ${mermaidText(`${step.index}. ${messageLabel(step.message)} dropped${fault}`)}`);
      break;
    case 'duplicate':
      if (step.message) out.push(`  Note over ${id(step.message.from)},${id(step.message.to)}: ${mermaidText(`${step.index}. ${messageLabel(step.message)} duplicated${fault}`)}`);
      break;
    case 'delay':
      if (step.message) out.push(`  Note over ${id(step.message.from)},${id(step.message.to)}: ${mermaidText(`${step.index}. ${messageLabel(step.message)} delayed past its bound${fault}`)}`);
      break;
    case 'start':
      out.push(`  Note over ${at}: ${mermaidText(`${step.index}. start`)}`);
      break;
    case 'timeout':
      out.push(`  Note over ${at}: ${mermaidText(`${step.index}. timeout ${step.timer ?? ''}`)}`);
      break;
    case 'crash':
      out.push(`  Note over ${at}: ${mermaidText(`${step.index}. CRASH${fault}`)}`);
      break;
    case 'recover':
      out.push(`  Note over ${at}: ${mermaidText(`${step.index}. recover${fault}`)}`);
      break;
    case 'partition':
      out.push(`  Note over ${all}: ${mermaidText(`${step.index}. partition ${(step.partition ?? []).map((g) => `{${g.join(', ')}}`).join(' | ')}${fault}`)}`);
      break;
    case 'heal':
      out.push(`  Note over ${all}: ${mermaidText(`${step.index}. partition healed`)}`);
      break;
    case 'tick':
      out.push(`  Note over ${all}: ${mermaidText(`${step.index}. time passes`)}`);
      break;
  }
  for (const s of step.sent) {
    if (s.lost) out.push(`  ${id(s.from)}-x${id(s.to)}: ${mermaidText(`${messageLabel(s)} lost (${s.lost})`)}`);
  }
  if (step.crashed && step.kind !== 'crash') out.push(`  Note over ${at}: ${mermaidText(`CRASH${fault}`)}`);
  for (const e of step.events) out.push(`  Note over ${at}: ${mermaidText(`${e.kind} ${formatValue(e.value)}`)}`);
  if (changes) {
    const byNode = new Map<string, string[]>();
    for (const c of step.changes) {
      const list = byNode.get(c.node) ?? [];
      list.push(`${c.variable} = ${formatValue(c.after)}`);
      byNode.set(c.node, list);
    }
    for (const [node, list] of byNode) out.push(`  Note right of ${id(node)}: ${mermaidText(list.join(', '))}`);
  }
  if (step.error) out.push(`  Note over ${at}: ${mermaidText(`error: ${step.error.message}`)}`);
  return out;
}
