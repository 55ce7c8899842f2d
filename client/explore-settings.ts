import type { ExploreSettings } from '../protocol/lsp.js';
import { defaultSettings } from '../protocol/lsp.js';

/**
 * The exploration settings the language server gets, and the rule of workspace
 * trust: in an untrusted workspace nothing runs in the background unless the
 * user allowed it in their own (not the workspace's) settings. No `vscode`
 * import, so the rule is unit-tested.
 */

/** More threads than this would only wait for one another (and each holds a copy of the engine). */
export const MAX_WORKERS = 64;

/** Reads settings from any `get(key)` (a `WorkspaceConfiguration` of `faultline.explore`); bad values fall back to defaults. */
export function readExploreSettings(get: (key: string) => unknown): ExploreSettings {
  const d = defaultSettings.explore;
  const count = (key: keyof ExploreSettings, fallback: number, min: number) => {
    const v = get(key);
    return typeof v === 'number' && Number.isFinite(v) && v >= min ? Math.floor(v) : fallback;
  };
  const background = get('background');
  const onMemoryLimit = get('onMemoryLimit');
  return {
    maxStates: count('maxStates', d.maxStates, 1),
    maxDepth: count('maxDepth', d.maxDepth, 1),
    timeBudgetMs: count('timeBudgetMs', d.timeBudgetMs, 10),
    background: typeof background === 'boolean' ? background : d.background,
    maxMemoryMb: count('maxMemoryMb', d.maxMemoryMb, 64),
    onMemoryLimit: onMemoryLimit === 'stop' || onMemoryLimit === 'bitstate' ? onMemoryLimit : d.onMemoryLimit,
    workers: Math.min(MAX_WORKERS, count('workers', d.workers, 1)),
  };
}

export interface TrustState {
  /** `vscode.workspace.isTrusted`. */
  trusted: boolean;
  /** The user's `faultline.explore.backgroundInUntrustedWorkspaces`. */
  allowUntrusted: boolean;
}

/** The settings as they apply: background exploration off in an untrusted workspace unless allowed. */
export function effectiveSettings(settings: ExploreSettings, trust: TrustState): ExploreSettings {
  if (trust.trusted || trust.allowUntrusted) return settings;
  return { ...settings, background: false };
}

/**
 * Rewrites the answer to the server's `workspace/configuration` request: every
 * item asking for `faultline` or `faultline.explore` gets the effective settings.
 */
export function patchConfiguration(items: readonly { section?: string }[], results: readonly unknown[], effective: ExploreSettings): unknown[] {
  return items.map((item, i) => {
    const value = results[i];
    if (item.section === 'faultline') {
      const base = typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
      return { ...base, explore: effective };
    }
    if (item.section === 'faultline.explore') return effective;
    if (item.section === 'faultline.explore.background') return effective.background;
    return value;
  });
}
