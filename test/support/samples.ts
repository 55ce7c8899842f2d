import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './repo.js';

/** The text of `samples/<name>.ftp`. */
export function sampleText(name: string): string {
  return readFileSync(join(repoRoot(), 'samples', `${name}.ftp`), 'utf8');
}

/** Every sample's name (without `.ftp`), sorted. */
export function sampleNames(): string[] {
  return readdirSync(join(repoRoot(), 'samples'))
    .filter((f) => f.endsWith('.ftp'))
    .map((f) => f.slice(0, -4))
    .sort();
}
