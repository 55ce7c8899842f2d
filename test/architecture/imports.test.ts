import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../support/repo.js';

const root = repoRoot();
const core = ['language', 'engine', 'render', 'protocol', 'notebook'];
const forbidden = [/^vscode/, /^vscode-languageserver/, /^(node:)?fs(\/|$)/, /^(node:)?worker_threads$/, /^(node:)?process$/, /^(node:)?child_process$/];

function sources(dir: string): string[] {
  const out: string[] = [];
  let names: string[] = [];
  try {
    names = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of names) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...sources(path));
    else if (name.endsWith('.ts')) out.push(path);
  }
  return out;
}

function importsOf(text: string): string[] {
  const out: string[] = [];
  const re = /(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\s*\(\s*['"]([^'"]+)['"]\s*\)/g;
  for (const m of text.matchAll(re)) out.push(m[1] ?? m[2]!);
  return out;
}

test('Architecture invariant: the core (language, engine, render, protocol, notebook) imports nothing from vscode, the LSP library, fs, worker_threads or process', () => {
  const offenders: string[] = [];
  for (const folder of core) {
    for (const file of sources(join(root, folder))) {
      for (const spec of importsOf(readFileSync(file, 'utf8'))) {
        if (forbidden.some((re) => re.test(spec))) offenders.push(`${relative(root, file)} imports ${spec}`);
      }
    }
  }
  assert.deepEqual(offenders, []);
});

test('Architecture invariant: dependencies point inward (language <- engine <- render <- notebook)', () => {
  const rank: Record<string, number> = { language: 0, engine: 1, render: 2, notebook: 3 };
  const offenders: string[] = [];
  for (const folder of Object.keys(rank)) {
    for (const file of sources(join(root, folder))) {
      for (const spec of importsOf(readFileSync(file, 'utf8'))) {
        const m = /^(?:\.\.\/)+(language|engine|render|notebook|cli|server|client)\//.exec(spec);
        if (!m) continue;
        const target = m[1]!;
        if (!(target in rank) || rank[target]! > rank[folder]!) offenders.push(`${relative(root, file)} imports ${spec}`);
      }
    }
  }
  assert.deepEqual(offenders, []);
});

test('the import scanner sees a forbidden import when there is one', () => {
  assert.deepEqual(importsOf(`import { readFileSync } from 'node:fs';\nconst w = await import('worker_threads');`), ['node:fs', 'worker_threads']);
  assert.ok(forbidden.some((re) => re.test('node:fs')));
});
