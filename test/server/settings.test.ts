import assert from 'node:assert/strict';
import { test } from 'node:test';
import { jobLimits } from '../../server/exploration.js';
import { readSettings } from '../../server/settings.js';
import { defaultSettings } from '../../protocol/lsp.js';

test('the server reads what to do at the memory budget, and hands it to the worker as a job limit', () => {
  assert.equal(readSettings(undefined).explore.onMemoryLimit, 'stop');
  assert.equal(jobLimits(readSettings(undefined).explore).bitstate, false);
  const bitstate = readSettings({ explore: { onMemoryLimit: 'bitstate', maxMemoryMb: 300 } }).explore;
  assert.equal(bitstate.onMemoryLimit, 'bitstate');
  const limits = jobLimits(bitstate);
  assert.equal(limits.bitstate, true);
  // The soft budget sits below the worker's hard heap limit.
  assert.ok(limits.maxMemoryBytes < 300 * 1024 * 1024);
  assert.deepEqual(readSettings({ explore: { onMemoryLimit: 42 } }).explore, defaultSettings.explore);
});

test('the server reads how many threads an exploration runs on, and hands it to the worker as a job limit', () => {
  assert.equal(jobLimits(readSettings(undefined).explore).workers, 1);
  assert.equal(jobLimits(readSettings({ explore: { workers: 2 } }).explore).workers, 2);
  assert.equal(readSettings({ explore: { workers: 0 } }).explore.workers, 1);
  assert.equal(readSettings({ explore: { workers: 'all' } }).explore.workers, 1);
  assert.equal(readSettings({ explore: { workers: 1000 } }).explore.workers, 64);
});
