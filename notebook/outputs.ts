import type { JsonValue } from '../engine/trace.js';
import type { NotebookRun, NotebookTrace, NotebookVerdict, NotebookVerdicts } from '../protocol/notebook.js';
import { traceMime, verdictsMime } from '../protocol/notebook.js';
import { traceToMermaid } from '../render/mermaid.js';
import type { CellOutput } from './format.js';

/**
 * A cell's results as notebook outputs: each the rich JSON the renderer draws,
 * then a `text/markdown` fallback (a table; the trace as a fenced `mermaid`
 * block) so a notebook still reads in plain Markdown viewers. Every piece of
 * user text in the Markdown is escaped.
 */

/**
 * Escapes text for a Markdown table cell or list item (never at the start of a
 * line): no emphasis, code, links, math, HTML or table breaks.
 */
export function markdownText(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/[\\`*_[\]|~$]/g, (c) => `\\${c}`)
    .replace(/\r?\n|\r/g, ' ');
}

const count = (n: number) => n.toLocaleString('en-US');

/** `holds`, `violated (12 steps)`, `bound reached`. */
export function resultText(v: NotebookVerdict): string {
  if (v.result === 'violated' && v.steps !== null) return v.steps === 0 ? 'violated (initially)' : `violated (${v.steps} ${v.steps === 1 ? 'step' : 'steps'})`;
  return v.result;
}

/** `1,234 states, depth 12` or `500 random runs`. */
export function sizeText(run: NotebookRun): string {
  if (run.states !== null) return `${count(run.states)} states${run.depth !== null ? `, depth ${run.depth}` : ''}`;
  if (run.simulations !== null) return `${count(run.simulations)} random runs`;
  return '';
}

export function timeText(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}

/** `line 3, column 5` or `cell 2, line 3, column 5`. */
export function whereText(d: { cell: number | null; line: number; column: number }): string {
  return `${d.cell !== null ? `cell ${d.cell}, ` : ''}line ${d.line}, column ${d.column}`;
}

/** The verdict table as Markdown. */
export function verdictsMarkdown(v: NotebookVerdicts): string {
  const lines: string[] = [];
  for (const d of v.diagnostics) lines.push(`- **${d.severity}** ${markdownText(whereText(d))}: ${markdownText(d.message)} \\[${markdownText(d.code)}\\]`);
  if (v.diagnostics.length > 0) lines.push('');
  if (v.runs.length > 0) {
    lines.push('| run | property | result | expected | ok | explored | time |', '|---|---|---|---|:-:|--:|--:|');
    for (const run of v.runs) {
      const size = markdownText(sizeText(run) || run.statusText);
      if (run.verdicts.length === 0) {
        lines.push(`| ${markdownText(run.title)} | | ${markdownText(run.statusText)} | | ${run.ok ? '✓' : '✗'} | ${size} | ${timeText(run.elapsedMs)} |`);
      }
      for (const x of run.verdicts) {
        lines.push(`| ${markdownText(run.title)} | ${markdownText(x.property)} | ${markdownText(resultText(x))} | ${x.expected} | ${x.ok ? '✓' : '✗'} | ${size} | ${timeText(run.elapsedMs)} |`);
      }
    }
    lines.push('');
  }
  const status = v.stopped ? 'stopped' : v.ok ? 'every expectation met' : 'FAILED';
  lines.push(`*${markdownText(status)} in ${timeText(v.elapsedMs)}*`);
  return `${lines.join('\n')}\n`;
}

/** The trace as Markdown: its title and a fenced Mermaid sequence diagram (the same emitter as everywhere). */
export function traceMarkdown(t: NotebookTrace): string {
  const options = t.view.window ? { window: t.view.window, focus: t.view.focus } : {};
  return `**${markdownText(t.title)}**\n\n\`\`\`mermaid\n${traceToMermaid(t.trace, options)}\`\`\`\n`;
}

export function verdictsOutput(v: NotebookVerdicts): CellOutput {
  return {
    items: [
      { mime: verdictsMime, encoding: 'json', data: structuredJson(v) },
      { mime: 'text/markdown', encoding: 'text', data: verdictsMarkdown(v) },
    ],
    metadata: {},
  };
}

export function traceOutput(t: NotebookTrace): CellOutput {
  return {
    items: [
      { mime: traceMime, encoding: 'json', data: structuredJson(t) },
      { mime: 'text/markdown', encoding: 'text', data: traceMarkdown(t) },
    ],
    metadata: {},
  };
}

/**
 * The plain JSON form of output data. The shapes are JSON already; this
 * drops `undefined` members the way the file would, so what is stored and what
 * is read back are the same value.
 */
function structuredJson(value: NotebookVerdicts | NotebookTrace): JsonValue {
  return JSON.parse(JSON.stringify(value)) as JsonValue;
}
