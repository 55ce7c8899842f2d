import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import type { Trace, TraceStep } from '../../engine/trace.js';
import { parseNotebook } from '../../notebook/format.js';
import type { NotebookTrace, NotebookVerdicts } from '../../protocol/notebook.js';
import { traceMime, verdictsMime } from '../../protocol/notebook.js';
import { outputDigest } from '../../client/notebook/trace-views.js';
import { traceWindow, windowStatements } from '../../render/trace-window.js';
import type { NotebookDocument, NotebookPage, NotebookSite, NotebookWindow } from '../support/notebook-page.js';
import { openNotebookPage, serveNotebookRenderer } from '../support/notebook-page.js';
import { sampleNotebookText } from '../support/notebooks.js';
import { chromiumPath, launchChromium } from '../support/preview-page.js';
import { traceStep } from '../support/long-trace.js';

/**
 * The notebook renderer as the extension ships it (the esbuild bundle), in
 * headless Debian Chromium under a strict Content-Security-Policy, fed the
 * output data of the sample notebooks and hostile data.
 */

declare const window: NotebookWindow;
declare const document: NotebookDocument;

let site: NotebookSite;
let browser: Browser;

before(async () => {
  assert.ok(existsSync(chromiumPath), `${chromiumPath} is missing: apt-get install chromium`);
  [site, browser] = await Promise.all([serveNotebookRenderer(), launchChromium()]);
});

after(async () => {
  await browser?.close();
  await site?.close();
});

async function withPage(fn: (p: NotebookPage) => Promise<void>): Promise<void> {
  const p = await openNotebookPage(browser, site);
  try {
    await fn(p);
    assert.deepEqual(
      p.errors.filter((e) => /Content Security Policy|Refused/i.test(e)),
      [],
      'the renderer broke the Content-Security-Policy',
    );
    assert.equal(await p.page.evaluate(() => window.__nb.pwned), false, 'a label ran a script');
  } finally {
    await p.close();
  }
}

/** The output data of a sample notebook, by MIME type, in cell order. */
function sampleOutputs(name: string, mime: string): unknown[] {
  const parsed = parseNotebook(sampleNotebookText(name));
  assert.ok(parsed.ok);
  return parsed.notebook.cells.flatMap((c) => c.outputs.flatMap((o) => o.items.filter((i) => i.mime === mime).map((i) => i.data)));
}

function arrowsOf(trace: Trace): number {
  return trace.steps.reduce((n, s) => n + (s.message && (s.kind === 'deliver' || s.kind === 'drop') ? 1 : 0) + s.sent.filter((x) => x.lost).length, 0);
}

const unsafe = 'script, img, iframe, object, embed, foreignObject, [onerror], [onload], [onclick], a[href^="javascript"]';

test('a sample verdict table renders as a table: one row per property, results and expectations as text', async () => {
  const tables = sampleOutputs('commit-protocols.ftpnb', verdictsMime) as NotebookVerdicts[];
  const v = tables.find((t) => t.runs.some((r) => r.verdicts.some((x) => x.result === 'violated')))!;
  await withPage(async (p) => {
    const id = await p.render(verdictsMime, v);
    const out = p.page.locator(`#${id}`);
    const rows = v.runs.reduce((n, r) => n + Math.max(1, r.verdicts.length), 0);
    assert.equal(await out.locator('tbody tr').count(), rows);
    const text = (await out.textContent()) ?? '';
    for (const r of v.runs) {
      assert.ok(text.includes(r.title), r.title);
      for (const x of r.verdicts) assert.ok(text.includes(x.property), x.property);
    }
    assert.ok(text.includes('violated'), text);
    assert.match(text, /every expectation met/);
    assert.equal(await out.locator('.fl-bad').count(), 0, 'a sample shows a failed expectation');
    assert.ok((await out.locator('td.fl-ok').count()) >= rows);
  });
});

