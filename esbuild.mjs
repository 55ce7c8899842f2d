// Bundles the VS Code extension into dist-ext/:
//   client.cjs          the extension (node, cjs; `vscode` stays external)
//   server.cjs          the language server (when server/main.ts exists)
//   explore-worker.cjs  its exploration worker (when server/explore-worker.ts exists)
//   media/preview.js    the timeline preview page (browser, with Mermaid)
//   media/preview.css
//
//   node esbuild.mjs           production bundles (minified, no source maps)
//   node esbuild.mjs --dev     readable bundles with source maps
//
// Tests import `buildPreview` to build the page the extension ships.
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';

export const root = dirname(fileURLToPath(import.meta.url));

/**
 * Mermaid keeps a few non-ASCII characters inside regular expressions, which
 * esbuild leaves as they are. A webview may serve the script without a charset,
 * so the bundle is made pure ASCII: `\uXXXX` means the same in strings, regular
 * expressions, templates and identifiers.
 */
function asciiOnly(file) {
  const text = readFileSync(file, 'utf8');
  // eslint-disable-next-line no-control-regex
  const out = text.replace(/[^\x00-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  if (out !== text) writeFileSync(file, out);
}

/** The preview page's script and style into `<outdir>/media/`. */
export async function buildPreview({ outdir = join(root, 'dist-ext'), minify = true, sourcemap = false } = {}) {
  const media = join(outdir, 'media');
  await esbuild.build({
    entryPoints: { preview: join(root, 'client/preview/webview/main.ts') },
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    minify,
    sourcemap,
    legalComments: 'linked',
    outdir: media,
    logLevel: 'warning',
  });
  asciiOnly(join(media, 'preview.js'));
  await esbuild.build({
    entryPoints: { preview: join(root, 'client/preview/webview/preview.css') },
    bundle: true,
    minify,
    outdir: media,
    logLevel: 'warning',
  });
  return { script: join(media, 'preview.js'), style: join(media, 'preview.css') };
}

/**
 * Inside the extension the server and its worker are `.cjs` bundles (the package
 * is `"type": "module"`, so a `.js` file there would load as an ES module), while
 * `tsc` output keeps `.js`. The server names its worker as a sibling
 * `./explore-worker.js`, and the thread pool of parallel exploration its thread
 * as `./explore-parallel-worker.js`; in the bundle those names end in `.cjs`.
 * A build that finds no such reference fails, so the two cannot drift apart silently.
 */
const workerNames = ['explore-worker', 'explore-parallel-worker'];
function workerNamePlugin(found) {
  return {
    name: 'faultline-worker-name',
    setup(build) {
      build.onLoad({ filter: /[\\/](server|threads)[\\/][^\\/]+\.ts$/ }, (args) => {
        const text = readFileSync(args.path, 'utf8');
        const out = text.replace(/(['"])\.\/(explore-worker|explore-parallel-worker)\.js\1/g, (_, q, name) => {
          found.add(name);
          return `${q}./${name}.cjs${q}`;
        });
        return { contents: out, loader: 'ts' };
      });
    },
  };
}

/** The extension host and language server bundles into `outdir`. */
export async function buildNode({ outdir = join(root, 'dist-ext'), minify = true, sourcemap = false } = {}) {
  const entries = {
    client: 'client/extension.ts',
    server: 'server/main.ts',
    'explore-worker': 'server/explore-worker.ts',
    // Its threads when `faultline.explore.workers` is above 1.
    'explore-parallel-worker': 'threads/explore-parallel-worker.ts',
    // Protocol notebooks (issue 6): the kernel's worker thread.
    'notebook-worker': 'client/notebook/cell-worker.ts',
  };
  const entryPoints = Object.fromEntries(Object.entries(entries).filter(([, file]) => existsSync(join(root, file))).map(([name, file]) => [name, join(root, file)]));
  const workerRefs = new Set();
  await esbuild.build({
    plugins: [workerNamePlugin(workerRefs)],
    entryPoints,
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    outdir,
    outExtension: { '.js': '.cjs' },
    external: ['vscode'],
    minify,
    sourcemap,
    legalComments: 'linked',
    // The sources are ES modules: give `import.meta.url` its meaning inside a cjs bundle.
    define: { 'import.meta.url': '__faultlineModuleUrl' },
    banner: { js: `const __faultlineModuleUrl = require('url').pathToFileURL(__filename).href;` },
    logLevel: 'warning',
  });
  for (const name of workerNames) {
    if (entryPoints[name] && !workerRefs.has(name)) {
      throw new Error(`${entries[name]} is bundled, but no file names './${name}.js': update workerNamePlugin in esbuild.mjs`);
    }
  }
  return Object.keys(entryPoints).map((name) => join(outdir, `${name}.cjs`));
}

// ---- Protocol notebooks (issue 6) ------------------------------------------

/**
 * The notebook renderer (`contributes.notebookRenderer`): an ES module VS Code
 * loads into the notebook's webview, with Mermaid bundled, into
 * `<outdir>/media/notebook-renderer.js`. Tests import it to load the renderer
 * the extension ships into Chromium.
 */
export async function buildNotebookRenderer({ outdir = join(root, 'dist-ext'), minify = true, sourcemap = false } = {}) {
  const media = join(outdir, 'media');
  await esbuild.build({
    entryPoints: { 'notebook-renderer': join(root, 'client/notebook/renderer/main.ts') },
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify,
    sourcemap,
    legalComments: 'linked',
    outdir: media,
    logLevel: 'warning',
  });
  asciiOnly(join(media, 'notebook-renderer.js'));
  return join(media, 'notebook-renderer.js');
}

// -----------------------------------------------------------------------------

export async function buildAll(options = {}) {
  const outdir = options.outdir ?? join(root, 'dist-ext');
  rmSync(outdir, { recursive: true, force: true });
  const [node, preview, notebookRenderer] = await Promise.all([
    buildNode({ ...options, outdir }),
    buildPreview({ ...options, outdir }),
    buildNotebookRenderer({ ...options, outdir }),
  ]);
  return { node, preview, notebookRenderer };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const dev = process.argv.includes('--dev');
  const t0 = performance.now();
  const out = await buildAll({ minify: !dev, sourcemap: dev ? 'linked' : false });
  console.log(`esbuild: ${[...out.node, out.preview.script, out.preview.style, out.notebookRenderer].map((f) => f.slice(root.length + 1)).join(', ')} in ${Math.round(performance.now() - t0)} ms`);
}
