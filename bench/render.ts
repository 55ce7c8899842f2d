// Long traces in real headless Chromium (issue 11): for traces of 10 to 10,000 steps,
//   firstPaintMs    the preview page (the bundle the extension ships), from the host's
//                   `show` message to the windowed diagram and the overview on screen
//   overviewMs      the overview alone: built, inserted and laid out (1,200 px wide)
//   wholeMermaidMs  the whole trace through Mermaid in one render (maxTextSize raised),
//                   null when it does not finish within 10 s
//   ratio           firstPaintMs / wholeMermaidMs
//
//   npm run bench:render             a table
//   npm run bench:render -- --json   one JSON line per size
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as esbuild from 'esbuild';
import type { Browser } from 'playwright-core';
import type { Trace } from '../engine/trace.js';
import type { HostToWebview, PreviewTrace } from '../protocol/webview.js';
import { encodeHostMessage } from '../client/preview/webview-messages.js';
import { longTrace } from '../test/support/long-trace.js';
import { launchChromium, openPreview, servePreview, showMessageFor } from '../test/support/preview-page.js';
import { repoRoot } from '../test/support/repo.js';

/** The few browser globals the functions run in the page use (the bench is compiled without the DOM). */
interface StatusElement {
  dataset: Record<string, string | undefined>;
}
declare const document: { getElementById(id: string): StatusElement | null };
declare const window: { postMessage(message: unknown, targetOrigin: string): void };
declare function requestAnimationFrame(callback: () => void): number;
declare class MutationObserver {
  constructor(callback: () => void);
  observe(target: StatusElement, options: { attributes: boolean }): void;
  disconnect(): void;
}
interface RenderBench {
  overview(trace: Trace, width: number): number;
  wholeMermaid(trace: Trace): Promise<{ ms: number; svgChars: number; error: string | null }>;
}
declare const __flBench: RenderBench;

const sizes = [10, 100, 1_000, 10_000];
const wholeBudgetMs = 10_000;
const runs = 3;

interface Row {
  steps: number;
  firstPaintMs: number;
  overviewMs: number;
  wholeMermaidMs: number | null;
  firstPaintVsWhole: number | null;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const round = (v: number) => Math.round(v * 10) / 10;

async function benchPage(browser: Browser): Promise<{ close(): Promise<void>; page: import('playwright-core').Page }> {
  const out = await esbuild.build({
    entryPoints: [join(repoRoot(), 'client/bench/render-page.ts')],
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    write: false,
    logLevel: 'warning',
  });
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, deviceScaleFactor: 1 });
  const page = await context.newPage();
  await page.setContent('<!DOCTYPE html><html><head><meta charset="UTF-8"></head><body></body></html>');
  await page.addScriptTag({ content: out.outputFiles[0]!.text });
  return { page, close: () => context.close() };
}

/** The preview page from the host's `show` message to the diagram and overview painted (median of `runs` fresh pages). */
async function firstPaint(browser: Browser, site: Awaited<ReturnType<typeof servePreview>>, show: Extract<HostToWebview, { type: 'show' }>, trace: Trace): Promise<number> {
  const t: PreviewTrace = { id: `bench::${trace.steps.length}`, run: trace.run, runKind: 'check', property: 'Bounded', ok: false, message: 'Bounded does not hold', seed: 1, trace };
  // As the extension posts it: the traces as JSON text (HostToWebviewWire).
  const message = encodeHostMessage({ ...show, traces: [t], select: { trace: t.id, run: null } });
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const p = await openPreview(browser, site);
    try {
      const ms = await p.page.evaluate(
        ({ m, id }) =>
          new Promise<number>((resolve) => {
            const status = document.getElementById('status')!;
            const t0 = performance.now();
            const watch = new MutationObserver(() => {
              if (status.dataset['state'] !== 'rendered' || status.dataset['trace'] !== id) return;
              watch.disconnect();
              // Painted: the frame after the diagram is in the page.
              requestAnimationFrame(() => resolve(performance.now() - t0));
            });
            watch.observe(status, { attributes: true });
            window.postMessage(m, '*');
          }),
        { m: message as unknown, id: t.id },
      );
      const overview = await p.page.locator('#overview svg').count();
      if (overview !== 1) throw new Error(`no overview drawn for ${trace.steps.length} steps`);
      const svg = (await p.page.locator('#diagram svg').textContent()) ?? '';
      if (svg.includes('Maximum text size')) throw new Error('Mermaid drew its error picture');
      times.push(ms);
    } finally {
      await p.close();
    }
  }
  return median(times);
}

async function main(): Promise<void> {
  const json = process.argv.includes('--json');
  const [site, browser] = await Promise.all([servePreview(), launchChromium()]);
  const show = showMessageFor('two-phase-commit.ftp');
  const rows: Row[] = [];
  let wholeTooSlow = false;
  try {
    for (const steps of sizes) {
      const trace = longTrace(steps, { violationAt: Math.ceil(steps / 2) });
      const paint = await firstPaint(browser, site, show, trace);
      const b = await benchPage(browser);
      let overviewMs: number;
      let wholeMermaidMs: number | null = null;
      try {
        await b.page.evaluate((t) => __flBench.overview(t as Trace, 1200), trace as unknown);
        const times: number[] = [];
        for (let i = 0; i < 5; i++) times.push(await b.page.evaluate((t) => __flBench.overview(t as Trace, 1200), trace as unknown));
        overviewMs = median(times);
        if (!wholeTooSlow) {
          // Mermaid cannot be stopped once it runs: past the budget the page is closed under it.
          const whole = await Promise.race([
            b.page.evaluate((t) => __flBench.wholeMermaid(t as Trace), trace as unknown),
            new Promise<null>((resolve) => setTimeout(() => resolve(null), wholeBudgetMs)),
          ]);
          if (whole === null || whole.ms > wholeBudgetMs) wholeTooSlow = true;
          else if (whole.error) throw new Error(`Mermaid failed on the whole ${steps}-step trace: ${whole.error}`);
          else wholeMermaidMs = whole.ms;
        }
      } finally {
        await b.close().catch(() => undefined);
      }
      const row: Row = {
        steps,
        firstPaintMs: round(paint),
        overviewMs: round(overviewMs),
        wholeMermaidMs: wholeMermaidMs === null ? null : round(wholeMermaidMs),
        firstPaintVsWhole: wholeMermaidMs === null ? null : Math.round((paint / wholeMermaidMs) * 1000) / 1000,
      };
      rows.push(row);
      if (json) console.log(JSON.stringify(row));
    }
  } finally {
    await browser.close();
    await site.close();
  }
  if (!json) {
    const version = (JSON.parse(readFileSync(join(repoRoot(), 'node_modules/mermaid/package.json'), 'utf8')) as { version: string }).version;
    console.log(`mermaid ${version}, ${browser.version()} headless, median of ${runs} pages (first paint) and 5 runs (overview)`);
    console.log('steps | first paint ms | overview ms | whole trace through Mermaid ms | first paint / whole');
    for (const r of rows) {
      console.log(`${r.steps} | ${r.firstPaintMs} | ${r.overviewMs} | ${r.wholeMermaidMs ?? `> ${wholeBudgetMs / 1000} s`} | ${r.firstPaintVsWhole ?? '-'}`);
    }
  }
}

await main();
