import type { Trace } from '../../../engine/trace.js';
import type { CellDiagnostic, NotebookRun, NotebookTrace, NotebookVerdict, NotebookVerdicts, TraceView } from '../../../protocol/notebook.js';

/**
 * Reads output data as the renderer gets it: JSON from a notebook file, which
 * anyone may have edited. Nothing is trusted: every field is checked, text
 * fields must be strings, and what does not fit is refused (null) or replaced
 * by a neutral value, so the renderer never works on a shape it did not expect.
 */

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (o: Obj, k: string): string => (typeof o[k] === 'string' ? (o[k] as string) : '');
const num = (o: Obj, k: string): number | null => (typeof o[k] === 'number' && Number.isFinite(o[k]) ? (o[k] as number) : null);
const bool = (o: Obj, k: string): boolean => o[k] === true;
const list = (o: Obj, k: string): unknown[] => (Array.isArray(o[k]) ? (o[k] as unknown[]) : []);
const oneOf = <T extends string>(v: unknown, values: readonly T[], fallback: T): T => (values.includes(v as T) ? (v as T) : fallback);

function readVerdict(v: unknown): NotebookVerdict | null {
  if (!isObj(v)) return null;
  return {
    property: str(v, 'property'),
    kind: oneOf(v['kind'], ['invariant', 'eventually', 'runtime-error'] as const, 'invariant'),
    result: oneOf(v['result'], ['holds', 'violated', 'not violated', 'bound reached', 'stopped'] as const, 'stopped'),
    expected: oneOf(v['expected'], ['holds', 'violated'] as const, 'holds'),
    ok: bool(v, 'ok'),
    message: str(v, 'message'),
    steps: num(v, 'steps'),
  };
}

function readRun(r: unknown): NotebookRun | null {
  if (!isObj(r)) return null;
  return {
    title: str(r, 'title'),
    run: str(r, 'run'),
    kind: oneOf(r['kind'], ['check', 'scenario', 'default', 'none'] as const, 'none'),
    mode: oneOf(r['mode'], ['explore', 'simulate'] as const, 'explore'),
    status: str(r, 'status'),
    statusText: str(r, 'statusText'),
    states: num(r, 'states'),
    transitions: num(r, 'transitions'),
    depth: num(r, 'depth'),
    simulations: num(r, 'simulations'),
    elapsedMs: num(r, 'elapsedMs') ?? 0,
    ok: bool(r, 'ok'),
    verdicts: list(r, 'verdicts').map(readVerdict).filter((x): x is NotebookVerdict => x !== null),
  };
}

function readDiagnostic(d: unknown): CellDiagnostic | null {
  if (!isObj(d)) return null;
  return {
    severity: oneOf(d['severity'], ['error', 'warning', 'information', 'hint'] as const, 'error'),
    code: str(d, 'code'),
    message: str(d, 'message'),
    cell: num(d, 'cell'),
    line: num(d, 'line') ?? 1,
    column: num(d, 'column') ?? 1,
    endLine: num(d, 'endLine') ?? 1,
    endColumn: num(d, 'endColumn') ?? 1,
  };
}

/** A verdict table, or null when the data is not one. */
export function readVerdicts(data: unknown): NotebookVerdicts | null {
  if (!isObj(data) || data['format'] !== 'faultline-verdicts/1') return null;
  return {
    format: 'faultline-verdicts/1',
    protocol: typeof data['protocol'] === 'string' ? data['protocol'] : null,
    diagnostics: list(data, 'diagnostics').map(readDiagnostic).filter((x): x is CellDiagnostic => x !== null),
    runs: list(data, 'runs').map(readRun).filter((x): x is NotebookRun => x !== null),
    ok: bool(data, 'ok'),
    stopped: bool(data, 'stopped'),
    elapsedMs: num(data, 'elapsedMs') ?? 0,
  };
}

function readView(v: unknown, steps: number): TraceView {
  const o = isObj(v) ? v : {};
  const focus = Math.max(0, Math.min(steps, Math.floor(num(o, 'focus') ?? steps)));
  const w = isObj(o['window']) ? o['window'] : null;
  const wf = w ? num(w, 'focus') : null;
  const wr = w ? num(w, 'radius') : null;
  return { focus, window: wf !== null && wr !== null && wr >= 0 ? { focus: Math.floor(wf), radius: Math.floor(wr) } : null };
}

/**
 * Checks the parts of a trace the diagram reads. The emitter escapes every
 * label; what is checked here is that labels are strings and lists are lists,
 * so a malformed file gives a message rather than a half-drawn diagram.
 */
function looksLikeTrace(t: unknown): t is Trace {
  if (!isObj(t) || !Array.isArray(t['nodes']) || !Array.isArray(t['steps']) || !isObj(t['initial'])) return false;
  if (!t['nodes'].every((n) => isObj(n) && typeof n['name'] === 'string')) return false;
  for (const s of t['steps'] as unknown[]) {
    if (!isObj(s) || typeof s['index'] !== 'number' || typeof s['kind'] !== 'string') return false;
    if (!Array.isArray(s['sent']) || !Array.isArray(s['events']) || !Array.isArray(s['changes'])) return false;
    if (s['node'] !== null && typeof s['node'] !== 'string') return false;
    const m = s['message'];
    if (m !== null && !(isObj(m) && typeof m['name'] === 'string' && typeof m['from'] === 'string' && typeof m['to'] === 'string' && isObj(m['fields']))) return false;
    if (!s['sent'].every((x) => isObj(x) && typeof x['name'] === 'string' && typeof x['from'] === 'string' && typeof x['to'] === 'string' && isObj(x['fields']))) return false;
    if (!s['changes'].every((c) => isObj(c) && typeof c['node'] === 'string' && typeof c['variable'] === 'string')) return false;
    if (!s['events'].every((e) => isObj(e) && typeof e['kind'] === 'string')) return false;
    const f = s['fault'];
    if (f !== null && f !== undefined && !(isObj(f) && typeof f['label'] === 'string')) return false;
    const e = s['error'];
    if (e !== null && e !== undefined && !(isObj(e) && typeof e['message'] === 'string')) return false;
    const p = s['partition'];
    if (p !== null && p !== undefined && !(Array.isArray(p) && p.every((g) => Array.isArray(g) && g.every((x) => typeof x === 'string')))) return false;
    if (s['timer'] !== null && s['timer'] !== undefined && typeof s['timer'] !== 'string') return false;
  }
  const v = t['violation'];
  if (v !== null && v !== undefined && !(isObj(v) && typeof v['property'] === 'string' && typeof v['step'] === 'number')) return false;
  return Object.values(t['initial']).every((n) => isObj(n) && isObj(n['vars']));
}

/** A trace output, or null when the data is not one. */
export function readTrace(data: unknown): NotebookTrace | null {
  if (!isObj(data) || data['format'] !== 'faultline-notebook-trace/1' || !looksLikeTrace(data['trace'])) return null;
  const trace = data['trace'];
  return {
    format: 'faultline-notebook-trace/1',
    title: str(data, 'title'),
    run: str(data, 'run'),
    property: typeof data['property'] === 'string' ? data['property'] : null,
    ok: bool(data, 'ok'),
    message: str(data, 'message'),
    trace,
    sources: [],
    view: readView(data['view'], trace.steps.length),
  };
}
