import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { chromium } from 'playwright-core';
import { localTraces } from '../../client/preview/local-traces.js';
import { previewHtml } from '../../client/preview/preview-html.js';
import { previewData } from '../../client/preview/trace-choices.js';
import { encodeHostMessage } from '../../client/preview/webview-messages.js';
import { analyzeText } from '../../language/analyze.js';
import type { HostToWebview, WebviewToHost } from '../../protocol/webview.js';
import { stateMachines } from '../../render/state-machine.js';
import { repoRoot } from './repo.js';

/**
 * The timeline preview page in real headless Chromium: the HTML template and
 * the esbuild bundle the extension ships, served from 127.0.0.1 under the same
 * Content-Security-Policy, with `acquireVsCodeApi` stubbed to record what the
 * page sends. Used by the browser tests and `npm run screenshots`.
 */

export const chromiumPath = process.env['CHROMIUM_BIN'] ?? '/usr/bin/chromium';
export const chromiumArgs = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'];

interface BuildModule {
  buildPreview(options: { outdir: string; minify?: boolean }): Promise<{ script: string; style: string }>;
}

/** A built page in a temp folder, served on 127.0.0.1. */
export interface PreviewSite {
  origin: string;
  url: string;
  close(): Promise<void>;
}

const types: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css' };

/** Builds the page the extension ships (esbuild.mjs's `buildPreview` + `previewHtml`) and serves it. */
export async function servePreview(): Promise<PreviewSite> {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-preview-'));
  const build = (await import(pathToFileURL(join(repoRoot(), 'esbuild.mjs')).href)) as BuildModule;
  await build.buildPreview({ outdir: dir });
  // The page's own URLs are only known once the port is: the HTML is written per request.
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    const port = (server.address() as AddressInfo).port;
    const origin = `http://127.0.0.1:${port}`;
    if (path === '/' || path === '/index.html') {
      const html = previewHtml({ cspSource: origin, nonce: nonce(), scriptUri: `${origin}/media/preview.js`, styleUri: `${origin}/media/preview.css` });
      res.writeHead(200, { 'content-type': types['.html']! });
      res.end(html);
      return;
    }
    const file = normalize(join(dir, path));
    if (!file.startsWith(dir)) {
      res.writeHead(403).end();
      return;
    }
    try {
      const body = readFileSync(file);
      // Like VS Code's webview resource loader: no charset on scripts.
      res.writeHead(200, { 'content-type': types[extname(file)] ?? 'application/octet-stream' });
      res.end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    url: `${origin}/index.html`,
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function nonce(): string {
  return randomBytes(16).toString('base64');
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath, args: chromiumArgs });
}

/** A few of the CSS variables VS Code puts on the webview's `<html>`, and its body class. */
export const themes = {
  light: {
    bodyClass: 'vscode-light',
    vars: {
      '--vscode-font-family': 'system-ui, "Segoe UI", sans-serif',
      '--vscode-font-size': '13px',
      '--vscode-editor-font-family': '"DejaVu Sans Mono", monospace',
      '--vscode-foreground': '#3b3b3b',
      '--vscode-editor-foreground': '#3b3b3b',
      '--vscode-editor-background': '#ffffff',
      '--vscode-focusBorder': '#005fb8',
      '--vscode-button-background': '#005fb8',
      '--vscode-button-foreground': '#ffffff',
      '--vscode-panel-border': '#e5e5e5',
    },
  },
  dark: {
    bodyClass: 'vscode-dark',
    vars: {
      '--vscode-font-family': 'system-ui, "Segoe UI", sans-serif',
      '--vscode-font-size': '13px',
      '--vscode-editor-font-family': '"DejaVu Sans Mono", monospace',
      '--vscode-foreground': '#cccccc',
      '--vscode-editor-foreground': '#cccccc',
      '--vscode-editor-background': '#1f1f1f',
      '--vscode-focusBorder': '#0078d4',
      '--vscode-button-background': '#0078d4',
      '--vscode-button-foreground': '#ffffff',
      '--vscode-panel-border': '#2b2b2b',
      '--vscode-input-background': '#313131',
      '--vscode-input-foreground': '#cccccc',
    },
  },
} as const;

export type ThemeName = keyof typeof themes;

/** What the stub `acquireVsCodeApi` and the hostile labels write on `window.__fl`. */
interface PageProbe {
  sent: WebviewToHost[];
  state: unknown;
  pwned: boolean;
}

/**
 * The few browser globals that functions run by `page.evaluate` use: the root
 * build has no DOM types, and these functions are sent to the page as text.
 */