test('a sample trace renders as a Mermaid sequence diagram: every node, every arrow, the violating step boxed', async () => {
  const traces = sampleOutputs('commit-protocols.ftpnb', traceMime) as NotebookTrace[];
  const t = traces.find((x) => x.property === 'Termination')!;
  await withPage(async (p) => {
    const id = await p.render(traceMime, t);
    const out = p.page.locator(`#${id}`);
    await out.locator('.fl-diagram[data-state="rendered"] svg').waitFor();
    const svg = (await out.locator('.fl-diagram svg').textContent()) ?? '';
    for (const n of t.trace.nodes) assert.ok(svg.includes(n.name), `participant ${n.name} missing`);
    assert.equal(await out.locator('svg text.messageText').count(), arrowsOf(t.trace));
    assert.ok(svg.includes(`violates ${t.trace.violation!.property}`), 'the violation note is missing');
    assert.equal(await out.locator('svg rect.rect').count(), 1, 'the violating step is not boxed');
    assert.equal(await out.locator('.fl-title').textContent(), t.title);
    assert.equal(await out.locator('details li').count(), t.trace.steps.length);
    assert.equal(await out.locator('.fl-nav').isHidden(), true, 'a short trace needs no window');
    assert.equal(await out.locator(unsafe).count(), 0);
  });
});

test('every output of every sample notebook renders without an error', async () => {
  await withPage(async (p) => {
    for (const name of ['failure-models.ftpnb', 'commit-protocols.ftpnb', 'byzantine-generals.ftpnb', 'quorums.ftpnb', 'flp.ftpnb']) {
      for (const v of sampleOutputs(name, verdictsMime)) {
        const id = await p.render(verdictsMime, v);
        assert.equal(await p.page.locator(`#${id} table, #${id} .fl-diags`).count() > 0, true, `${name}: empty verdict output`);
      }
      for (const t of sampleOutputs(name, traceMime)) {
        const id = await p.render(traceMime, t);
        assert.equal(await p.page.locator(`#${id} .fl-diagram`).getAttribute('data-state'), 'rendered', `${name}: ${(t as NotebookTrace).title}`);
      }
    }
    assert.deepEqual(p.errors, []);
  });
});

const evil = '<script>window.__nb.pwned = true</script>';
const img = '<img src=x onerror="window.__nb.pwned = true">';
const directive = '%%{init: {"securityLevel": "loose"}}%%';

test('hostile labels in a verdict table render as text and run no script', async () => {
  const v: NotebookVerdicts = {
    format: 'faultline-verdicts/1',
    protocol: evil,
    diagnostics: [{ severity: 'error', code: img, message: `${evil} "quoted" %% ; é 🚀`, cell: 2, line: 1, column: 1, endLine: 1, endColumn: 2 }],
    runs: [
      {
        title: `check ${img}`,
        run: evil,
        kind: 'check',
        mode: 'explore',
        status: 'complete',
        statusText: 'complete',
        states: 3,
        transitions: 4,
        depth: 2,
        simulations: null,
        elapsedMs: 5,
        ok: false,
        verdicts: [
          { property: evil, kind: 'invariant', result: 'violated', expected: 'holds', ok: false, message: img, steps: 3 },
          { property: `${directive}; "x"`, kind: 'eventually', result: 'holds', expected: 'holds', ok: true, message: '<b>bold</b>', steps: null },
        ],
      },
    ],
    ok: false,
    stopped: false,
    elapsedMs: 7,
  };
  await withPage(async (p) => {
    const id = await p.render(verdictsMime, v);
    const out = p.page.locator(`#${id}`);
    assert.equal(await out.locator(unsafe).count(), 0);
    assert.equal(await out.locator('b').count(), 0);
    assert.equal(await out.locator('tbody th').textContent(), `check ${img}`);
    assert.deepEqual(await out.locator('tbody tr td:first-of-type').allTextContents(), [evil, `${directive}; "x"`]);
    assert.equal(await out.locator('.fl-diags li').textContent(), `cell 2, line 1, column 1: error: ${evil} "quoted" %% ; é 🚀 [${img}]`);
    assert.equal(await out.locator('td.fl-bad').getAttribute('title'), img);
    assert.match((await out.locator('.fl-summary').textContent()) ?? '', /not met/);
  });
});

