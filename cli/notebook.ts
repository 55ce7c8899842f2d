import { readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { RunOptions } from '../engine/run-check.js';
import { describeNotebookError, parseNotebook, serializeNotebook } from '../notebook/format.js';
import { resultText, sizeText, timeText, whereText } from '../notebook/outputs.js';
import type { CellRun } from '../notebook/run.js';
import { runNotebook } from '../notebook/run.js';
import type { CliArgs } from './args.js';
import type { CliIo } from './main.js';

/**
 * `faultline notebook run FILE.ftpnb [--out FILE]`: runs every protocol cell
 * from the top, headless, and saves the notebook with its new outputs (in
 * place, or to --out). A notebook that cannot be read whole is never written.
 * Exit 1 when a cell has errors or an expectation is not met.
 */

const maxNotebookBytes = 256 * 1024 * 1024;

function readNotebookText(file: string): { text: string } | { error: string } {
  try {
    const st = statSync(file);
    if (st.isDirectory()) return { error: 'is a directory, not a .ftpnb file' };
    if (st.size > maxNotebookBytes) return { error: `is ${Math.round(st.size / 1024 / 1024)} MB; notebooks over 256 MB are not read` };
    // Fatal decoding: a notebook with bytes that are not UTF-8 is refused, not "repaired" and saved shorter.
    return { text: new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(readFileSync(file)) };
  } catch (e) {
    if (e instanceof TypeError) return { error: 'is not UTF-8 text' };
    const code = (e as { code?: string }).code;
    if (code === 'ENOENT') return { error: 'no such file' };
    if (code === 'EACCES') return { error: 'permission denied' };
    return { error: `cannot be read (${code ?? (e instanceof Error ? e.message : String(e))})` };
  }
}

/** Writes through a temporary file in the same folder, so a crash never leaves half a notebook. */
function writeAtomically(file: string, text: string): void {
  const tmp = join(dirname(file), `.${basename(file)}.${process.pid}.tmp`);
  try {
    writeFileSync(tmp, text);
    renameSync(tmp, file);
  } catch (e) {
    try {
      unlinkSync(tmp);
    } catch {
      // nothing was written
    }
    throw e;
  }
}

function cellReport(file: string, run: CellRun, verbose: boolean): string[] {
  const lines: string[] = [];
  const cell = `cell ${run.cell + 1}`;
  for (const d of run.verdicts.diagnostics) {
    if (d.severity === 'information' && !verbose) continue;
    const where = d.cell === null ? `${cell}, ${whereText(d)}` : `${cell}: in ${whereText(d)}`;
    lines.push(`${file}: ${where}: ${d.severity}: ${d.message} [${d.code}]`);
  }
  for (const r of run.verdicts.runs) {
    const size = sizeText(r);
    const verdicts = r.verdicts.map((v) => `${v.property} ${resultText(v)}${v.ok ? '' : ` (expected ${v.expected})`}`);
    lines.push(`${file}: ${cell}: ${r.title}: ${size ? `${size}, ` : ''}${timeText(r.elapsedMs)}: ${r.ok ? 'ok' : 'FAILED'}${verdicts.length ? ` (${verdicts.join('; ')})` : ''}`);
  }
  if (run.stopped) lines.push(`${file}: ${cell}: stopped`);
  if (lines.length === 0) lines.push(`${file}: ${cell}: ok`);
  return lines;
}

export function notebookRun(args: CliArgs, io: CliIo, options: Pick<RunOptions, 'memoryUsed' | 'maxMemoryBytes'>): number {
  const file = args.files[0]!;
  const read = readNotebookText(file);
  if ('error' in read) {
    io.stderr(`${file}: error: ${read.error}\n`);
    return 1;
  }
  const parsed = parseNotebook(read.text);
  if (!parsed.ok) {
    io.stderr(`${file}:${parsed.error.line}:${parsed.error.column}: error: not a readable notebook: ${parsed.error.message} (the file was left as it is)\n`);
    return 1;
  }
  const t0 = performance.now();
  const result = runNotebook(parsed.notebook, {
    now: () => performance.now(),
    clock: () => Date.now(),
    timeBudgetMs: args.timeMs,
    limits: { ...(args.maxStates !== null ? { maxStates: args.maxStates } : {}), ...(args.depth !== null ? { maxDepth: args.depth } : {}) },
    ...(options.memoryUsed ? { memoryUsed: options.memoryUsed } : {}),
    ...(options.maxMemoryBytes !== undefined ? { maxMemoryBytes: options.maxMemoryBytes } : {}),
    onCell: (run) => io.stdout(`${cellReport(file, run, args.verbose).join('\n')}\n`),
  });
  const text = serializeNotebook(result.notebook);
  // Never save a notebook that would not read back as the one just run.
  const check = parseNotebook(text);
  if (!check.ok || check.notebook.cells.length !== parsed.notebook.cells.length) {
    io.stderr(`${file}: internal error: the run notebook does not read back (${check.ok ? 'cells lost' : describeNotebookError(check.error)}); nothing was written\n`);
    return 1;
  }
  const target = args.out ?? file;
  try {
    writeAtomically(target, text);
  } catch (e) {
    io.stderr(`${target}: error: cannot write (${(e as { code?: string }).code ?? String(e)})\n`);
    return 1;
  }
  const failed = result.runs.filter((r) => !r.ok).length;
  io.stdout(
    `${target}: ${result.runs.length} ${result.runs.length === 1 ? 'cell' : 'cells'} run in ${timeText(performance.now() - t0)}: ${failed === 0 ? 'every expectation met' : `${failed} failed`}\n`,
  );
  return result.ok ? 0 : 1;
}
