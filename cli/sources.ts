import { readFileSync, statSync } from 'node:fs';
import type { CheckedModel } from '../language/check/model.js';
import { runSources } from '../engine/compile.js';
import type { RunSource } from '../engine/system.js';
import type { CliArgs } from './args.js';

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
