// A sample protocol notebook (.ftpnb) in a real VS Code: it opens as a notebook with
// our kernel, Run All fills every protocol cell with its verdict table and, where a run
// has a trace, its diagram; saving and reopening gives back the same cells and outputs;
// a trace window the reader moves is what the saved output keeps (issue 11).
// The expected runs and traces come from `faultline notebook run` on the same file.
//
// Run: npm run test:e2e, or node --test --test-concurrency=1 test/e2e-vscode/notebook.test.mjs
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { VsCode, escapeRe, expectText, until } from './harness.mjs';
import { notebookFacts } from './facts.mjs';

const file = 'samples/commit-protocols.ftpnb';
const name = path.basename(file);
const facts = notebookFacts(file);
const vs = new VsCode('notebook');
const measured = {};

before(async () => {
  await vs.start({ files: [file] });
});

after(async () => {
  vs.writeMetrics({ measured });
  await vs.stop();
});

const page = () => vs.page;
const notebook = () => page().locator('.notebookOverlay');
const toolbar = () => page().locator('.notebook-toolbar-container');
const cellStatus = () => page().locator('.statusbar-item', { hasText: /^Cell \d+ of \d+$/ });

async function currentCell() {
  const m = /^Cell (\d+) of (\d+)$/.exec((await cellStatus().innerText()).trim());
  assert.ok(m, 'no "Cell i of n" in the status bar');
  return { index: Number(m[1]) - 1, count: Number(m[2]) };
}

/** Focuses a cell (0-based) with the arrow keys in command mode, as a reader scrolls through. */
async function gotoCell(index) {
  for (let guard = 0; guard < 100; guard++) {
    const { index: at } = await currentCell();
    if (at === index) return notebook().locator('.monaco-list-row.focused');
    await page().keyboard.press(at < index ? 'ArrowDown' : 'ArrowUp');
    await until(`the focus to leave cell ${at + 1}`, async () => (await currentCell()).index !== at);
  }
  throw new Error(`cell ${index + 1} was never reached`);
}

/** Keyboard focus on the notebook's cell list, in command mode (arrows move between cells). */
async function focusNotebook() {
  await vs.command('View: Focus Active Editor Group');
  await page().keyboard.press('Escape'); // leaves a cell editor, if one had the focus
  await notebook().locator('.cell-list-container .monaco-list:focus-within').first().waitFor({ state: 'attached' });
  await cellStatus().waitFor();
}

/**
 * The outputs of the k-th code cell as the renderer drew them. The notebook's output
 * webview keeps one container per code cell, placed at the cell's height: in order of
 * their `top` they are the code cells in order.
 */
async function outputsOf(k) {
  const frame = await vs.webviewFrame('.cell_container');
  const containers = await frame.locator('.cell_container').evaluateAll((els) =>
    els.map((e) => ({ id: e.id, top: parseFloat(e.style.top) })).sort((a, b) => a.top - b.top),
  );
  assert.equal(containers.length, facts.code.length, 'one output container per code cell');
  return frame.locator(`[id="${containers[k].id}"]`);
}

/** The breadcrumbs name the focused cell by its first line (a tall cell's editor draws only the lines in view). */
function breadcrumbShows(firstLine) {
  return expectText(page().locator('.breadcrumbs-control .monaco-breadcrumb-item').last(), new RegExp(`^\\s*${escapeRe(firstLine)}\\s*$`));
}

/** Walks every code cell: its status, verdict table and diagrams, once they are drawn. */
async function readCells() {
  const seen = [];
  for (const [k, cell] of facts.code.entries()) {
    const row = await gotoCell(cell.index);
    assert.match(await row.getAttribute('class'), /code-cell-row/);
    const firstLine = await breadcrumbShows(cell.firstLine);
    await row.locator('.codicon-notebook-state-success').waitFor();
    const out = await outputsOf(k);
    const table = out.locator('.fl-verdicts table');
    await table.waitFor();
    const runs = await table.locator('tbody th[scope="rowgroup"]').allInnerTexts();
    assert.deepEqual(runs, cell.runs, `cell ${cell.index + 1}'s verdict table`);
    const traces = out.locator('.fl-trace');
    await until(`cell ${cell.index + 1}'s ${cell.traces.length} diagram(s)`, async () => (await traces.locator('.fl-diagram[data-state="rendered"] svg').count()) === cell.traces.length);
    assert.equal(await traces.count(), cell.traces.length);
    const titles = await traces.locator('.fl-title').allInnerTexts();
    assert.deepEqual(titles, cell.traces, `cell ${cell.index + 1}'s traces`);
    for (const svg of await traces.locator('.fl-diagram svg').all()) {
      assert.ok((await svg.locator('text.actor').count()) >= 2, 'a diagram without participants');
    }
    seen.push({ cell: cell.index, firstLine: firstLine.trim(), verdicts: (await out.locator('.fl-verdicts').innerText()).trim(), traces: titles });
  }
  return seen;
}

let afterRun = null;
/** The trace whose window the last test moved: its cell, title and the range it showed. */
let moved = null;

test('a sample .ftpnb opens as a notebook with the Faultline kernel', () =>
  vs.test('7-notebook-open', async () => {
    await vs.step('Quick Open the notebook', async () => {
      await vs.openFile(name);
      await page().locator('.tab.active', { hasText: name }).waitFor();
      await notebook().locator('.monaco-list-row').first().waitFor({ state: 'attached' });
    });
    await vs.step('our kernel is selected and the cells are there', async () => {
      await expectText(toolbar().locator('.kernel-label'), /^Faultline$/);
      await vs.closeSideBar();
      await focusNotebook();
      assert.equal((await currentCell()).count, facts.cellCount);
      const row = await gotoCell(facts.code[0].index);
      await expectText(row.locator('.cell-statusbar-container'), /Faultline protocol/);
    });
  }));