export interface BrowserElement {
  id: string;
  className: string;
  dataset: Record<string, string | undefined>;
  classList: { add(name: string): void; replace(from: string, to: string): boolean };
}
export interface BrowserWindow {
  __fl: PageProbe;
  postMessage(message: unknown, targetOrigin: string): void;
}
export interface BrowserDocument {
  documentElement: { style: { setProperty(name: string, value: string): void } } | null;
  body: BrowserElement | null;
  getElementById(id: string): BrowserElement | null;
  querySelector(selector: string): BrowserElement | null;
}
declare const window: BrowserWindow;
declare const document: BrowserDocument;
declare class MutationObserver {
  constructor(callback: () => void);
  observe(target: BrowserDocument, options: { childList: boolean; subtree: boolean }): void;
  disconnect(): void;
}

export interface PreviewPage {
  page: Page;
  /** Console errors and page errors seen so far. */
  errors: string[];
  /** Sends a message as the extension host would (in its wire form: a show's traces as JSON text). */
  post(message: HostToWebview): Promise<void>;
  /** Everything the page sent to the host so far. */
  sent(): Promise<WebviewToHost[]>;
  /** Waits until the page has drawn `trace` (an id) and shows `step` when given. */
  rendered(trace: string, step?: number): Promise<void>;
  close(): Promise<void>;
}

export async function openPreview(browser: Browser, site: PreviewSite, theme: ThemeName = 'light', viewport = { width: 1280, height: 900 }): Promise<PreviewPage> {
  const context = await browser.newContext({ viewport, deviceScaleFactor: 1 });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  const t = themes[theme];
  await page.addInitScript(
    ({ bodyClass, vars }) => {
      window.__fl = { sent: [], state: undefined, pwned: false };
      const api = {
        postMessage: (m: unknown) => window.__fl.sent.push(JSON.parse(JSON.stringify(m)) as WebviewToHost),
        getState: () => window.__fl.state,
        setState: (s: unknown) => {
          window.__fl.state = s;
        },
      };
      Object.defineProperty(window, 'acquireVsCodeApi', { value: () => api });
      // VS Code puts its theme on <html> and <body> before the page runs; so do we, once <body> exists.
      const apply = () => {
        if (!document.body || !document.documentElement) return false;
        for (const [k, v] of Object.entries(vars)) document.documentElement.style.setProperty(k, v);
        document.body.classList.add(bodyClass);
        return true;
      };
      if (!apply()) {
        const watch = new MutationObserver(() => {
          if (apply()) watch.disconnect();
        });
        watch.observe(document, { childList: true, subtree: true });
      }
    },
    { bodyClass: t.bodyClass, vars: t.vars as Record<string, string> },
  );
  await page.goto(site.url);
  await page.waitForFunction(() => window.__fl.sent.some((m) => m.type === 'ready'));
  return {
    page,
    errors,
    post: (message) => page.evaluate((m: unknown) => window.postMessage(m, '*'), encodeHostMessage(message) as unknown),
    sent: () => page.evaluate(() => window.__fl.sent),
    rendered: async (trace, step) => {
      await page.waitForFunction(
        ({ trace, step }) => {
          const s = document.getElementById('status')?.dataset;
          return s?.state === 'rendered' && s.trace === trace && (step === null || s.step === String(step));
        },
        { trace, step: step ?? null },
        { timeout: 20_000 },
      );
    },
    close: () => context.close(),
  };
}

/** The `show` message the extension sends for a sample file: every run, computed with the core. */
export function showMessageFor(file: string, timeBudgetMs = 30_000): Extract<HostToWebview, { type: 'show' }> {
  const path = join(repoRoot(), 'samples', file);
  const text = readFileSync(path, 'utf8');
  const model = analyzeText(text).model;
  const uri = pathToFileURL(path).href;
  const result = localTraces(model, text, uri, 1, { run: null }, { now: () => performance.now(), timeBudgetMs, maxStates: 1_000_000, maxDepth: 1000, sampleSteps: 200 });
  const data = previewData(result);
  return {
    type: 'show',
    document: { uri, name: file, version: 1 },
    runs: data.runs,
    traces: data.traces,
    stateMachines: stateMachines(model),
    select: { trace: null, run: null },
    error: result.error,
  };
}

/** Writes a PNG of the page (the screenshots script). */
export async function screenshot(p: PreviewPage, path: string): Promise<void> {
  writeFileSync(path, await p.page.screenshot({ fullPage: false }));
}