function hostileTrace(): Trace {
  const a = `${evil} "A" %% ; # é 🚀`;
  const b = `${img} B;#`;
  const msg = `${directive} <svg onload="window.__nb.pwned = true">`;
  const field = `"><script>window.__nb.pwned = true</script>`;
  const value = 'javascript:window.__nb.pwned = true; %% end';
  const step = (index: number, over: Partial<TraceStep>): TraceStep => traceStep(index, { kind: 'deliver', node: b, handler: { start: 0, end: 1 }, ...over });
  return {
    format: 'faultline-trace/1',
    protocol: evil,
    run: 'r;%%',
    nodes: [
      { name: a, role: 'A' },
      { name: b, role: 'B' },
    ],
    initial: { [a]: { status: 'not started', byzantine: true, vars: { [field]: value } }, [b]: { status: 'up', byzantine: false, vars: { x: 0 } } },
    steps: [
      step(1, { kind: 'start', node: a, sent: [{ id: 1, name: msg, from: a, to: b, fields: { [field]: value }, lost: null }] }),
      step(2, { message: { id: 1, name: msg, from: a, to: b, fields: { [field]: value } }, changes: [{ node: b, variable: field, before: 0, after: value }], events: [{ kind: 'decide', value }] }),
      step(3, { kind: 'crash', node: b, crashed: true, fault: { label: `crash ${b}`, span: { start: 0, end: 1 } } }),
    ],
    final: {},
    violation: { property: '<b>Safety</b>"', kind: 'invariant', message: `<i>${a}</i>`, step: 3, span: { start: 0, end: 1 } },
  };
}

test('hostile labels in a trace render as text in the diagram and run no script', async () => {
  const trace = hostileTrace();
  const t: NotebookTrace = {
    format: 'faultline-notebook-trace/1',
    title: `${evil} violated`,
    run: img,
    property: '<b>Safety</b>"',
    ok: false,
    message: img,
    trace,
    sources: [],
    view: { focus: 3, window: null },
  };
  await withPage(async (p) => {
    const id = await p.render(traceMime, t);
    const out = p.page.locator(`#${id}`);
    await out.locator('.fl-diagram[data-state="rendered"] svg').waitFor();
    const svg = (await out.locator('.fl-diagram svg').textContent()) ?? '';
    assert.ok(svg.includes(trace.nodes[0]!.name), `node name not shown as text: ${svg.slice(0, 300)}`);
    assert.ok(svg.includes(directive), 'the message name is not shown as text');
    assert.ok(svg.includes('javascript:window.__nb.pwned = true; %% end'));
    assert.equal(await out.locator(unsafe).count(), 0);
    assert.equal(await out.locator('.fl-title').textContent(), `${evil} violated`);
    assert.equal(await out.locator('.fl-note').textContent(), img);
    assert.equal(await out.locator('details li').count(), 3);
  });
});

test('data that is not a verdict table or a trace is refused with a message, not half drawn', async () => {
  await withPage(async (p) => {
    const cases: [string, unknown, RegExp][] = [
      [verdictsMime, { format: 'something else' }, /not a Faultline verdict table/],
      [verdictsMime, 'a string', /not a Faultline verdict table/],
      [traceMime, { format: 'faultline-notebook-trace/1', trace: { nodes: 'x' } }, /not a Faultline trace/],
      [traceMime, { format: 'faultline-notebook-trace/1', trace: { ...hostileTrace(), steps: [{ index: 1, kind: 'deliver', sent: 1 }] } }, /not a Faultline trace/],
    ];
    for (const [mime, data, message] of cases) {
      const id = await p.render(mime, data);
      assert.match((await p.page.locator(`#${id}`).textContent()) ?? '', message);
    }
    // A table with odd members still renders what it can.
    const id = await p.render(verdictsMime, { format: 'faultline-verdicts/1', runs: [{ title: 7, verdicts: [{ property: 'P', result: 'bogus' }, 3] }], diagnostics: 'x' });
    assert.equal(await p.page.locator(`#${id} tbody tr`).count(), 1);
    assert.deepEqual(p.errors, []);
  });
});

