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
} finally {
  await browser.close();
  await site.close();
}
