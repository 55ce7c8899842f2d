import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { codeKind, itemFromBytes, itemToBytes, markupKind, notebookFromShape, notebookToShape } from '../../client/notebook/notebook-data.js';
import type { Notebook } from '../../notebook/format.js';
import { parseNotebook, serializeNotebook } from '../../notebook/format.js';
import { notebookRendererId, notebookType, traceMime, verdictsMime } from '../../protocol/notebook.js';
import { anyNotebook, sampleNotebookNames, sampleNotebookText } from '../support/notebooks.js';
import { repoRoot } from '../support/repo.js';

/**
 * What the VS Code serializer does with a notebook, without VS Code: the
 * conversion to and from `NotebookData` shapes. Opening and saving an unchanged
 * notebook must give back the same file.
 */

/** What VS Code would hand back on save: the shape, with output bytes copied (as they cross to the renderer and back). */
function throughEditor(nb: Notebook): Notebook {
  const shape = notebookToShape(nb);
  const copy = {
    ...shape,
    cells: shape.cells.map((c) => ({ ...c, outputs: (c.outputs ?? []).map((o) => ({ ...o, items: o.items.map((i) => ({ mime: i.mime, data: new Uint8Array(i.data) })) })) })),
  };
  return notebookFromShape(copy);
}

test('every sample notebook is saved unchanged after being opened in the editor', () => {
  for (const name of sampleNotebookNames()) {
    const text = sampleNotebookText(name);
    const parsed = parseNotebook(text);
    assert.ok(parsed.ok);
    const shape = notebookToShape(parsed.notebook);
    assert.deepEqual(
      shape.cells.map((c) => c.kind),
      parsed.notebook.cells.map((c) => (c.kind === 'markdown' ? markupKind : codeKind)),
    );
    assert.equal(serializeNotebook(throughEditor(parsed.notebook)), text, name);
  }
});

test('property: a notebook survives the editor: same cells, metadata, execution summaries and output data', () => {
  fc.assert(
    fc.property(anyNotebook, (nb) => {
      const back = throughEditor(nb);
      assert.equal(back.cells.length, nb.cells.length);
      assert.deepStrictEqual(back.metadata, nb.metadata);
      nb.cells.forEach((cell, k) => {
        const got = back.cells[k]!;
        assert.deepStrictEqual([got.kind, got.language, got.source, got.metadata], [cell.kind, cell.language, cell.source, cell.metadata]);
        // The editor keeps timing only as a pair (start and end).
        const e = cell.execution;
        const timing = e && e.startTime !== undefined && e.endTime !== undefined;
        const want = e ? Object.fromEntries(Object.entries(e).filter(([key]) => timing || (key !== 'startTime' && key !== 'endTime'))) : {};
        assert.deepStrictEqual(got.execution ?? {}, want);
        assert.equal(got.outputs.length, cell.outputs.length);
        cell.outputs.forEach((o, j) => {
          const g = got.outputs[j]!;
          assert.deepStrictEqual(g.metadata, o.metadata);
          assert.deepStrictEqual(g.items.map((i) => i.mime), o.items.map((i) => i.mime));
          o.items.forEach((item, i) => {
            // The editor holds bytes: what is kept is the bytes (JSON data: its value, spacing aside).
            const before = itemToBytes(item);
            const after = itemToBytes(g.items[i]!);
            if (g.items[i]!.encoding === 'json') assert.deepStrictEqual(JSON.parse(new TextDecoder().decode(after)), JSON.parse(new TextDecoder().decode(before)));
            else assert.deepStrictEqual(after, before);
          });
        });
      });
      // And a second trip changes nothing at all.
      assert.deepStrictEqual(throughEditor(back), back);
    }),
    { numRuns: 200 },
  );
});

