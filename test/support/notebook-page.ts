import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, normalize } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { repoRoot } from './repo.js';

/**
 * The notebook renderer the extension ships (esbuild.mjs's
 * `buildNotebookRenderer`), loaded as an ES module into a page served from
 * 127.0.0.1 under a Content-Security-Policy as strict as a notebook webview's:
 * only our module runs, nothing loads from elsewhere. The page calls the
 * renderer's `activate()` and `renderOutputItem()` the way VS Code does.
 */

interface BuildModule {
  buildNotebookRenderer(options: { outdir: string; minify?: boolean }): Promise<string>;
}

export interface NotebookSite {
  url: string;
  close(): Promise<void>;
}

function page(origin: string, nonce: string): string {
  const csp = [
    "default-src 'none'",
    `script-src 'nonce-${nonce}' ${origin}`,
    "style-src 'unsafe-inline'",
    'img-src data:',
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<title>notebook outputs</title>
</head>
<body class="vscode-light">
<div id="outputs"></div>
<script type="module" nonce="${nonce}">
import { activate } from '${origin}/media/notebook-renderer.js';
window.__posted = [];
const api = activate({ workspace: { isTrusted: true }, postMessage: (m) => window.__posted.push(JSON.parse(JSON.stringify(m))) });
let next = 0;
window.__render = async (mime, data) => {
  const element = document.createElement('div');
  element.id = 'out-' + ++next;
  document.getElementById('outputs').append(element);
  const bytes = new TextEncoder().encode(JSON.stringify(data));
  await api.renderOutputItem({ id: element.id, mime, metadata: {}, json: () => JSON.parse(JSON.stringify(data)), data: () => bytes }, element, new AbortController().signal);
  element.dataset.done = 'true';
  return element.id;
};
window.__ready = true;
</script>
</body>
</html>
`;
}

/** Builds the renderer bundle into a temp folder and serves it with the page. */
export async function serveNotebookRenderer(): Promise<NotebookSite> {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-notebook-'));
  const build = (await import(pathToFileURL(join(repoRoot(), 'esbuild.mjs')).href)) as BuildModule;
  await build.buildNotebookRenderer({ outdir: dir });
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    if (path === '/' || path === '/index.html') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(page(origin, randomBytes(16).toString('base64')));
      return;
    }
    const file = normalize(join(dir, path));
    if (!file.startsWith(dir) || !file.endsWith('.js')) {
      res.writeHead(404).end();
      return;
    }
    try {
      const body = readFileSync(file);
      res.writeHead(200, { 'content-type': 'text/javascript' });
      res.end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: `${origin}/index.html`,
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * The browser globals the functions run by `page.evaluate` use: the root build
 * has no DOM types, and these functions are sent to the page as text.
 */
export interface NotebookWindow {
  __render(mime: string, data: unknown): Promise<string>;
  __ready: boolean;
  __nb: { pwned: boolean };
  /** What the renderer posted to the extension (`context.postMessage`). */
  __posted: unknown[];
}
export interface NotebookDocument {
  querySelector(selector: string): { textContent: string | null } | null;
}
declare const window: NotebookWindow;

export interface NotebookPage {
  page: Page;
  errors: string[];
  /** Renders one output item; the id of its element. */
  render(mime: string, data: unknown): Promise<string>;
  /** Every message the renderer posted to the extension so far. */
  posted(): Promise<unknown[]>;
  close(): Promise<void>;
}

export async function openNotebookPage(browser: Browser, site: NotebookSite): Promise<NotebookPage> {
  const context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  await page.addInitScript(() => {
    window.__nb = { pwned: false };
  });
  await page.goto(site.url);
  await page.waitForFunction(() => window.__ready === true);
  return {
    page,
    errors,
    render: (mime, data) => page.evaluate(({ mime, data }) => window.__render(mime, data), { mime, data }),
    posted: () => page.evaluate(() => window.__posted),
    close: () => context.close(),
  };
}
