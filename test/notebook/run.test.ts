import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { test } from 'node:test';
import type { Notebook, NotebookCell } from '../../notebook/format.js';
import { parseNotebook } from '../../notebook/format.js';
import type { CellRunOptions, KernelCell } from '../../notebook/run.js';
import { cellContext, isProtocolCell, locateOffset, runCell, runNotebook } from '../../notebook/run.js';
import type { NotebookTrace, NotebookVerdicts } from '../../protocol/notebook.js';
import { traceMime, verdictsMime } from '../../protocol/notebook.js';
import { sampleNotebookNames, sampleNotebookText } from '../support/notebooks.js';

const options: CellRunOptions = { now: () => performance.now(), timeBudgetMs: 30_000 };

const md = (source: string): KernelCell => ({ kind: 'markdown', language: 'markdown', source });
const ftp = (source: string): KernelCell => ({ kind: 'code', language: 'ftp', source });

const protocol = `protocol Ping
param N = 2
message Ping
node Sender { on start { broadcast Ping to Receiver } }
node Receiver[N] {
  state got: bool = false
  on Ping { got = true }
}
eventually AllGot: forall r in Receiver: r.got`;

/** The verdict table of a cell's outputs (the first output), or fails. */
function verdictsOf(outputs: NotebookCell['outputs']): NotebookVerdicts {
  const item = outputs[0]?.items.find((i) => i.mime === verdictsMime);
  assert.ok(item && item.encoding === 'json', 'no verdict table');
  return item.data as unknown as NotebookVerdicts;
}

/** `run: property=result` for every verdict, the shape expectations are compared in. */
function results(v: NotebookVerdicts): string[] {
  return v.runs.flatMap((r) => r.verdicts.map((x) => `${r.title}: ${x.property}=${x.result}${x.ok ? '' : ' (unexpected)'}`));
}

test('every sample notebook runs headless with every expectation met, and its saved outputs are up to date', () => {
  const names = sampleNotebookNames();
  assert.ok(names.length >= 5);
  for (const name of names) {
    const parsed = parseNotebook(sampleNotebookText(name));
    assert.ok(parsed.ok, name);
    const saved = parsed.notebook;
    const result = runNotebook(saved, { ...options, clock: () => 0 });
    const failed = result.runs.filter((r) => !r.ok).map((r) => `cell ${r.cell + 1}: ${JSON.stringify(r.verdicts.diagnostics)} ${results(r.verdicts).join('; ')}`);
    assert.deepEqual(failed, [], `${name}: failing cells`);
    assert.ok(result.ok && !result.stopped, name);
    assert.ok(result.runs.some((r) => r.verdicts.runs.some((x) => x.verdicts.some((v) => v.result === 'violated'))), `${name} demonstrates no violation`);
    for (const run of result.runs) {
      const cell = saved.cells[run.cell]!;
      // The notebook was saved by `faultline notebook run`: each protocol cell has an execution summary and outputs ...
      assert.equal(cell.execution?.success, true, `${name} cell ${run.cell + 1} was not saved as run`);
      // ... and they say what a fresh run says (states and times aside).
      if (run.outputs.length === 0) {
        assert.deepEqual(cell.outputs, [], `${name} cell ${run.cell + 1}`);
        continue;
      }
      assert.deepEqual(results(verdictsOf(cell.outputs)), results(run.verdicts), `${name} cell ${run.cell + 1}: saved outputs are stale (run faultline notebook run)`);
      const traces = (outputs: NotebookCell['outputs']) =>
        outputs.flatMap((o) => o.items.filter((i) => i.mime === traceMime).map((i) => (i.data as unknown as NotebookTrace).title));
      assert.deepEqual(traces(cell.outputs), run.traces.map((t) => t.title), `${name} cell ${run.cell + 1}: traces`);
    }
  }
});

test('every check of the sample notebooks is small: well under a second of exploration', () => {
  for (const name of sampleNotebookNames()) {
    const parsed = parseNotebook(sampleNotebookText(name));
    assert.ok(parsed.ok);
    for (const cell of parsed.notebook.cells) {
      if (cell.outputs.length === 0) continue;
      for (const run of verdictsOf(cell.outputs).runs) {
        assert.ok(run.status === 'complete', `${name} ${run.title}: ${run.statusText}`);
        assert.ok((run.states ?? 0) < 10_000, `${name} ${run.title}: ${run.states} states`);
      }
    }
  }
});

