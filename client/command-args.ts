import type { LspPosition, RunRef } from '../protocol/lsp.js';
import { commands as lspCommands } from '../protocol/lsp.js';

/** Every command the extension registers (the manifest test checks `contributes.commands` against it). */
export const commandIds = {
  ...lspCommands,
  exportDiagram: 'faultline.diagram.export',
  openSample: 'faultline.samples.open',
} as const;

/**
 * The arguments of `faultline.run.scenario`, `faultline.explore` and
 * `faultline.preview.show`: `[uri, RunRef]` from a code lens, a `Uri` from an
 * editor or explorer menu, or nothing from the command palette.
 */
export interface CommandTarget {
  /** A document URI as a string; null = the active editor's. */
  uri: string | null;
  run: RunRef | null;
}

function isPosition(v: unknown): v is LspPosition {
  if (typeof v !== 'object' || v === null) return false;
  const p = v as Record<string, unknown>;
  return typeof p.line === 'number' && typeof p.character === 'number';
}

/** A URI given as a string or as anything with a `toString()` that says `scheme:...` (a `vscode.Uri`). */
function uriText(v: unknown): string | null {
  if (typeof v === 'string') return v.length > 0 ? v : null;
  if (typeof v === 'object' && v !== null && 'scheme' in v && typeof (v as { scheme: unknown }).scheme === 'string') {
    const text = String(v);
    return /^[a-z][a-z0-9+.-]*:/i.test(text) ? text : null;
  }
  return null;
}

export function commandTarget(args: readonly unknown[]): CommandTarget {
  const uri = uriText(args[0]);
  const ref = args[1];
  let run: RunRef | null = null;
  if (typeof ref === 'string' && ref.length > 0) run = { name: ref };
  else if (typeof ref === 'object' && ref !== null && typeof (ref as { name?: unknown }).name === 'string') {
    const r = ref as { name: string; position?: unknown };
    run = isPosition(r.position) ? { name: r.name, position: { line: r.position.line, character: r.position.character } } : { name: r.name };
  }
  return { uri, run };
}
