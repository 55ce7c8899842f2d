import { formatValue, messageLabel } from '../engine/describe-step.js';
import type { Trace, TraceStep } from '../engine/trace.js';

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

export function traceToMermaid(trace: Trace, options: MermaidOptions = {}): string {
  const ids = new Map(trace.nodes.map((n, i) => [n.name, `n${i}`]));
  const id = (name: string | null) => (name !== null ? (ids.get(name) ?? 'n0') : 'n0');
  const all = trace.nodes.length > 1 ? `${id(trace.nodes[0]!.name)},${id(trace.nodes[trace.nodes.length - 1]!.name)}` : 'n0';
  const focus = options.focus ?? (trace.violation ? trace.violation.step : -1);
  const lines: string[] = ['sequenceDiagram'];
  for (const n of trace.nodes) lines.push(`  participant ${id(n.name)} as ${mermaidText(n.name)}`);
  const byzantine = Object.entries(trace.initial).filter(([, s]) => s.byzantine).map(([name]) => name);
  for (const name of byzantine) lines.push(`  Note over ${id(name)}: ${mermaidText('Byzantine')}`);
  if (trace.violation && trace.violation.step === 0) {
    lines.push(`  Note over ${all}: ${mermaidText(`violates ${trace.violation.property} in the initial state`)}`);
  }
  const first = options.window ? Math.max(1, options.window.focus - options.window.radius) : 1;
  const last = options.window ? Math.min(trace.steps.length, options.window.focus + options.window.radius) : trace.steps.length;
  if (first > 1) {
    lines.push(`  Note over ${all}: ${mermaidText(`… ${(first - 1).toLocaleString('en-US')} earlier steps …`)}`);
  }
  for (const step of trace.steps) {
    if (step.index < first || step.index > last) continue;
    const body = stepLines(step, id, all, options.changes !== false);
    if (step.index === focus) {
      lines.push('  rect rgb(255, 221, 221)');
      for (const l of body) lines.push(`  ${l}`);
      const label = trace.violation && trace.violation.step === step.index ? `step ${step.index}: violates ${trace.violation.property}` : `step ${step.index}`;
      lines.push(`    Note over ${all}: ${mermaidText(label)}`);
      lines.push('  end');
    } else {
      lines.push(...body);
    }
  }
  if (last < trace.steps.length) {
    lines.push(`  Note over ${all}: ${mermaidText(`… ${(trace.steps.length - last).toLocaleString('en-US')} later steps …`)}`);
  }
  return `${lines.join('\n')}\n`;
}

function stepLines(step: TraceStep, id: (name: string | null) => string, all: string, changes: boolean): string[] {
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
