import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

/** Compares text with a golden file; UPDATE_GOLDEN=1 rewrites it; a missing golden fails. */
export function assertGolden(path: string, actual: string): void {
  if (process.env['UPDATE_GOLDEN'] === '1') writeFileSync(path, actual);
  assert.ok(existsSync(path), `missing golden ${path}; run with UPDATE_GOLDEN=1`);
  assert.equal(actual, readFileSync(path, 'utf8'), `golden ${path} differs`);
}
