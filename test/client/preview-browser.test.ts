import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { formatValue } from '../../engine/describe-step.js';
import type { Trace, TraceStep } from '../../engine/trace.js';
import type { HostToWebview, PreviewTrace, WebviewToHost } from '../../protocol/webview.js';
import type { BrowserDocument, BrowserWindow, PreviewPage, PreviewSite } from '../support/preview-page.js';
import { traceWindow } from '../../render/trace-window.js';
import { longTrace, traceStep } from '../support/long-trace.js';
import { chromiumPath, launchChromium, openPreview, servePreview, showMessageFor } from '../support/preview-page.js';

/**
 * The timeline preview page (the HTML template and the bundle the extension
 * ships) in headless Debian Chromium, fed trace JSON the core computes from the
 * samples, as the extension host would send it.
 */

// Used only inside functions that run in the page (see BrowserDocument).
declare const window: BrowserWindow;
declare const document: BrowserDocument;
declare function getComputedStyle(element: unknown): { fill: string };

type Show = Extract<HostToWebview, { type: 'show' }>;

let site: PreviewSite;
let browser: Browser;
let twoPc: Show;
let byzantine: Show;

before(async () => {
  assert.ok(existsSync(chromiumPath), `${chromiumPath} is missing: apt-get install chromium`);
  [site, browser] = await Promise.all([servePreview(), launchChromium()]);
  twoPc = showMessageFor('two-phase-commit.ftp');
  byzantine = showMessageFor('byzantine-generals.ftp');
});

after(async () => {
  await browser?.close();
  await site?.close();
});

/** The first counterexample of a property, or fails. */
function counterexample(show: Show, property: string): PreviewTrace {
  const t = show.traces.find((x) => x.property === property && x.trace.steps.length > 1);
  assert.ok(t, `no counterexample of ${property} in ${show.document.name}: ${show.traces.map((x) => x.id).join(', ')}`);
  return t;
}

function showOnly(show: Show, t: PreviewTrace): Show {
  return { ...show, select: { trace: t.id, run: null } };
}

/** What the SVG must draw for a trace: one arrow per delivery, drop and lost send. */
function arrowsOf(trace: Trace): number {
  return trace.steps.reduce((n: number, s: TraceStep) => n + (s.message && (s.kind === 'deliver' || s.kind === 'drop') ? 1 : 0) + s.sent.filter((x) => x.lost).length, 0);
}

async function withPage(fn: (p: PreviewPage) => Promise<void>, theme: 'light' | 'dark' = 'light'): Promise<void> {
  const p = await openPreview(browser, site, theme);
  try {
    await fn(p);
    const csp = p.errors.filter((e) => /Content Security Policy/i.test(e));
    assert.deepEqual(csp, [], 'the page broke its Content-Security-Policy');
  } finally {
    await p.close();
  }
}

const svgText = (p: PreviewPage) => p.page.locator('#diagram svg').evaluate((svg) => svg.textContent ?? '');
const currentMarks = (p: PreviewPage) => p.page.locator('#diagram svg .fl-current').evaluateAll((els) => els.map((e) => e.textContent ?? ''));

test('the 2PC blocking counterexample renders: participants, arrows, notes, the violating step highlighted', async () => {
  const t = counterexample(twoPc, 'Termination');
  const trace = t.trace;
  await withPage(async (p) => {
    await p.post(showOnly(twoPc, t));
    await p.rendered(t.id, trace.violation!.step);
    const text = await svgText(p);
    for (const n of trace.nodes) assert.ok(text.includes(n.name), `participant ${n.name} missing`);
    const arrows = await p.page.locator('#diagram svg text.messageText').count();
    assert.equal(arrows, arrowsOf(trace));
    assert.ok((await p.page.locator('#diagram svg .messageLine0, #diagram svg .messageLine1').count()) >= arrows);
    assert.ok(text.includes('CRASH'), 'the crash note is missing');
    assert.ok(text.includes(`violates ${trace.violation!.property}`), 'the violation note is missing');
    // The violating step is boxed by the emitter and highlighted by the page.
    assert.equal(await p.page.locator('#diagram svg rect.rect').count(), 1);
    const marks = await currentMarks(p);
    assert.ok(marks.length > 0, 'no mark of the current step');
    assert.ok(marks.some((m) => m.startsWith(`${trace.violation!.step}. `)), `current marks: ${marks.join(' | ')}`);
    // The picker offers every trace of every run.
    const options = await p.page.locator('#trace-picker option').allTextContents();
    assert.equal(options.length, twoPc.traces.length);
    assert.ok(options.some((o) => o.includes('Termination violated (expected)')), options.join(' | '));
    // The node table shows the crashed coordinator at the last step.
    const row = p.page.locator('#node-states tbody tr', { hasText: 'Coordinator' });
    assert.match((await row.locator('td').first().textContent()) ?? '', /crashed/);
    assert.equal(await p.page.locator('#step-label').textContent(), `step ${trace.violation!.step} of ${trace.steps.length}`);
  });
});