test('Run All: every protocol cell gets its verdict table, and its diagrams where a run has a trace', () =>
  vs.test('8-notebook-run-all', async () => {
    await vs.step('Clear All Outputs', async () => {
      await toolbar().locator('a[aria-label="Clear All Outputs"]').click();
      const frame = await vs.webviewFrame('.cell_container');
      await until('no outputs', async () => (await frame.locator('.fl-nb').count()) === 0);
    });
    const t0 = performance.now();
    await vs.step('Run All', async () => {
      await toolbar().locator('a[aria-label="Run All"]').click();
      await focusNotebook();
    });
    await vs.step('each code cell: success, verdict table, diagrams', async () => {
      afterRun = await readCells();
      measured.runAllMs = Math.round(performance.now() - t0);
    });
    const withTrace = facts.code.findIndex((c) => c.traces.length > 0);
    if (withTrace >= 0) {
      await gotoCell(facts.code[withTrace].index);
      await breadcrumbShows(facts.code[withTrace].firstLine);
      await vs.screenshot('8-notebook-cell');
    }
  }));

// The language server checks files only: a cell that builds on the cells above it
// (`check ... {` without its `protocol`) must not get errors of its own (FTP103, FTP201, ...).
test('after Run All, Problems has nothing for a notebook whose expectations are all met', () =>
  vs.test('8b-notebook-problems', async () => {
    assert.ok(afterRun, 'Run All did not finish');
    await vs.step('Problems is empty', async () => {
      await vs.openProblems();
      await vs.expectNoProblems({ timeout: 2000 });
    });
    await vs.step('hide the panel', () => vs.hidePanel());
  }));

test('save and reopen: the same cells and outputs', () =>
  vs.test('9-notebook-reopen', async () => {
    assert.ok(afterRun, 'Run All did not finish');
    await vs.step('save', async () => {
      await vs.command('File: Save');
      await page().locator('.tab.active:not(.dirty)', { hasText: name }).waitFor();
      const saved = JSON.parse(fs.readFileSync(path.join(vs.workspace, file), 'utf8'));
      assert.equal(saved.cells.length, facts.cellCount);
      for (const c of facts.code) assert.ok(saved.cells[c.index].outputs?.length >= 1, `cell ${c.index + 1} was saved without outputs`);
    });
    await vs.step('close and reopen', async () => {
      await vs.command('View: Close Editor');
      await page().locator('.tab', { hasText: name }).waitFor({ state: 'detached' });
      await vs.openFile(name);
      await notebook().locator('.monaco-list-row').first().waitFor({ state: 'attached' });
      await focusNotebook();
      assert.equal((await currentCell()).count, facts.cellCount);
    });
    await vs.step('the same cells and outputs', async () => {
      await gotoCell(0);
      const reopened = await readCells();
      assert.deepEqual(reopened, afterRun);
    });
  }));

// Issue 11: the saved output keeps the full trace and the window the user last looked at.
test("a trace output's window, moved by the reader, is what the saved notebook keeps", () =>
  vs.test('10-notebook-window', async () => {
    assert.ok(afterRun, 'Run All did not finish');
    await vs.step('move the window of a windowed trace; save; the output keeps it', async () => {
      for (const [k, cell] of facts.code.entries()) {
        if (cell.traces.length === 0) continue;
        await gotoCell(cell.index);
        await breadcrumbShows(cell.firstLine);
        const out = await outputsOf(k);
        let trace = null;
        for (const t of await out.locator('.fl-trace').all()) {
          if ((await t.locator('.fl-nav:not([hidden]) button:not([disabled])', { hasText: 'Earlier steps' }).count()) > 0) trace = t;
        }
        if (!trace) continue;
        const range = trace.locator('.fl-nav span');
        const before = await range.innerText();
        await trace.locator('button', { hasText: 'Earlier steps' }).click();
        await until('the window to move', async () => (await range.innerText()) !== before);
        moved = { cell: cell.index, title: await trace.locator('.fl-title').innerText(), range: await range.innerText() };
        break;
      }
      assert.ok(moved, 'no trace output with a window to move');
      // The extension keeps the view in the cell (an edit): the saved notebook becomes dirty.
      await page().locator('.tab.active.dirty', { hasText: name }).waitFor();
      // The click left the keyboard focus in the output webview, which forwards Ctrl+S to the
      // workbench (the palette's input does not keep the focus: so this test comes last).
      await page().locator('.tab.active', { hasText: name }).click();
      await page().keyboard.press('Control+S');
      await page().locator('.tab.active:not(.dirty)', { hasText: name }).waitFor();
      const saved = JSON.parse(fs.readFileSync(path.join(vs.workspace, file), 'utf8'));
      const cell = saved.cells[moved.cell];
      assert.ok(!('faultline.traceViews' in (cell.metadata ?? {})), 'the kept view was saved as metadata');
      const item = cell.outputs.flatMap((o) => o.items).find((i) => i.mime === 'application/vnd.faultline.trace+json' && i.data.title === moved.title);
      assert.ok(item, `no saved output "${moved.title}"`);
      const steps = item.data.trace.steps.length;
      const w = item.data.view.window;
      assert.ok(w, 'the saved output has no window');
      assert.equal(`steps ${Math.max(1, w.focus - w.radius)}–${Math.min(steps, w.focus + w.radius)} of ${steps}`, moved.range);
    });
  }));