test('output bytes keep their data: JSON as JSON, text as text, anything else as base64', () => {
  const enc = new TextEncoder();
  assert.deepEqual(itemFromBytes(verdictsMime, enc.encode('{"a": [1, 2]}')), { mime: verdictsMime, encoding: 'json', data: { a: [1, 2] } });
  // JSON that JSON.parse would quietly change (a repeated key) stays as it was written.
  assert.deepEqual(itemFromBytes(traceMime, enc.encode('{"a": 1, "a": 2}')), { mime: traceMime, encoding: 'text', data: '{"a": 1, "a": 2}' });
  assert.deepEqual(itemFromBytes('text/plain', enc.encode('[1]')), { mime: 'text/plain', encoding: 'text', data: '[1]' });
  const binary = new Uint8Array([0, 255, 254, 1, 128]);
  const item = itemFromBytes('image/png', binary);
  assert.equal(item.encoding, 'base64');
  assert.deepEqual(itemToBytes(item), binary);
  // A BOM is data too.
  const bom = new Uint8Array([0xef, 0xbb, 0xbf, 0x61]);
  assert.deepEqual(itemToBytes(itemFromBytes('text/plain', bom)), bom);
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 64 }), fc.constantFrom('text/plain', 'application/json', 'image/png', verdictsMime), (bytes, mime) => {
      const back = itemToBytes(itemFromBytes(mime, bytes));
      const again = itemFromBytes(mime, back);
      assert.deepEqual(again, itemFromBytes(mime, bytes));
      // Only JSON data may be re-spaced; every other byte sequence comes back exactly.
      if (again.encoding !== 'json') assert.deepEqual(back, bytes);
    }),
    { numRuns: 500 },
  );
});

interface Manifest {
  activationEvents: string[];
  contributes: {
    notebooks: { type: string; selector: { filenamePattern: string }[] }[];
    notebookRenderer: { id: string; entrypoint: string; mimeTypes: string[] }[];
  };
}

test('the manifest declares the notebook type, its renderer and its bundles; the .vsix ships them', () => {
  const manifest = JSON.parse(readFileSync(join(repoRoot(), 'package.json'), 'utf8')) as Manifest;
  assert.deepEqual(manifest.contributes.notebooks.map((n) => [n.type, n.selector.map((s) => s.filenamePattern)]), [[notebookType, ['*.ftpnb']]]);
  assert.ok(manifest.activationEvents.includes(`onNotebook:${notebookType}`));
  const [renderer] = manifest.contributes.notebookRenderer;
  assert.ok(renderer);
  assert.equal(renderer.id, notebookRendererId);
  assert.deepEqual(renderer.mimeTypes, [verdictsMime, traceMime]);
  assert.equal(renderer.entrypoint, './dist-ext/media/notebook-renderer.js');
  const build = readFileSync(join(repoRoot(), 'esbuild.mjs'), 'utf8');
  assert.match(build, /'notebook-renderer': join\(root, 'client\/notebook\/renderer\/main\.ts'\)/);
  assert.match(build, /'notebook-worker': 'client\/notebook\/cell-worker\.ts'/);
  assert.match(readFileSync(join(repoRoot(), 'client/notebook/register.ts'), 'utf8'), /'notebook-worker\.cjs'/);
  const ignore = readFileSync(join(repoRoot(), '.vscodeignore'), 'utf8').split('\n');
  assert.ok(ignore.includes('!dist-ext/notebook-worker.cjs') && ignore.includes('!dist-ext/media/notebook-renderer.js') && ignore.includes('!samples/*.ftpnb'));
});

test('Architecture invariant: notebook/ is core: it imports nothing from vscode, fs, worker_threads or process, nor from the adapters', () => {
  const forbidden = /^(vscode|(node:)?(fs|worker_threads|process|child_process)$)|^\.\.\/(cli|client|server)\//;
  const offenders: string[] = [];
  const dir = join(repoRoot(), 'notebook');
  for (const name of ['format.ts', 'json.ts', 'run.ts', 'outputs.ts']) {
    const text = readFileSync(join(dir, name), 'utf8');
    for (const m of text.matchAll(/(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]/g)) if (forbidden.test(m[1]!)) offenders.push(`${name} imports ${m[1]}`);
  }
  assert.deepEqual(offenders, []);
  assert.match(readFileSync(join(repoRoot(), 'tsconfig.core.json'), 'utf8'), /"notebook"/);
});