test('the slider and the keyboard move the highlight and show every node state at that step', async () => {
  const t = counterexample(twoPc, 'Termination');
  const trace = t.trace;
  await withPage(async (p) => {
    await p.post(showOnly(twoPc, t));
    await p.rendered(t.id);
    const svgId = await p.page.locator('#diagram svg').getAttribute('id');
    await p.page.locator('#step').fill('2');
    await p.rendered(t.id, 2);
    assert.ok((await currentMarks(p)).some((m) => m.startsWith('2. ')), 'step 2 is not highlighted');
    assert.equal(await p.page.locator('#diagram svg').getAttribute('id'), svgId, 'moving inside a drawn trace must not draw it again');
    // The table after step 2 is `initial` plus the changes of steps 1 and 2.
    for (const node of trace.nodes) {
      let vars = { ...trace.initial[node.name]!.vars };
      for (const s of trace.steps.slice(0, 2)) for (const c of s.changes) if (c.node === node.name) vars = { ...vars, [c.variable]: c.after };
      const row = p.page.locator(`#node-states tbody tr[data-node="${node.name}"]`);
      for (const [k, v] of Object.entries(vars)) {
        assert.equal(await row.locator(`li[data-var="${k}"] .fl-value`).textContent(), formatValue(v), `${node.name}.${k}`);
      }
    }
    const changed = await p.page.locator('#node-states li.fl-changed').allTextContents();
    assert.deepEqual(changed.sort(), trace.steps[1]!.changes.map((c) => `${c.variable} = ${formatValue(c.after)}`).sort());
    assert.match((await p.page.locator('#step-text').textContent()) ?? '', /^step 2: /);

    await p.page.locator('body').click({ position: { x: 5, y: 5 } });
    await p.page.keyboard.press('ArrowRight');
    await p.rendered(t.id, 3);
    await p.page.keyboard.press('Home');
    await p.rendered(t.id, 0);
    assert.deepEqual(await currentMarks(p), []);
    assert.equal(await p.page.locator('#step-label').textContent(), `initial state (${trace.steps.length} steps)`);
    await p.page.keyboard.press('End');
    await p.rendered(t.id, trace.steps.length);
    const steps = (await p.sent()).filter((m): m is Extract<WebviewToHost, { type: 'stepChanged' }> => m.type === 'stepChanged');
    assert.deepEqual(
      steps.map((m) => m.step),
      [2, 3, 0, trace.steps.length],
    );
    assert.deepEqual(steps[0]!.handler, trace.steps[1]!.handler);
  });
});

test('a click on a message arrow selects its step and asks the host to reveal the handler', async () => {
  const t = counterexample(twoPc, 'Termination');
  const trace = t.trace;
  await withPage(async (p) => {
    await p.post(showOnly(twoPc, t));
    await p.rendered(t.id);
    const target = trace.steps.find((s) => s.kind === 'deliver' && s.handler && s.index !== trace.violation!.step)!;
    await p.page.locator('#diagram svg text.messageText', { hasText: `${target.index}. ` }).first().click();
    await p.rendered(t.id, target.index);
    const reveal = (await p.sent()).filter((m) => m.type === 'revealSource');
    assert.deepEqual(reveal, [{ type: 'revealSource', uri: twoPc.document.uri, version: 1, span: target.handler }]);
  });
});

