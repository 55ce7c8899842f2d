import type { TraceView, TraceViewMessage } from '../../protocol/notebook.js';
import { traceMime, traceViewsKey } from '../../protocol/notebook.js';
import type { CellDataShape, OutputShape } from './notebook-data.js';

/**
 * The window a user last looked at in a trace output, kept until the notebook
 * is saved. Output items cannot be changed outside a cell execution, so the
 * renderer's choice goes into the cell's metadata (by a digest of the output's
 * bytes: the API gives the extension no output ids) and the serializer writes
 * it into the trace JSON of that output, dropping the key. Two outputs with the
 * same bytes are the same trace shown the same way, so they share a view. No
 * `vscode` import: tested in Node, bundled into the renderer.
 */

/** A digest of an output item's bytes: their length and 32-bit FNV-1a hash. */
export function outputDigest(bytes: Uint8Array): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) {
    h ^= bytes[i]!;
    h = Math.imul(h, 0x01000193);
  }
  return `${bytes.length}:${(h >>> 0).toString(16).padStart(8, '0')}`;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

function readView(v: unknown): TraceView | null {
  if (!isObj(v) || !isCount(v['focus'])) return null;
  const w = v['window'];
  if (w === null) return { focus: v['focus'], window: null };
  if (!isObj(w) || !isCount(w['focus']) || !isCount(w['radius'])) return null;
  return { focus: v['focus'], window: { focus: w['focus'], radius: w['radius'] } };
}

/** A message from the renderer, or null when it is not a well-formed `traceView`. */
export function parseTraceViewMessage(data: unknown): TraceViewMessage | null {
  if (!isObj(data) || data['type'] !== 'traceView' || typeof data['output'] !== 'string' || !/^\d+:[0-9a-f]{8}$/.test(data['output'])) return null;
  const view = readView(data['view']);
  return view ? { type: 'traceView', output: data['output'], view } : null;
}

/** The views kept in a cell's metadata (anything malformed is left out). */
export function keptViews(metadata: Obj | undefined): Map<string, TraceView> {
  const out = new Map<string, TraceView>();
  const kept = metadata?.[traceViewsKey];
  if (!isObj(kept)) return out;
  for (const [id, v] of Object.entries(kept)) {
    const view = readView(v);
    if (view) out.set(id, view);
  }
  return out;
}

/** The cell metadata with one more kept view. */
export function withKeptView(metadata: Obj | undefined, output: string, view: TraceView): Obj {
  const views = Object.fromEntries(keptViews(metadata));
  return { ...(metadata ?? {}), [traceViewsKey]: { ...views, [output]: view } };
}

/**
 * A cell as it is saved: each trace output with a kept view gets it in its JSON;
 * the metadata key is dropped (views of outputs no longer there go with it).
 */
export function applyKeptViews(cell: CellDataShape): CellDataShape {
  if (!cell.metadata || !(traceViewsKey in cell.metadata)) return cell;
  const views = keptViews(cell.metadata);
  const { [traceViewsKey]: _dropped, ...metadata } = cell.metadata;
  const outputs = (cell.outputs ?? []).map((o): OutputShape => ({
    ...o,
    items: o.items.map((i) => {
      const view = i.mime === traceMime ? views.get(outputDigest(i.data)) : undefined;
      return view ? { mime: i.mime, data: withView(i.data, view) } : i;
    }),
  }));
  return { ...cell, metadata, outputs };
}

/** Trace output bytes with `view` replaced; bytes that are not a trace output stay as they are. */
function withView(bytes: Uint8Array, view: TraceView): Uint8Array {
  let data: unknown;
  try {
    data = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes)) as unknown;
  } catch {
    return bytes;
  }
  if (!isObj(data) || data['format'] !== 'faultline-notebook-trace/1') return bytes;
  return new TextEncoder().encode(JSON.stringify({ ...data, view }));
}
