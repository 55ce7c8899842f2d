// Screenshots of the timeline preview for the README, taken in headless Debian Chromium
// with the same page and harness as the browser tests (test/support/preview-page.ts).
//   npm run screenshots        (builds with tsc first; writes docs/preview-*.png)
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const { launchChromium, openPreview, screenshot, servePreview, showMessageFor } = await import(join(root, 'dist/test/support/preview-page.js'));

const shots = [
  {
    file: 'docs/preview-2pc-blocking.png',
    sample: 'two-phase-commit.ftp',
    theme: 'light',
    // The textbook blocking run: the coordinator crashes once the votes are in.
    pick: (t) => t.property === 'Termination' && /CrashAfterVotes/.test(t.run),
    fallback: (t) => t.property === 'Termination',
  },
  {
    file: 'docs/preview-byzantine.png',
    sample: 'byzantine-generals.ftp',
    theme: 'dark',
    pick: (t) => t.property !== null && t.run === 'ThreeGenerals',
    fallback: (t) => t.property !== null,
  },
  {
    file: 'docs/preview-2pc-state-machine.png',
    sample: 'two-phase-commit.ftp',
    theme: 'light',
    pick: (t) => t.property === 'Termination',
    fallback: () => true,
    machine: 'Participant.phase',
    size: { width: 900, height: 500 },
  },
];

/**
 * A long simulation run with the overview: 5,000 seeded steps of primary-backup's
 * Partition run, as the preview's Sample run button asks for one (issue 11), the
 * slider moved half-way: the window opens with the node states at its start.
 */
async function longRunShot(browser, site) {
  const file = 'docs/preview-long-run.png';
  const { readFileSync } = await import('node:fs');
  const { analyzeText } = await import(join(root, 'dist/language/analyze.js'));
  const { runSources } = await import(join(root, 'dist/engine/compile.js'));
  const { sampleTrace } = await import(join(root, 'dist/engine/sample-trace.js'));
  const { traceId, withSample } = await import(join(root, 'dist/client/preview/trace-choices.js'));
  const sample = 'primary-backup.ftp';
  const model = analyzeText(readFileSync(join(root, 'samples', sample), 'utf8')).model;
  const source = runSources(model).find((s) => s.name?.name === 'Partition');
  const seed = 7;
  const trace = sampleTrace(model, source, {}, seed, 5000);
  if (!trace || trace.steps.length < 5000) throw new Error(`${sample}: no 5,000-step run of Partition`);
  const show = showMessageFor(sample);
  const run = show.traces.find((t) => t.run.startsWith('Partition'))?.run ?? 'Partition';
  const long = { id: traceId(run, null), run, runKind: 'check', property: null, ok: true, message: `a random run of ${run} with seed ${seed}`, seed, trace };
  const page = await openPreview(browser, site, 'light', { width: 1280, height: 900 });
  await page.post({ ...show, traces: withSample(show.traces, long), select: { trace: long.id, run: null } });
  await page.rendered(long.id);
  const at = trace.steps.find((s) => s.index >= 2500 && s.kind === 'deliver')?.index ?? 2500;
  await page.post({ type: 'selectStep', step: at });
  await page.rendered(long.id, at);
  // The top of the window: the earlier-steps marker and the node states it opens with.
  await page.page.evaluate(() => window.scrollTo(0, 0));
  await screenshot(page, join(root, file));
  await page.close();
  console.log(`${file}: ${long.id}, ${trace.steps.length} steps, step ${at}`);
}

const site = await servePreview();
const browser = await launchChromium();
try {
  for (const shot of shots) {
    const show = showMessageFor(shot.sample);
    const trace = show.traces.find(shot.pick) ?? show.traces.find(shot.fallback);
    if (!trace) throw new Error(`${shot.sample}: no trace to show`);
    const page = await openPreview(browser, site, shot.theme, shot.size ?? { width: 1280, height: 780 });
    await page.post({ ...show, select: { trace: trace.id, run: null } });
    await page.rendered(trace.id);
    if (shot.machine) {
      await page.page.locator('#tab-machines').click();
      const index = show.stateMachines.findIndex((m) => `${m.role}.${m.variable}` === shot.machine);
      await page.page.locator('#machine-picker').selectOption(String(Math.max(0, index)));
      await page.page.waitForFunction((name) => document.getElementById('status')?.dataset.machine === name, shot.machine);
    }
    await screenshot(page, join(root, shot.file));
    await page.close();
    console.log(`${shot.file}: ${trace.id}, ${trace.trace.steps.length} steps`);
  }
  await longRunShot(browser, site);
} finally {
  await browser.close();
  await site.close();
}