test('the Byzantine counterexample renders with the Byzantine node marked, and the picker switches traces', async () => {
  const t = counterexample(byzantine, 'Validity');
  const other = twoPc.traces[0]!;
  await withPage(async (p) => {
    await p.post({ ...byzantine, traces: [...byzantine.traces, other], select: { trace: t.id, run: null } });
    await p.rendered(t.id, t.trace.violation!.step);
    const text = await svgText(p);
    for (const n of t.trace.nodes) assert.ok(text.includes(n.name), `participant ${n.name} missing`);
    assert.ok(text.includes('Byzantine'));
    assert.ok(text.includes('violates Validity'));
    const byz = Object.entries(t.trace.initial).find(([, s]) => s.byzantine)![0];
    assert.match((await p.page.locator(`#node-states tbody tr[data-node="${byz}"] td`).first().textContent()) ?? '', /Byzantine/);
    await p.page.locator('#trace-picker').selectOption(other.id);
    await p.rendered(other.id);
    assert.ok((await svgText(p)).includes(other.trace.nodes[0]!.name));
  });
});

/** A trace whose every label is hostile: markup, quotes, Mermaid comments and directives, separators, unicode. */
function hostileTrace(): Trace {
  const a = '<script>window.__fl.pwned = true</script> "A" %% ; # é 🚀';
  const b = '<img src=x onerror="window.__fl.pwned = true"> B;#';
  const msg = '%%{init: {"securityLevel": "loose"}}%% <svg onload="window.__fl.pwned = true">';
  const field = '"><script>window.__fl.pwned = true</script>';
  const v = 'javascript:window.__fl.pwned = true; %% end';
  const step = (index: number, over: Partial<TraceStep>): TraceStep => traceStep(index, { kind: 'deliver', node: b, handler: { start: 10 * index, end: 10 * index + 5 }, ...over });
  return {
    format: 'faultline-trace/1',
    protocol: 'P<script>',
    run: 'r;%%',
    nodes: [
      { name: a, role: 'A' },
      { name: b, role: 'B' },
    ],
    initial: { [a]: { status: 'not started', byzantine: true, vars: { [field]: v } }, [b]: { status: 'up', byzantine: false, vars: { x: 0 } } },
    steps: [
      step(1, { kind: 'start', node: a, sent: [{ id: 1, name: msg, from: a, to: b, fields: { [field]: v }, lost: null }] }),
      step(2, { message: { id: 1, name: msg, from: a, to: b, fields: { [field]: v } }, changes: [{ node: b, variable: field, before: 0, after: v }], events: [{ kind: 'decide', value: v }] }),
      step(3, { kind: 'crash', node: b, crashed: true, fault: { label: `crash ${b}`, span: { start: 0, end: 1 } } }),
    ],
    final: {},
    violation: { property: '<b>Safety</b>"', kind: 'invariant', message: `<i>${a}</i>`, step: 3, span: { start: 0, end: 1 } },
  };
}

