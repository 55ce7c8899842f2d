import { defaultSettings, type ExploreSettings, type FaultlineSettings } from '../protocol/lsp.js';

/** Reads `faultline` settings sent by a client (any shape) over the defaults, ignoring values of the wrong type. */
export function readSettings(value: unknown): FaultlineSettings {
  const explore = isRecord(value) && isRecord(value['explore']) ? value['explore'] : {};
  const d = defaultSettings.explore;
  const positive = (key: keyof ExploreSettings, fallback: number): number => {
    const v = explore[key];
    return typeof v === 'number' && Number.isFinite(v) && v > 0 ? Math.floor(v) : fallback;
  };
  const background = explore['background'];
  const onMemoryLimit = explore['onMemoryLimit'];
  return {
    explore: {
      maxStates: positive('maxStates', d.maxStates),
      maxDepth: positive('maxDepth', d.maxDepth),
      timeBudgetMs: positive('timeBudgetMs', d.timeBudgetMs),
      background: typeof background === 'boolean' ? background : d.background,
      maxMemoryMb: positive('maxMemoryMb', d.maxMemoryMb),
      onMemoryLimit: onMemoryLimit === 'stop' || onMemoryLimit === 'bitstate' ? onMemoryLimit : d.onMemoryLimit,
      workers: Math.min(64, positive('workers', d.workers)),
    },
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
