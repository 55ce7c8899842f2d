import { formatValue } from '../../../engine/describe-step.js';
import type { Trace } from '../../../engine/trace.js';
import type { PreviewTrace } from '../../../protocol/webview.js';
import type { StateMachine } from '../../../render/state-machine.js';
import { changesAt, nodeStatesAt } from '../node-states.js';
import { traceLabel } from '../trace-choices.js';

/**
 * The page's own DOM, built from data with `textContent` only: no user text
 * ever goes through an HTML parser.
 */

export function element<K extends keyof HTMLElementTagNameMap>(tag: K, text?: string, className?: string): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (text !== undefined) el.textContent = text;
  if (className) el.className = className;
  return el;
}

/** Looks up an element of the page template; the template is ours, so a missing one is a bug. */
export function byId<T extends HTMLElement>(id: string, type: { new (): T }): T {
  const el = document.getElementById(id);
  if (!(el instanceof type)) throw new Error(`the preview page has no #${id}`);
  return el;
}

/** The trace picker: one group per run, one option per trace. */
export function fillTracePicker(select: HTMLSelectElement, traces: readonly PreviewTrace[], chosen: string | null): void {
  select.replaceChildren();
  let group: HTMLOptGroupElement | null = null;
  for (const t of traces) {
    if (!group || group.label !== t.run) {
      group = element('optgroup');
      group.label = t.run;
      select.append(group);
    }
    const option = element('option', traceLabel(t));
    option.value = t.id;
    option.selected = t.id === chosen;
    group.append(option);
  }
  select.disabled = traces.length === 0;
}

export function fillMachinePicker(select: HTMLSelectElement, machines: readonly StateMachine[], chosen: number): void {
  select.replaceChildren();
  machines.forEach((m, i) => {
    const option = element('option', `${m.role}.${m.variable}`);
    option.value = String(i);
    option.selected = i === chosen;
    select.append(option);
  });
  select.disabled = machines.length === 0;
}

/** The table of every node's state after `step`; what that step changed is marked. */
export function fillNodeStates(tbody: HTMLTableSectionElement, trace: Trace, step: number): void {
  const states = nodeStatesAt(trace, step);
  const changed = changesAt(trace, step);
  tbody.replaceChildren();
  for (const node of trace.nodes) {
    const s = states[node.name];
    if (!s) continue;
    const row = element('tr');
    row.dataset.node = node.name;
    if (step >= 1 && trace.steps[step - 1]?.node === node.name) row.classList.add('fl-acting');
    const name = element('th', node.name);
    name.scope = 'row';
    const status = element('td', s.byzantine ? `${s.status}, Byzantine` : s.status, `fl-status fl-${s.status.replace(/\s+/g, '-')}`);
    if (changed.status === node.name) status.classList.add('fl-changed');
    const vars = element('td');
    const list = element('ul', undefined, 'fl-vars');
    const names = changed.vars.get(node.name);
    for (const [k, v] of Object.entries(s.vars)) {
      const item = element('li');
      item.dataset.var = k;
      item.append(element('span', k, 'fl-var'), document.createTextNode(' = '), element('span', formatValue(v), 'fl-value'));
      if (names?.has(k)) item.classList.add('fl-changed');
      list.append(item);
    }
    vars.append(list);
    row.append(name, status, vars);
    tbody.append(row);
  }
}