test('hostile labels render as text and run no script', async () => {
  const trace = hostileTrace();
  const hostile: PreviewTrace = { id: 'hostile::x', run: 'r;%%', runKind: 'scenario', property: trace.violation!.property, ok: false, message: trace.violation!.message, seed: null, trace };
  const show: Show = {
    type: 'show',
    document: { uri: 'file:///tmp/%3Cscript%3E.ftp', name: '<script>.ftp', version: 1 },
    runs: [],
    traces: [hostile],
    stateMachines: [{ role: '<script>', variable: 'phase"', states: ['<A>', 'B;%%'], initial: ['<A>'], transitions: [{ from: '<A>', to: 'B;%%', triggers: ['<img src=x onerror="window.__fl.pwned = true">'], handlers: [] }] }],
    select: { trace: hostile.id, run: null },
    error: null,
  };
  await withPage(async (p) => {
    await p.post(show);
    await p.rendered(hostile.id, 3);
    const text = await svgText(p);
    assert.ok(text.includes('<script>window.__fl.pwned = true</script> "A" %% ; # é 🚀'), `node name not shown as text: ${text.slice(0, 400)}`);
    assert.ok(text.includes('%%{init: {"securityLevel": "loose"}}%%'), 'the message name is not shown as text');
    assert.ok(text.includes('javascript:window.__fl.pwned = true; %% end'));
    assert.equal(await p.page.locator('#diagram script, #diagram svg script, #diagram foreignObject, #diagram img, #diagram [onerror], #diagram [onload]').count(), 0);
    // The overview (our own SVG) shows the node names as text, not markup.
    assert.deepEqual(await p.page.locator('#overview svg .fl-ov-label').allTextContents(), trace.nodes.map((n) => n.name));
    assert.equal(await p.page.locator('#overview script, #overview img, #overview [onerror], #overview [onload]').count(), 0);
    // The page's own DOM: the picker and the node table show the labels as text too.
    assert.equal(await p.page.locator(`#node-states tbody tr th`).first().textContent(), trace.nodes[0]!.name);
    assert.equal(await p.page.locator('body script').count(), 1, 'only the page bundle is a script');
    // The state machine view too.
    await p.page.locator('#tab-machines').click();
    await p.page.locator('#machine svg').waitFor();
    const machine = (await p.page.locator('#machine svg').textContent()) ?? '';
    assert.ok(machine.includes('<A>') && machine.includes('B;%%'), machine);
    assert.equal(await p.page.locator('#machine script, #machine img, #machine [onerror]').count(), 0);
    // Exports carry the text, escaped for Mermaid.
    await p.page.locator('#tab-timeline').click();
    await p.page.locator('#export-md').click();
    const md = (await p.sent()).find((m): m is Extract<WebviewToHost, { type: 'export' }> => m.type === 'export');
    assert.ok(md && md.format === 'markdown');
    assert.doesNotMatch(md.content.split('```mermaid')[1]!, /<script>|%%\{/);
    assert.match(md.fileName, /^[A-Za-z0-9._-]+\.md$/);
    assert.equal(await p.page.evaluate(() => window.__fl.pwned), false, 'a hostile label ran a script');
  });
});

test('export sends the SVG and a Markdown mermaid block to the host, also when asked before the first drawing', async () => {
  const t = counterexample(twoPc, 'Termination');
  await withPage(async (p) => {
    // The Export command may ask before the page has drawn anything: it answers once it has.
    await p.post({ type: 'requestExport', format: 'svg' });
    await p.post(showOnly(twoPc, t));
    await p.rendered(t.id);
    await p.page.locator('#export-md').click();
    await p.page.waitForFunction(() => window.__fl.sent.filter((m) => m.type === 'export').length === 2);
    const [svg, md] = (await p.sent()).filter((m): m is Extract<WebviewToHost, { type: 'export' }> => m.type === 'export');
    assert.equal(svg!.format, 'svg');
    assert.match(svg!.content, /^<\?xml[^>]*>\n<svg[^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    assert.doesNotMatch(svg!.content, /fl-current/);
    assert.match(svg!.fileName, /^two-phase-commit-.*Termination\.svg$/);
    assert.equal(md!.format, 'markdown');
    assert.match(md!.content, /```mermaid\nsequenceDiagram\n[\s\S]*```\n$/);
  });
});

test('the state machine view draws a role phases from its handlers', async () => {
  await withPage(async (p) => {
    const t = twoPc.traces[0]!;
    await p.post(showOnly(twoPc, t));
    await p.rendered(t.id);
    await p.page.locator('#tab-machines').click();
    const participant = twoPc.stateMachines.findIndex((m) => m.role === 'Participant' && m.variable === 'phase');
    assert.ok(participant >= 0);
    await p.page.locator('#machine-picker').selectOption(String(participant));
    await p.page.waitForFunction(() => document.getElementById('status')?.dataset.machine === 'Participant.phase');
    const text = (await p.page.locator('#machine svg').textContent()) ?? '';
    for (const s of twoPc.stateMachines[participant]!.states) assert.ok(text.includes(s), `state ${s} missing`);
    assert.ok(text.includes('VoteRequest'), text);
    assert.ok((await p.page.locator('#machine svg .transition, #machine svg path').count()) >= twoPc.stateMachines[participant]!.transitions.length);
  });
});

test('the theme follows VS Code: a dark body class redraws the diagram in dark colours', async () => {
  const t = counterexample(twoPc, 'Termination');
  await withPage(async (p) => {
    await p.post(showOnly(twoPc, t));
    await p.rendered(t.id);
    const fill = () => p.page.locator('#diagram svg rect.actor').first().evaluate((r) => getComputedStyle(r).fill);
    const light = await fill();
    const id = await p.page.locator('#diagram svg').getAttribute('id');
    await p.page.evaluate(() => {
      document.body?.classList.replace('vscode-light', 'vscode-dark');
    });
    await p.page.waitForFunction((old) => document.querySelector('#diagram svg')?.id !== old && document.getElementById('status')?.dataset.state === 'rendered', id);
    assert.notEqual(await fill(), light);
  });
});

test('a long trace is drawn as a window that follows the step', async () => {
  const base = counterexample(twoPc, 'Termination').trace;
  const steps: TraceStep[] = [];
  for (let i = 0; i < 400; i++) {
    const s = base.steps[i % base.steps.length]!;
    steps.push({ ...s, index: i + 1, crashed: false, kind: s.kind === 'crash' ? 'timeout' : s.kind });
  }
  const long: PreviewTrace = { id: 'long::sample', run: 'long', runKind: 'check', property: null, ok: true, message: 'a long run', seed: 1, trace: { ...base, steps, violation: null } };
  await withPage(async (p) => {
    await p.post({ ...twoPc, traces: [long], select: { trace: long.id, run: null } });
    await p.rendered(long.id, 0);
    assert.ok((await svgText(p)).includes('later steps'));
    const first = await p.page.locator('#status').getAttribute('data-window');
    await p.post({ type: 'selectStep', step: 300 });
    await p.page.waitForFunction(() => {
      const s = document.getElementById('status')?.dataset;
      return s?.state === 'rendered' && s.step === '300' && s.window !== '' && s.window !== undefined;
    });
    assert.notEqual(await p.page.locator('#status').getAttribute('data-window'), first);
    const text = await svgText(p);
    assert.ok(text.includes('earlier steps') && text.includes('later steps'), 'window markers missing');
    assert.ok((await currentMarks(p)).some((m) => m.startsWith('300. ')));
  });
});

test('the seed box asks the host for a sample run of the chosen run', async () => {
  const t = twoPc.traces[0]!;
  await withPage(async (p) => {
    await p.post(showOnly(twoPc, t));
    await p.rendered(t.id);
    await p.page.locator('#seed').fill('42');
    await p.page.locator('#sample').click();
    const asked = (await p.sent()).filter((m) => m.type === 'requestSample');
    assert.deepEqual(asked, [{ type: 'requestSample', uri: twoPc.document.uri, run: t.run, seed: 42 }]);
  });
});

test('a 5,000-step trace shows a window with markers and the overview; a click far away on the overview re-renders around it', async () => {
  const trace = longTrace(5000, { violationAt: 2500 });
  const long: PreviewTrace = { id: 'long::5000', run: trace.run, runKind: 'check', property: 'Bounded', ok: false, message: 'Bounded does not hold', seed: 1, trace };
  await withPage(async (p) => {
    // Every SVG Mermaid ever puts in the page is recorded, so an error picture cannot slip by between checks.
    await p.page.evaluate(() => {
      const w = window as unknown as { __svgs: string[] };
      w.__svgs = [];
      const watch = new (globalThis as unknown as { MutationObserver: new (cb: () => void) => { observe(t: unknown, o: unknown): void } }).MutationObserver(() => {
        const svg = document.querySelector('#diagram svg') as unknown as { textContent: string | null } | null;
        if (svg) w.__svgs.push(svg.textContent ?? '');
      });
      watch.observe(document, { childList: true, subtree: true });
    });
    await p.post({ ...twoPc, traces: [long], select: { trace: long.id, run: null } });
    await p.rendered(long.id, 2500);
    const w = traceWindow(trace, 2500, null)!;
    assert.equal(await p.page.locator('#status').getAttribute('data-window'), `${w.focus}±${w.radius}`);
    const text = await svgText(p);
    assert.ok(text.includes(`… ${(w.focus - w.radius - 1).toLocaleString('en-US')} earlier steps …`), 'earlier-steps marker missing');
    assert.ok(text.includes(`… ${(5000 - w.focus - w.radius).toLocaleString('en-US')} later steps …`), 'later-steps marker missing');
    assert.ok(text.includes('violates Bounded'));
    // The window reads on its own: each node's state at its start.
    assert.equal((text.match(/state: up; seen = /g) ?? []).length + (text.match(/state: crashed; seen = /g) ?? []).length, trace.nodes.length);
    // Only the window is drawn: a few dozen steps, not 5,000.
    assert.ok((await p.page.locator('#diagram svg text.messageText').count()) < 100);
    // The overview: one lane per node, a bounded number of elements, the window box shown.
    const overview = p.page.locator('#overview svg');
    assert.equal(await overview.getAttribute('data-steps'), '5000');
    const labels = await p.page.locator('#overview svg .fl-ov-label').allTextContents();
    assert.deepEqual(labels, trace.nodes.map((n) => n.name));
    assert.ok((await p.page.locator('#overview svg *').count()) < 100, 'the overview draws one element per step');
    assert.equal(await p.page.locator('#overview svg .fl-ov-violation').count(), 1);
    assert.equal(await p.page.locator('#overview svg .fl-ov-window').getAttribute('visibility'), null);
    const svgId = await p.page.locator('#diagram svg').getAttribute('id');
    // A click near the right end moves the focus there and draws a new window around it.
    const box = (await overview.boundingBox())!;
    await overview.click({ position: { x: box.width - 20, y: box.height / 2 } });
    await p.page.waitForFunction((first) => {
      const s = document.getElementById('status')?.dataset;
      return s?.state === 'rendered' && Number(s.step) > 4500 && s.window !== first;
    }, `${w.focus}±${w.radius}`);
    const step = Number(await p.page.locator('#status').getAttribute('data-step'));
    assert.notEqual(await p.page.locator('#diagram svg').getAttribute('id'), svgId, 'the diagram was not drawn again');
    const win = (await p.page.locator('#status').getAttribute('data-window'))!;
    const [focus, radius] = win.split('±').map(Number);
    assert.ok(step >= focus! - radius! && step <= focus! + radius!, `step ${step} outside ${win}`);
    assert.ok((await currentMarks(p)).some((m) => m.startsWith(`${step}. `)), `step ${step} is not highlighted`);
    assert.ok((await svgText(p)).includes('earlier steps'));
    const moved = (await p.sent()).filter((m): m is Extract<WebviewToHost, { type: 'stepChanged' }> => m.type === 'stepChanged');
    assert.equal(moved.at(-1)?.step, step);
    // A click inside the window moves the highlight without drawing again.
    const id2 = await p.page.locator('#diagram svg').getAttribute('id');
    await p.page.locator('#step').fill(String(step - 5));
    await p.rendered(long.id, step - 5);
    assert.equal(await p.page.locator('#diagram svg').getAttribute('id'), id2);
    const svgs = await p.page.evaluate(() => (window as unknown as { __svgs: string[] }).__svgs);
    assert.ok(svgs.length > 0);
    for (const t of svgs) assert.ok(!t.includes('Maximum text size'), 'Mermaid drew its error picture');
  });
});

const wholeState = (p: PreviewPage) => p.page.locator('#status').getAttribute('data-whole');

test('"Render the whole trace" shows progress and can be cancelled, back to the window', async () => {
  const trace = longTrace(5000, { violationAt: 2500 });
  const long: PreviewTrace = { id: 'long::whole', run: trace.run, runKind: 'check', property: 'Bounded', ok: false, message: 'Bounded does not hold', seed: 1, trace };
  await withPage(async (p) => {
    await p.post({ ...twoPc, traces: [long], select: { trace: long.id, run: null } });
    await p.rendered(long.id, 2500);
    const w = traceWindow(trace, 2500, null)!;
    assert.equal(await p.page.locator('#whole').isVisible(), true, 'no whole-trace action for a windowed trace');
    await p.page.locator('#whole-render').click();
    await p.page.waitForFunction(() => Number(document.getElementById('status')?.dataset.wholeChunks ?? '0') >= 2);
    assert.equal(await wholeState(p), 'rendering');
    assert.equal(await p.page.locator('#whole-progress-box').isVisible(), true);
    assert.equal(await p.page.locator('#whole-progress').getAttribute('max'), String(Math.ceil(5000 / 41)));
    assert.ok(Number(await p.page.locator('#whole-progress').evaluate((e) => (e as unknown as { value: number }).value)) >= 1);
    assert.match((await p.page.locator('#whole-label').textContent()) ?? '', /^steps [\d,]+–[\d,]+ of 5,000$/);
    // The chunks drawn so far are shown while the rest is drawn.
    assert.ok((await p.page.locator('#diagram svg').count()) >= 2);
    assert.equal(await p.page.locator('#whole-render').isDisabled(), true);
    await p.page.locator('#whole-cancel').click({ force: true });
    await p.page.waitForFunction((first) => {
      const s = document.getElementById('status')?.dataset;
      return s?.whole === 'cancelled' && s.state === 'rendered' && s.window === first;
    }, `${w.focus}±${w.radius}`);
    const chunks = Number(await p.page.locator('#status').getAttribute('data-whole-chunks'));
    assert.ok(chunks < Math.ceil(5000 / 41), `all ${chunks} chunks were drawn: the cancel came too late`);
    // Nothing more is drawn after the cancel.
    await p.page.waitForTimeout(300);
    assert.equal(Number(await p.page.locator('#status').getAttribute('data-whole-chunks')), chunks);
    assert.equal(await p.page.locator('#diagram svg').count(), 1);
    assert.equal(await p.page.locator('#whole-progress-box').isVisible(), false);
    assert.ok((await svgText(p)).includes('earlier steps'));
  });
});

const progressOf = (sent: WebviewToHost[]) => sent.filter((m): m is Extract<WebviewToHost, { type: 'exportProgress' }> => m.type === 'exportProgress');

test('SVG export from the command palette draws the whole trace with progress for the host, and the host can cancel it', async () => {
  const trace = longTrace(5000, { violationAt: 2500 });
  const long: PreviewTrace = { id: 'long::export', run: trace.run, runKind: 'check', property: 'Bounded', ok: false, message: 'Bounded does not hold', seed: 1, trace };
  const chunks = Math.ceil(5000 / 41);
  await withPage(async (p) => {
    await p.post({ ...twoPc, traces: [long], select: { trace: long.id, run: null } });
    await p.rendered(long.id, 2500);
    const w = traceWindow(trace, 2500, null)!;
    await p.post({ type: 'requestExport', format: 'svg' });
    await p.page.waitForFunction((n) => window.__fl.sent.filter((m) => m.type === 'exportProgress').length >= n, 3);
    const running = progressOf(await p.sent());
    assert.deepEqual(running[0], { type: 'exportProgress', state: 'running', done: 0, total: chunks });
    assert.ok(running.every((m) => m.state === 'running' && m.total === chunks));
    assert.deepEqual(running.map((m) => m.done), running.map((_, i) => i), 'one report per chunk, in order');
    // The page shows the same progress itself.
    assert.equal(await p.page.locator('#whole-progress-box').isVisible(), true);
    // VS Code's Cancel on the notification.
    await p.post({ type: 'cancelExport' });
    await p.page.waitForFunction((first) => {
      const s = document.getElementById('status')?.dataset;
      return s?.whole === 'cancelled' && s.state === 'rendered' && s.window === first;
    }, `${w.focus}±${w.radius}`);
    const after = progressOf(await p.sent());
    const last = after.at(-1)!;
    assert.equal(last.state, 'cancelled');
    assert.ok(last.done < chunks, `all ${last.done} chunks were drawn: the cancel came too late`);
    await p.page.waitForTimeout(300);
    assert.equal(progressOf(await p.sent()).length, after.length, 'no progress after the cancel');
    assert.equal((await p.sent()).filter((m) => m.type === 'export').length, 0, 'a cancelled export saves nothing');
    assert.equal(await p.page.locator('#diagram svg').count(), 1);
  });
});

test('SVG export of a windowed trace holds every step, never the window alone or Mermaid\'s error picture', async () => {
  const trace = longTrace(300, { violationAt: 150 });
  const long: PreviewTrace = { id: 'long::export300', run: trace.run, runKind: 'check', property: 'Bounded', ok: false, message: 'Bounded does not hold', seed: 1, trace };
  const chunks = Math.ceil(300 / 41);
  await withPage(async (p) => {
    await p.post({ ...twoPc, traces: [long], select: { trace: long.id, run: null } });
    await p.rendered(long.id, 150);
    assert.notEqual(await p.page.locator('#status').getAttribute('data-window'), '', 'the trace is windowed');
    await p.post({ type: 'requestExport', format: 'svg' });
    await p.page.waitForFunction(() => window.__fl.sent.some((m) => m.type === 'export'), undefined, { timeout: 30_000 });
    const progress = progressOf(await p.sent());
    assert.deepEqual(progress.at(-1), { type: 'exportProgress', state: 'done', done: chunks, total: chunks });
    const svg = (await p.sent()).find((m): m is Extract<WebviewToHost, { type: 'export' }> => m.type === 'export')!;
    assert.equal((svg.content.match(/<svg/g) ?? []).length, 1 + chunks);
    for (const s of [1, 41, 42, 150, 300]) assert.ok(svg.content.includes(`>${s}. `), `step ${s} missing from the export`);
    assert.ok(!svg.content.includes('Maximum text size'));
    assert.ok(!svg.content.includes('earlier steps'));
  });
});

test('"Render the whole trace" draws every step in chunks: steps stay clickable and the SVG export holds them all', async () => {
  const trace = longTrace(300, { violationAt: 150 });
  const long: PreviewTrace = { id: 'long::300', run: trace.run, runKind: 'check', property: 'Bounded', ok: false, message: 'Bounded does not hold', seed: 1, trace };
  await withPage(async (p) => {
    await p.post({ ...twoPc, traces: [long], select: { trace: long.id, run: null } });
    await p.rendered(long.id, 150);
    await p.page.locator('#whole-render').click();
    await p.page.waitForFunction(() => document.getElementById('status')?.dataset.whole === 'done', undefined, { timeout: 30_000 });
    assert.equal(await p.page.locator('#diagram svg').count(), Math.ceil(300 / 41));
    const text = (await p.page.locator('#diagram').textContent()) ?? '';
    assert.ok(!text.includes('earlier steps') && !text.includes('later steps'));
    assert.ok(!text.includes('Maximum text size'));
    for (const s of [1, 41, 42, 150, 205, 300]) assert.ok(text.includes(`${s}. `), `step ${s} missing`);
    // Far steps are highlighted without drawing again.
    await p.page.locator('#step').fill('290');
    await p.rendered(long.id, 290);
    assert.equal(await p.page.locator('#diagram svg').count(), Math.ceil(300 / 41));
    assert.ok((await p.page.locator('#diagram .fl-current').evaluateAll((els) => els.map((e) => e.textContent ?? ''))).some((m) => m.startsWith('290. ')));
    await p.page.locator('#export-svg').click();
    await p.page.waitForFunction(() => window.__fl.sent.some((m) => m.type === 'export'));
    const svg = (await p.sent()).find((m): m is Extract<WebviewToHost, { type: 'export' }> => m.type === 'export')!;
    assert.match(svg.content, /^<\?xml[^>]*>\n<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    assert.equal((svg.content.match(/<svg/g) ?? []).length, 1 + Math.ceil(300 / 41));
    assert.ok(svg.content.includes('300. '));
  });
});
