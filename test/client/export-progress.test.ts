import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ExportProgress } from '../../client/preview/export-progress.js';

test('chunk reports become one notification whose bar adds up to 100 % and closes at the end', () => {
  const p = new ExportProgress();
  const first = p.report('running', 0, 4);
  assert.deepEqual(first, { open: true, increment: 0, message: '0 of 4 chunks', close: false });
  assert.equal(p.active, true);
  const steps = [1, 2, 3, 4].map((done) => p.report('running', done, 4));
  assert.ok(steps.every((s) => !s.open && !s.close), 'one notification for the whole export');
  assert.equal(steps.reduce((sum, s) => sum + s.increment, 0), 100);
  assert.equal(steps[1]!.message, '2 of 4 chunks');
  const end = p.report('done', 4, 4);
  assert.deepEqual(end, { open: false, increment: 0, message: 'done', close: true });
  assert.equal(p.active, false);
});

test('a cancelled or failed export closes the notification; the next export opens a new one', () => {
  const p = new ExportProgress();
  p.report('running', 0, 10);
  p.report('running', 3, 10);
  assert.equal(p.report('cancelled', 3, 10).close, true);
  assert.equal(p.active, false);
  const again = p.report('running', 0, 10);
  assert.equal(again.open, true);
  assert.equal(p.report('running', 5, 10).increment, 50);
  assert.equal(p.report('failed', 5, 10).close, true);
  // A late report of an export already closed does not open a notification.
  assert.equal(p.report('cancelled', 0, 0).open, false);
});
