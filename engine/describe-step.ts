import type { JsonValue, TraceMessage, TraceStep } from './trace.js';

/** A value as a person reads it: sets in braces, maps as `key: value`. */
export function formatValue(v: JsonValue): string {
  if (v === null) return 'null';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `{${v.map(formatValue).join(', ')}}`;
  return `[${Object.entries(v)
    .map(([k, x]) => `${k}: ${formatValue(x)}`)
    .join(', ')}]`;
}

/** `Vote(commit=true)` */
export function messageLabel(m: TraceMessage): string {
  const fields = Object.entries(m.fields);
  if (fields.length === 0) return m.name;
  return `${m.name}(${fields.map(([k, v]) => `${k}=${formatValue(v)}`).join(', ')})`;
}

/** One line saying what a step did, for diagnostics' related information and text reports. */
export function describeStep(step: TraceStep): string {
  const fault = step.fault ? ` [${step.fault.label}]` : '';
  const m = step.message;
  let text: string;
  switch (step.kind) {
    case 'deliver':
      text = `${step.node} receives ${m ? messageLabel(m) : '?'} from ${m?.from ?? '?'}`;
      break;
    case 'drop':
      text = `${m ? messageLabel(m) : '?'} from ${m?.from ?? '?'} to ${m?.to ?? '?'} is dropped${fault}`;
      break;
    case 'duplicate':
      text = `${m ? messageLabel(m) : '?'} from ${m?.from ?? '?'} to ${m?.to ?? '?'} is duplicated${fault}`;
      break;
    case 'delay':
      text = `${m ? messageLabel(m) : '?'} from ${m?.from ?? '?'} to ${m?.to ?? '?'} misses its delivery bound${fault}`;
      break;
    case 'start':
      text = `${step.node} starts`;
      break;
    case 'timeout':
      text = `${step.node}: timer ${step.timer ?? '?'} fires`;
      break;
    case 'crash':
      text = `${step.node} crashes${fault}`;
      break;
    case 'recover':
      text = `${step.node} recovers${fault}`;
      break;
    case 'partition':
      text = `the network splits into ${(step.partition ?? []).map((g) => `{${g.join(', ')}}`).join(' | ')}${fault}`;
      break;
    case 'heal':
      text = 'the partition heals';
      break;
    case 'tick':
      text = 'time passes';
      break;
  }
  const sent = step.sent.filter((s) => !s.lost).map((s) => `${messageLabel(s)} to ${s.to}`);
  const lost = step.sent.filter((s) => s.lost).map((s) => `${messageLabel(s)} to ${s.to} (lost: ${s.lost})`);
  const parts = [`step ${step.index}: ${text}`];
  if (sent.length > 0) parts.push(`sends ${sent.join(', ')}`);
  if (lost.length > 0) parts.push(`${lost.join(', ')}`);
  if (step.crashed && step.kind !== 'crash') parts.push(`then crashes${fault}`);
  if (step.changes.length > 0) parts.push(step.changes.map((c) => `${c.node}.${c.variable} = ${formatValue(c.after)}`).join(', '));
  if (step.error) parts.push(`error: ${step.error.message}`);
  return parts.join('; ');
}
