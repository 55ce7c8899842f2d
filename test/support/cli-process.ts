import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from './repo.js';

/** What a CLI process ended with. */
export interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

const root = repoRoot();
const bin = join(root, 'bin/faultline.mjs');

/** Runs `faultline ARGS...` as a process, from the repository's root, and waits for it. */
export function runCli(...args: string[]): Ran {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: root, encoding: 'utf8', timeout: 120_000, maxBuffer: 64 * 1024 * 1024 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** The CLI as a separate process that runs alongside others, as shards on separate machines would. */
export function startCli(...args: string[]): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd: root });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}
