import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { analyzeText } from '../../language/analyze.js';
import { LineIndex } from '../../language/span.js';
import { formatDiagnostic } from '../support/markers.js';
import { repoRoot } from '../support/repo.js';

// Broken files and every diagnostic they produce, one line each:
// `line:col-endLine:endCol severity CODE message` (1-based), sorted by position.
// UPDATE_GOLDEN=1 rewrites the goldens; a missing golden fails.

const dir = join(repoRoot(), 'test', 'golden', 'broken');
const update = process.env['UPDATE_GOLDEN'] === '1';
const files = readdirSync(dir).filter((name) => name.endsWith('.ftp')).sort();

test('there are at least 8 broken golden files', () => {
  assert.ok(files.length >= 8, `found ${files.length}`);
});

for (const name of files) {
  test(`golden diagnostics: broken/${name}`, () => {
    const text = readFileSync(join(dir, name), 'utf8');
    const { diagnostics, model } = analyzeText(text);
    const index = new LineIndex(text);
    const actual = diagnostics.map((d) => formatDiagnostic(d, index)).join('\n') + '\n';
    const goldenPath = join(dir, name.replace(/\.ftp$/, '.diagnostics.txt'));
    if (update) writeFileSync(goldenPath, actual);
    assert.ok(existsSync(goldenPath), `missing golden ${goldenPath}; run with UPDATE_GOLDEN=1`);
    assert.equal(actual, readFileSync(goldenPath, 'utf8'));
    assert.equal(model.hasErrors, true, 'a broken file must have errors');
    const errors = diagnostics.filter((d) => d.severity === 'error').length;
    assert.ok(errors >= 3, `a broken file shows several errors, found ${errors}`);
  });
}
