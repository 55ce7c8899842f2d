import type { RunTraces, TracesResult } from '../protocol/lsp.js';

/** One line per run, as the output channel and the notification say it. */
export function runLine(r: RunTraces): string {
  const size = r.states === null ? '' : r.mode === 'explore' ? `, ${r.states.toLocaleString('en-US')} states` : `, ${r.states.toLocaleString('en-US')} runs`;
  const verdicts = r.verdicts.map((v) => `${v.property} ${v.outcome}${v.ok ? '' : ` (expected ${v.expected})`}`).join(', ');
  return `${r.run} (${r.mode}, ${r.status}${size}): ${verdicts || 'no properties'}${r.ok ? '' : ' ✗'}`;
}

/** What a Run or Explore command reports: a headline, and whether every expectation was met. */
export function runSummary(result: TracesResult): { ok: boolean; headline: string; lines: string[] } {
  if (result.error !== null) return { ok: false, headline: result.error, lines: [result.error] };
  const lines = result.runs.map(runLine);
  const ok = result.runs.every((r) => r.ok);
  const failing = result.runs.filter((r) => !r.ok);
  const cut = result.runs.filter((r) => r.status !== 'complete' && r.mode === 'explore');
  let headline: string;
  if (result.runs.length === 1) headline = lines[0]!;
  else if (ok) headline = `${result.runs.length} runs: every expectation met`;
  else headline = `${failing.length} of ${result.runs.length} runs fail their expectations: ${failing.map((r) => r.run).join(', ')}`;
  if (cut.length > 0 && result.runs.length > 1) headline += ` (${cut.length} stopped at a bound)`;
  return { ok, headline, lines };
}
