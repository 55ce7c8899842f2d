import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, test } from 'node:test';
import { repoRoot } from '../support/repo.js';

/**
 * The bundled extension (`dist-ext/client.cjs` as esbuild makes it) activated
 * against a stand-in `vscode` module: it loads, registers every command the
 * manifest contributes, and disposes cleanly. A real VS Code run is issue 8's
 * end-to-end test; this catches a broken bundle in a second.
 */

interface BuildModule {
  buildNode(options: { outdir: string; minify?: boolean }): Promise<string[]>;
}

interface ModuleLoader {
  _load(request: string, parent: unknown, isMain: boolean): unknown;
}

const out = mkdtempSync(join(tmpdir(), 'faultline-client-'));
after(() => rmSync(out, { recursive: true, force: true }));

/** A value every property and call of which is another such value: enough of an API to load against. */
function anything(record: (path: string, args: unknown[]) => unknown, path = 'vscode'): unknown {
  const fn = function () {};
  return new Proxy(fn, {
    get: (_, key) => {
      if (key === 'then') return undefined; // not a promise
      if (key === Symbol.toPrimitive) return () => path;
      if (key === 'dispose') return () => undefined;
      return anything(record, `${path}.${String(key)}`);
    },
    apply: (_, __, args: unknown[]) => record(`${path}()`, args) ?? anything(record, `${path}()`),
    construct: (_, args: unknown[]) => (record(`new ${path}`, args) as object | undefined) ?? (anything(record, `new ${path}`) as object),
  });
}

test('the bundled client activates, registers every contributed command and disposes', async () => {
  const build = (await import(pathToFileURL(join(repoRoot(), 'esbuild.mjs')).href)) as BuildModule;
  await build.buildNode({ outdir: out, minify: false });

  const registered: string[] = [];
  const calls: string[] = [];
  const record = (path: string, args: unknown[]): unknown => {
    calls.push(path);
    if (path === 'vscode.commands.registerCommand()') registered.push(String(args[0]));
    if (path === 'vscode.workspace.getConfiguration()') return { get: () => undefined };
    return undefined;
  };
  // The module's top-level names, from its type declarations (esbuild copies them off the module).
  const types = readFileSync(join(repoRoot(), 'node_modules/@types/vscode/index.d.ts'), 'utf8');
  const names = new Set([...types.matchAll(/^\texport (?:namespace|class|enum|const|let|function) (\w+)/gm)].map((m) => m[1]!));
  assert.ok(names.has('window') && names.has('Uri') && names.size > 100);
  const vscode = Object.fromEntries([...names].map((n) => [n, anything(record, `vscode.${n}`)]));
  const loader = Module as unknown as ModuleLoader;
  const load = loader._load;
  loader._load = function (request, parent, isMain) {
    return request === 'vscode' ? vscode : load.call(this, request, parent, isMain);
  };
  try {
    const client = createRequire(import.meta.url)(join(out, 'client.cjs')) as { activate(context: unknown): Promise<unknown>; deactivate(): void };
    const subscriptions: { dispose(): unknown }[] = [];
    const context = {
      subscriptions,
      extensionUri: anything(record, 'extensionUri'),
      // No server in this folder: the client says so and runs without one.
      asAbsolutePath: (p: string) => join(out, 'missing', p),
    };
    await client.activate(context);
    const manifest = JSON.parse(readFileSync(join(repoRoot(), 'package.json'), 'utf8')) as { contributes: { commands: { command: string }[] } };
    assert.deepEqual([...registered].sort(), manifest.contributes.commands.map((c) => c.command).sort());
    assert.ok(calls.includes('vscode.window.registerWebviewPanelSerializer()'), 'no serializer for restored previews');
    assert.ok(subscriptions.length >= registered.length);
    for (const s of subscriptions) s.dispose();
    client.deactivate();
  } finally {
    loader._load = load;
  }
});
