import { readFileSync, statSync, writeFileSync } from 'node:fs';
import type { Analysis } from '../language/analyze.js';
import { analyzeText } from '../language/analyze.js';
import type { Diagnostic } from '../language/diagnostic.js';
import { LineIndex } from '../language/span.js';
import type { CheckedModel } from '../language/check/model.js';
import { runSources } from '../engine/compile.js';
import type { RunSource } from '../engine/system.js';
import type { CliArgs } from './args.js';
import type { CliIo } from './main.js';

const maxFileBytes = 64 * 1024 * 1024;

/** Reads a `.ftp` file, or says in words why it cannot. */
export function readSource(file: string): { text: string } | { error: string } {
  try {
    const st = statSync(file);
    if (st.isDirectory()) return { error: 'is a directory, not a .ftp file' };
    if (st.size > maxFileBytes) return { error: `is ${Math.round(st.size / 1024 / 1024)} MB; files over 64 MB are not read` };
    return { text: readFileSync(file, 'utf8') };
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === 'ENOENT') return { error: 'no such file' };
    if (code === 'EACCES') return { error: 'permission denied' };
    return { error: `cannot be read (${code ?? (e instanceof Error ? e.message : String(e))})` };
  }
}

/** The checks and scenarios `--scenario` / `--check` select (all when neither is given). */
export function selectSources(model: CheckedModel, args: CliArgs): RunSource[] {
  const all = runSources(model);
  if (args.scenario === null && args.check === null) return all;
  return all.filter((s) => {
    if (!s) return false;
    if (args.scenario !== null && s.kind === 'ScenarioDecl') return s.name.name === args.scenario;
    if (args.check !== null && s.kind === 'CheckDecl') return s.name?.name === args.check;
    return false;
  });
}

/**
 * Reads and checks a protocol a command is about to run (`diagram`, a simulation
 * shard): null when it cannot run, after printing why with source positions.
 */
export function loadProtocol(file: string, io: CliIo): { text: string; analysis: Analysis } | null {
  const read = readSource(file);
  if ('error' in read) {
    io.stderr(`${file}: error: ${read.error}\n`);
    return null;
  }
  const analysis = analyzeText(read.text);
  const errors = analysis.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0 || analysis.model.hasErrors) {
    printErrors(io, file, read.text, errors);
    return null;
  }
  return { text: read.text, analysis };
}

export function printErrors(io: CliIo, file: string, text: string, errors: readonly Diagnostic[]): void {
  const index = new LineIndex(text);
  for (const d of errors) {
    const p = index.positionAt(d.span.start);
    io.stderr(`${file}:${p.line + 1}:${p.character + 1}: error: ${d.message} [${d.code}]\n`);
  }
}

/** Writes a JSON result to `--out`, or to stdout with `--format json`; false (and why, on stderr) when the file cannot be written. */
export function writeJsonResult(args: CliArgs, io: CliIo, json: string): boolean {
  if (args.out !== null) {
    try {
      writeFileSync(args.out, json);
    } catch (e) {
      io.stderr(`${args.out}: error: cannot write (${(e as { code?: string }).code ?? String(e)})\n`);
      return false;
    }
  } else if (args.format === 'json') io.stdout(json);
  return true;
}