test('a cell sees the cells above it, from the nearest protocol cell; markdown and other languages are skipped', () => {
  const cells = [
    md('# title'),
    ftp(protocol),
    { kind: 'code', language: 'python', source: 'print(1)' } as KernelCell,
    ftp('check Lossy explore { drop up to 1; expect AllGot violated }'),
    ftp('protocol Other\nnode A { }'),
    ftp('invariant Fine: true'),
  ];
  assert.deepEqual(cells.map(isProtocolCell), [false, true, false, false, true, false]);
  assert.deepEqual(cellContext(cells, 3).ranges.map((r) => r.cell), [1, 3]);
  assert.deepEqual(cellContext(cells, 5).ranges.map((r) => r.cell), [4, 5]);
  const ctx = cellContext(cells, 3);
  assert.equal(ctx.text, `${protocol}\ncheck Lossy explore { drop up to 1; expect AllGot violated }`);
  assert.deepEqual(locateOffset(ctx, protocol.length + 1 + 6), { cell: 3, offset: 6 });

  const lossy = runCell(cells, 3, options);
  assert.ok(lossy.ok, JSON.stringify(lossy.verdicts));
  assert.deepEqual(results(lossy.verdicts), ['check Lossy: AllGot=violated']);
  assert.equal(lossy.traces.length, 1);
  assert.deepEqual(lossy.contextCells, [1, 3]);
  // The protocol cell runs a default exploration; a cell of declarations alone runs nothing.
  assert.deepEqual(results(runCell(cells, 1, options).verdicts), ['default exploration: AllGot=holds']);
  const other = runCell(cells, 5, options);
  assert.ok(other.ok);
  assert.deepEqual(other.outputs, [], 'a cell with only declarations has no outputs');
  // The second protocol does not see the first one's property.
  // A cell that is not a protocol cell (or not there) runs nothing.
  assert.deepEqual([runCell(cells, 0, options).outputs, runCell(cells, 2, options).outputs, runCell(cells, 99, options).outputs], [[], [], []]);
  const unknown = runCell([...cells, ftp('check C explore { expect AllGot holds }')], 6, options);
  assert.ok(!unknown.ok);
  assert.match(unknown.verdicts.diagnostics[0]!.message, /AllGot/);
});

test('diagnostics map back to the cell and the line and column inside it', () => {
  const cells = [md('intro'), ftp(protocol), md('more'), ftp('invariant Broken:\n  forall r in Receiver: r.gotten')];
  const run = runCell(cells, 3, options);
  assert.ok(!run.ok);
  const [d] = run.verdicts.diagnostics;
  assert.ok(d);
  assert.deepEqual({ cell: d.cell, line: d.line, column: d.column, severity: d.severity }, { cell: null, line: 2, column: 27, severity: 'error' });
  assert.match(d.message, /gotten/);
  const placed = run.diagnostics.find((p) => p.diagnostic.severity === 'error');
  assert.ok(placed);
  assert.equal(placed.cell, 3);
  assert.equal(cells[3]!.source.slice(placed.diagnostic.span.start, placed.diagnostic.span.end), 'gotten');
  // An error in a cell above is reported on the cell that depends on it, with that cell's number.
  const below = runCell([...cells, ftp('check C explore { }')], 4, options);
  assert.ok(!below.ok);
  assert.deepEqual(
    below.verdicts.diagnostics.map((x) => [x.cell, x.line, x.column]),
    [[4, 2, 27]],
  );
  assert.deepEqual(below.verdicts.runs, [], 'nothing runs while a cell above has errors');
  // The Markdown fallback says where.
  const markdown = below.outputs[0]!.items.find((i) => i.mime === 'text/markdown');
  assert.ok(markdown && markdown.encoding === 'text');
  assert.match(markdown.data, /cell 4, line 2, column 27/);
});

test('a cell with no protocol above it says so, once', () => {
  const run = runCell([md('x'), ftp('invariant I: true')], 1, options);
  assert.ok(!run.ok);
  assert.equal(run.verdicts.diagnostics.filter((d) => d.code === 'FTP103').length, 1);
  assert.match(run.verdicts.diagnostics[0]!.message, /no protocol above this cell/);
});

