import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { before, test } from 'node:test';
import { repoRoot } from '../support/repo.js';

/**
 * The packaged extension, built once by `npm run package` (esbuild bundles +
 * `vsce package --no-dependencies`): it holds the bundles, the grammar, the
 * preview's media and the samples, and nothing a user does not run.
 */

interface ZipEntry {
  name: string;
  method: number;
  size: number;
  offset: number;
  compressedSize: number;
}

/** The entries of a zip file, from its central directory. */
function zipEntries(zip: Buffer): ZipEntry[] {
  let end = zip.length - 22;
  while (end >= 0 && zip.readUInt32LE(end) !== 0x06054b50) end--;
  assert.ok(end >= 0, 'not a zip file');
  const count = zip.readUInt16LE(end + 10);
  let at = zip.readUInt32LE(end + 16);
  const out: ZipEntry[] = [];
  for (let i = 0; i < count; i++) {
    assert.equal(zip.readUInt32LE(at), 0x02014b50, 'bad central directory');
    const method = zip.readUInt16LE(at + 10);
    const compressedSize = zip.readUInt32LE(at + 20);
    const size = zip.readUInt32LE(at + 24);
    const nameLength = zip.readUInt16LE(at + 28);
    const extra = zip.readUInt16LE(at + 30);
    const comment = zip.readUInt16LE(at + 32);
    const offset = zip.readUInt32LE(at + 42);
    out.push({ name: zip.toString('utf8', at + 46, at + 46 + nameLength), method, size, offset, compressedSize });
    at += 46 + nameLength + extra + comment;
  }
  return out;
}

function zipRead(zip: Buffer, e: ZipEntry): Buffer {
  const header = e.offset;
  const data = header + 30 + zip.readUInt16LE(header + 26) + zip.readUInt16LE(header + 28);
  const raw = zip.subarray(data, data + e.compressedSize);
  return e.method === 0 ? Buffer.from(raw) : inflateRawSync(raw);
}

const root = repoRoot();
const vsixPath = join(root, 'faultline.vsix');
let zip: Buffer;
let entries: ZipEntry[];
let names: string[];

before(() => {
  const result = spawnSync('npm', ['run', 'package'], { cwd: root, encoding: 'utf8', timeout: 120_000 });
  assert.equal(result.status, 0, `npm run package failed:\n${result.stdout}\n${result.stderr}`);
  zip = readFileSync(vsixPath);
  entries = zipEntries(zip);
  names = entries.map((e) => e.name);
});

const file = (name: string) => {
  const e = entries.find((x) => x.name === name);
  assert.ok(e, `${name} is not in the .vsix`);
  return zipRead(zip, e).toString('utf8');
};

test('the .vsix holds the bundled client, server and worker, the grammar, the preview media, the icon and every sample', () => {
  const want = [
    'extension/package.json',
    'extension/readme.md',
    'extension/dist-ext/client.cjs',
    'extension/dist-ext/server.cjs',
    'extension/dist-ext/media/preview.js',
    'extension/dist-ext/media/preview.css',
    'extension/grammar/ftp.tmLanguage.json',
    'extension/grammar/language-configuration.json',
    'extension/resources/icon.png',
  ];
  if (existsSync(join(root, 'server/explore-worker.ts'))) want.push('extension/dist-ext/explore-worker.cjs');
  // The threads of an exploration on several (`faultline.explore.workers`).
  if (existsSync(join(root, 'threads/explore-parallel-worker.ts'))) want.push('extension/dist-ext/explore-parallel-worker.cjs');
  for (const sample of readdirSync(join(root, 'samples')).filter((f) => f.endsWith('.ftp') || f.endsWith('.ftpnb'))) want.push(`extension/samples/${sample}`);
  const missing = want.filter((n) => !names.includes(n));
  assert.deepEqual(missing, []);
  // Every file the packaged manifest points at is packaged.
  const manifest = JSON.parse(file('extension/package.json')) as { main: string; icon: string; contributes: { grammars: { path: string }[]; languages: { configuration: string }[] } };
  for (const f of [manifest.main, manifest.icon, ...manifest.contributes.grammars.map((g) => g.path), ...manifest.contributes.languages.map((l) => l.configuration)]) {
    assert.ok(names.includes(`extension/${f.replace(/^\.\//, '')}`), `${f} is referenced by the manifest but not packaged`);
  }
});

test('nothing from tests, sources, node_modules, dist/ or the build is packaged', () => {
  const forbidden = names.filter(
    (n) =>
      /^extension\/(test|node_modules|dist|client|server|engine|language|render|protocol|cli|bench|scripts|\.ci|\.git)\//.test(n) ||
      /\.(ts|map|tsbuildinfo|mjs)$/.test(n) ||
      /(^|\/)(tsconfig[^/]*\.json|esbuild\.mjs|package-lock\.json|\.vscodeignore|\.gitignore)$/.test(n),
  );
  assert.deepEqual(forbidden, []);
  const allowed = /^(extension\.vsixmanifest|\[Content_Types\]\.xml|extension\/(package\.json|readme\.md|changelog\.md|dist-ext\/.+|docs\/(?:preview|e2e)-[^/]+\.png|grammar\/[^/]+\.json|samples\/[^/]+\.(ftp|ftpnb)|resources\/.+))$/;
  assert.deepEqual(
    names.filter((n) => !allowed.test(n)),
    [],
  );
  assert.ok(statSync(vsixPath).size < 4 * 1024 * 1024, `the .vsix is ${statSync(vsixPath).size} bytes`);
});

test('the bundles need nothing at run time but VS Code and Node: no network, no node_modules', () => {
  const builtins = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);
  for (const bundle of ['client.cjs', 'server.cjs', 'explore-worker.cjs', 'explore-parallel-worker.cjs']) {
    const name = `extension/dist-ext/${bundle}`;
    if (!names.includes(name)) continue;
    const text = file(name);
    const required = [...text.matchAll(/\brequire\(\s*["']([^"']+)["']\s*\)/g)].map((m) => m[1]!);
    const outside = [...new Set(required)].filter((r) => r !== 'vscode' && !builtins.has(r) && !r.startsWith('./'));
    assert.deepEqual(outside, [], `${bundle} requires modules that are not bundled`);
  }
  const preview = file('extension/dist-ext/media/preview.js');
  // Mermaid is bundled, not fetched: no CDN in the page script, and the script is pure ASCII.
  assert.doesNotMatch(preview, /cdn\.jsdelivr|unpkg\.com|cdnjs/);
  assert.match(preview, /sequenceDiagram/);
  // eslint-disable-next-line no-control-regex
  assert.doesNotMatch(preview, /[^\x00-\x7f]/);
});