test('a long trace is drawn as a window of steps that the buttons move', async () => {
  const tick = (index: number): TraceStep => traceStep(index);
  const trace: Trace = {
    format: 'faultline-trace/1',
    protocol: 'P',
    run: 'r',
    nodes: [
      { name: 'A', role: 'A' },
      { name: 'B', role: 'B' },
    ],
    initial: { A: { status: 'up', byzantine: false, vars: {} }, B: { status: 'up', byzantine: false, vars: {} } },
    steps: Array.from({ length: 300 }, (_, i) => tick(i + 1)),
    final: {},
    violation: null,
  };
  const t: NotebookTrace = { format: 'faultline-notebook-trace/1', title: 'long', run: 'r', property: null, ok: true, message: '', trace, sources: [], view: { focus: 300, window: null } };
  const range = (w: { focus: number; radius: number }) => `steps ${Math.max(1, w.focus - w.radius)}–${Math.min(300, w.focus + w.radius)} of 300`;
  const w0 = traceWindow(trace, 300, null)!;
  const w1 = traceWindow(trace, w0.focus - (2 * w0.radius + 1), null)!;
  const start = traceWindow(trace, 1, null)!;
  const digest = outputDigest(new TextEncoder().encode(JSON.stringify(t)));
  await withPage(async (p) => {
    const id = await p.render(traceMime, t);
    const out = p.page.locator(`#${id}`);
    assert.equal(await out.locator('.fl-nav').isVisible(), true);
    assert.equal(w0.focus + w0.radius, 300, 'the last window ends at the last step');
    assert.equal(await out.locator('.fl-nav span').textContent(), range(w0));
    assert.equal(await out.locator('button', { hasText: 'Later steps' }).isDisabled(), true);
    const notes = await out.locator('svg rect.note').count();
    assert.ok(notes >= 2 * w0.radius + 1 && notes <= windowStatements, `${notes} notes drawn`);
    assert.deepEqual(await p.posted(), [], 'nothing to keep before the user moves');
    await out.locator('button', { hasText: 'Earlier steps' }).click();
    await p.page.waitForFunction(({ sel, text }) => document.querySelector(sel)?.textContent === text, { sel: `#${id} .fl-nav span`, text: range(w1) });
    await out.locator('.fl-diagram[data-state="rendered"] svg').waitFor();
    assert.equal(w1.focus + w1.radius, w0.focus - w0.radius - 1, 'the earlier window ends where the last one began');
    assert.ok(((await out.locator('.fl-diagram svg').textContent()) ?? '').includes(`${w1.focus - w1.radius}. time passes`));
    // The extension is told which window this output now shows, to save it in the output.
    assert.deepEqual(await p.posted(), [{ type: 'traceView', output: digest, view: { focus: 300, window: w1 } }]);
    // The overview of the whole run: a click near its start moves the window there.
    const overview = out.locator('.fl-overview-box svg');
    assert.equal(await overview.getAttribute('data-steps'), '300');
    assert.deepEqual(await out.locator('.fl-overview-box .fl-ov-label').allTextContents(), ['A', 'B']);
    const box = (await overview.boundingBox())!;
    const x = await overview.evaluate((svg) => Number(svg.getAttribute('width')));
    // 3% into the plot, in page pixels (the labels take the left part of the overview).
    const model = { labelWidth: Math.min(140, Math.floor(x / 4)), plot: x - Math.min(140, Math.floor(x / 4)) - 8 };
    await overview.click({ position: { x: ((model.labelWidth + model.plot * 0.03) * box.width) / x, y: box.height / 2 } });
    await p.page.waitForFunction(({ sel, text }) => document.querySelector(sel)?.textContent === text, { sel: `#${id} .fl-nav span`, text: range(start) });
    // Step 25 is in the new window only.
    await p.page.waitForFunction((sel) => (document.querySelector(sel)?.textContent ?? '').includes('25. time passes'), `#${id} .fl-diagram svg`);
    assert.deepEqual((await p.posted()).at(-1), { type: 'traceView', output: digest, view: { focus: 300, window: start } });
    // The same output drawn again (scrolled back into view) opens where the user left it.
    const again = await p.render(traceMime, t);
    assert.equal(await p.page.locator(`#${again} .fl-nav span`).textContent(), range(start));
  });
});