test('outputs: a verdict table with a Markdown fallback, and each trace with a Mermaid fallback', () => {
  const cells = [ftp(protocol), ftp('check Lossy explore { drop up to 1; expect AllGot violated }\nscenario Calm { expect AllGot holds }')];
  const run = runCell(cells, 1, options);
  assert.ok(run.ok);
  assert.deepEqual(
    run.outputs.map((o) => o.items.map((i) => `${i.mime}:${i.encoding}`)),
    [
      [`${verdictsMime}:json`, 'text/markdown:text'],
      [`${traceMime}:json`, 'text/markdown:text'],
      [`${traceMime}:json`, 'text/markdown:text'],
    ],
  );
  const [, lossy, calm] = run.outputs.map((o) => o.items[0]!.data as unknown as NotebookTrace);
  assert.equal(lossy!.property, 'AllGot');
  assert.equal(lossy!.view.focus, lossy!.trace.violation!.step);
  assert.equal(calm!.property, null, 'a scenario that violates nothing shows a sample run');
  const mermaid = run.outputs[1]!.items[1]!.data as string;
  assert.match(mermaid, /```mermaid\nsequenceDiagram\n/);
  const table = run.outputs[0]!.items[1]!.data as string;
  assert.match(table, /\| check Lossy \| AllGot \| violated \(\d+ steps?\) \| violated \| ✓ \|/);
  const v = verdictsOf(run.outputs);
  assert.equal(v.protocol, 'Ping');
  assert.ok(v.runs.every((r) => r.states !== null && r.elapsedMs >= 0));
});

test('hostile names in a cell reach the Markdown fallback escaped', () => {
  const cells = [ftp(protocol), ftp('check Bad explore { expect `<img src=x onerror=alert(1)>` holds }')];
  const run = runCell(cells, 1, options);
  const markdown = run.outputs[0]!.items[1]!.data as string;
  assert.ok(!markdown.includes('<img'), markdown);
  assert.ok(!/`/.test(markdown.replace(/\\`/g, '')), markdown);
});

test('a stop signal stops the cell and the notebook; nothing after it runs', () => {
  const cells = [ftp(protocol), ftp('check A explore { }')];
  const stopped = runCell(cells, 1, { ...options, stop: { stopped: true } });
  assert.ok(stopped.stopped && !stopped.ok);
  assert.equal(verdictsOf(stopped.outputs).stopped, true);
  const nb: Notebook = { metadata: {}, cells: cells.map((c) => ({ ...c, metadata: {}, execution: null, outputs: [] })) };
  const result = runNotebook(nb, { ...options, clock: () => 0, stop: { stopped: true } });
  assert.ok(result.stopped && !result.ok);
  assert.deepEqual(result.runs, []);
  assert.deepEqual(result.notebook, nb);
});

test('runNotebook numbers the protocol cells it runs, times them, and leaves every other cell alone', () => {
  let t = 1000;
  const nb: Notebook = {
    metadata: { keep: true },
    cells: [
      { kind: 'markdown', language: 'markdown', source: '# x', metadata: { m: 1 }, execution: null, outputs: [] },
      { kind: 'code', language: 'ftp', source: protocol, metadata: {}, execution: { order: 7 }, outputs: [{ items: [{ mime: 'text/plain', encoding: 'text', data: 'old' }], metadata: {} }] },
      { kind: 'code', language: 'python', source: 'x', metadata: {}, execution: { order: 3, success: true }, outputs: [{ items: [{ mime: 'text/plain', encoding: 'text', data: 'kept' }], metadata: {} }] },
      { kind: 'code', language: 'ftp', source: 'check Lossy explore { drop up to 1; expect AllGot holds }', metadata: {}, execution: null, outputs: [] },
    ],
  };
  const result = runNotebook(nb, { ...options, clock: () => (t += 5) });
  assert.ok(!result.ok, 'the second protocol cell expects the wrong verdict');
  const [a, b, c, d] = result.notebook.cells;
  assert.deepEqual(a, nb.cells[0]);
  assert.deepEqual(c, nb.cells[2]);
  assert.deepEqual(b!.execution, { order: 1, success: true, startTime: 1005, endTime: 1010 });
  assert.deepEqual(d!.execution, { order: 2, success: false, startTime: 1015, endTime: 1020 });
  assert.equal(b!.outputs[0]!.items[0]!.mime, verdictsMime);
  assert.deepEqual(result.notebook.metadata, { keep: true });
  assert.deepEqual(nb.cells[1]!.outputs[0]!.items[0]!.data, 'old', 'the input notebook is not changed');
});
