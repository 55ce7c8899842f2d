// Runs every compiled `*.test.js` under dist/test with Node's built-in runner.
// Node 20's `node --test DIR` would also run helpers, so we list the files ourselves.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';

const root = new URL('../dist/test/', import.meta.url).pathname;
const sources = new URL('../test/', import.meta.url).pathname;
const only = process.argv.slice(2);
const files = [];
(function walk(dir) {
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path);
    else if (name.endsWith('.test.js') && (only.length === 0 || only.some((o) => path.includes(o)))) {
      // A compiled test whose source was deleted is stale output, not a test.
      if (existsSync(join(sources, relative(root, path).replace(/\.js$/, '.ts')))) files.push(path);
    }
  }
})(root);
if (files.length === 0) {
  console.error('no test files found under dist/test');
  process.exit(1);
}
const result = spawnSync(process.execPath, ['--test', '--test-concurrency=2', ...files], { stdio: 'inherit' });
process.exit(result.status ?? 1);
