import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Trace } from '../../engine/trace.js';
import { Mark, overviewStepAt, overviewToSvg, overviewX, svgEscape, traceOverview } from '../../render/overview.js';
import { longTrace } from '../support/long-trace.js';

const elements = (svg: string) => (svg.match(/<[a-zA-Z]/g) ?? []).length;

test('a short trace: one column per step, sends, receives, crash, recovery, drop and partition marked on the right lanes', () => {
  const t = longTrace(40, { violationAt: 30 });
  const m = traceOverview(t, { width: 800 });
  assert.equal(m.columns, 40);
  assert.deepEqual(
    m.lanes.map((l) => l.node),
    t.nodes.map((n) => n.name),
  );
  const lane = (name: string) => m.lanes.find((l) => l.node === name)!.columns;
  for (const s of t.steps) {
    const c = s.index - 1;
    if (s.kind === 'deliver') assert.ok(lane(s.message!.to)[c]! & Mark.receive, `receive at ${s.index}`);
    for (const x of s.sent) assert.ok(lane(x.from)[c]! & Mark.send, `send at ${s.index}`);
    if (s.kind === 'crash') assert.ok(lane(s.node!)[c]! & Mark.crash);
    if (s.kind === 'recover') assert.ok(lane(s.node!)[c]! & Mark.recover);
    if (s.kind === 'drop') assert.ok(lane(s.message!.to)[c]! & Mark.drop);
    if (s.kind === 'partition') assert.equal(m.global[c], 1);
  }
  assert.deepEqual(m.violation, { step: 30, property: 'Bounded' });
  const svg = overviewToSvg(m, { focus: 30 });
  for (const cls of ['fl-ov-send', 'fl-ov-receive', 'fl-ov-crash', 'fl-ov-recover', 'fl-ov-drop', 'fl-ov-partition', 'fl-ov-heal', 'fl-ov-violation', 'fl-ov-focus']) {
    assert.ok(svg.includes(`class="${cls}"`), cls);
  }
  assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"[^>]*>[\s\S]*<\/svg>$/);
});

test('clicks map back to steps: every step of a short trace, and the x of a step to itself', () => {
  const t = longTrace(50);
  const m = traceOverview(t, { width: 600 });
  for (let step = 1; step <= 50; step++) assert.equal(overviewStepAt(m, overviewX(m, step)), step);
  assert.equal(overviewStepAt(m, 0), 0);
  assert.equal(overviewStepAt(m, 10_000), 50);
  assert.equal(overviewStepAt(m, Number.NaN), 0);
});

test('a 100,000-step trace: columns and SVG elements are bounded by the width, not by the steps', () => {
  const t = longTrace(100_000, { violationAt: 77_777 });
  for (const width of [400, 800, 1600]) {
    const m = traceOverview(t, { width });
    assert.ok(m.columns <= width, `${m.columns} columns in ${width} px`);
    for (const l of m.lanes) assert.equal(l.columns.length, m.columns);
    const svg = overviewToSvg(m, { focus: 50_000, window: { focus: 50_000, radius: 40 } });
    const count = elements(svg);
    // Lanes x kinds paths plus a fixed frame: far below the width, let alone the steps.
    assert.ok(count <= width, `${count} elements for ${width} px`);
    assert.ok(count < 60, `${count} elements`);
    // Path segments are at most one per column per kind.
    const segments = (svg.match(/M/g) ?? []).length;
    assert.ok(segments <= m.columns * 5 * m.lanes.length + m.columns * 2 + 10, `${segments} segments`);
    // Clicks cover the whole run.
    assert.ok(overviewStepAt(m, width) > 100_000 - Math.ceil(100_000 / m.columns));
    const mid = overviewStepAt(m, overviewX(m, 50_000));
    assert.ok(Math.abs(mid - 50_000) <= Math.ceil(100_000 / m.columns), `step ${mid}`);
  }
  const m = traceOverview(t, { width: 800 });
  const lane = m.lanes[0]!.columns;
  assert.ok(lane.every((c) => (c & Mark.send) !== 0 || (c & Mark.receive) !== 0), 'every column of a busy lane has a tick');
});

test('every label is escaped: node names, the property, markup and characters XML cannot hold', () => {
  const t: Trace = longTrace(30, { nodes: 2, violationAt: 3 });
  const evil = '<script>alert(1)</script>"\'&\u0001';
  const rename = (n: string) => (n === 'Node[1]' ? evil : n);
  const renamed: Trace = {
    ...t,
    nodes: t.nodes.map((n) => ({ ...n, name: rename(n.name) })),
    steps: t.steps.map((s) => ({
      ...s,
      node: s.node === null ? null : rename(s.node),
      message: s.message ? { ...s.message, from: rename(s.message.from), to: rename(s.message.to) } : null,
      sent: s.sent.map((x) => ({ ...x, from: rename(x.from), to: rename(x.to) })),
    })),
    violation: { ...t.violation!, property: '</title><g onload="x">' },
  };
  const svg = overviewToSvg(traceOverview(renamed), { title: '"><script>' });
  assert.doesNotMatch(svg, /<script|<\/title><g|onload="x"|\u0001/);
  assert.ok(svg.includes('&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;&amp;'));
  assert.equal(svgEscape('a<b>&"\'\u0000c'), 'a&lt;b&gt;&amp;&quot;&#39;c');
  // The evil node still has its lane with its marks.
  const m = traceOverview(renamed);
  assert.ok(m.lanes[0]!.columns.some((c) => c !== 0));
});

test('empty and tiny traces draw', () => {
  const empty = longTrace(0);
  const m = traceOverview(empty, { width: 10 });
  assert.equal(m.steps, 0);
  assert.equal(overviewStepAt(m, 500), 0);
  assert.match(overviewToSvg(m), /<\/svg>$/);
  const one = traceOverview(longTrace(1, { violationAt: 0 }));
  assert.equal(one.columns, 1);
  assert.equal(overviewStepAt(one, overviewX(one, 1)), 1);
  assert.ok(overviewToSvg(one).includes('fl-ov-violation'));
});
