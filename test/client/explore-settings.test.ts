import assert from 'node:assert/strict';
import { test } from 'node:test';
import { effectiveSettings, patchConfiguration, readExploreSettings } from '../../client/explore-settings.js';
import { defaultSettings } from '../../protocol/lsp.js';

test('settings fall back to the defaults when missing or malformed', () => {
  assert.deepEqual(
    readExploreSettings(() => undefined),
    defaultSettings.explore,
  );
  const values: Record<string, unknown> = { maxStates: 5000.7, maxDepth: -3, timeBudgetMs: 'fast', background: false, maxMemoryMb: 256 };
  assert.deepEqual(
    readExploreSettings((k) => values[k]),
    { ...defaultSettings.explore, maxStates: 5000, background: false, maxMemoryMb: 256 },
  );
  assert.equal(readExploreSettings((k) => (k === 'onMemoryLimit' ? 'bitstate' : undefined)).onMemoryLimit, 'bitstate');
  assert.equal(readExploreSettings((k) => (k === 'onMemoryLimit' ? 'swap' : undefined)).onMemoryLimit, 'stop');
  assert.equal(readExploreSettings((k) => (k === 'workers' ? 2 : undefined)).workers, 2);
  assert.equal(readExploreSettings((k) => (k === 'workers' ? 0 : undefined)).workers, 1);
  assert.equal(readExploreSettings((k) => (k === 'workers' ? 500 : undefined)).workers, 64);
});

test('an untrusted workspace runs nothing in the background unless the user allowed it', () => {
  const on = { ...defaultSettings.explore, background: true };
  assert.equal(effectiveSettings(on, { trusted: true, allowUntrusted: false }).background, true);
  assert.equal(effectiveSettings(on, { trusted: false, allowUntrusted: false }).background, false);
  assert.equal(effectiveSettings(on, { trusted: false, allowUntrusted: true }).background, true);
  const off = { ...on, background: false };
  assert.equal(effectiveSettings(off, { trusted: false, allowUntrusted: true }).background, false);
  // Budgets are untouched.
  assert.equal(effectiveSettings(on, { trusted: false, allowUntrusted: false }).maxStates, on.maxStates);
});

test('the server’s configuration request gets the effective settings, other sections pass through', () => {
  const effective = { ...defaultSettings.explore, background: false };
  const items = [{ section: 'faultline' }, { section: 'faultline.explore' }, { section: 'faultline.explore.background' }, { section: 'editor' }, {}];
  const raw = [{ explore: { ...effective, background: true }, other: 1 }, { ...effective, background: true }, true, { tabSize: 2 }, null];
  assert.deepEqual(patchConfiguration(items, raw, effective), [{ explore: effective, other: 1 }, effective, false, { tabSize: 2 }, null]);
});
