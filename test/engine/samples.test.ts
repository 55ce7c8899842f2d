import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { test } from 'node:test';
import { runSources } from '../../engine/compile.js';
import { reportDiagnostics } from '../../engine/report-diagnostics.js';
import { runCheck } from '../../engine/run-check.js';
import { analyzeText } from '../../language/analyze.js';
import { sortDiagnostics } from '../../language/diagnostic.js';
import { LineIndex } from '../../language/span.js';
import { traceToMermaid } from '../../render/mermaid.js';
import { assertGolden } from '../support/golden.js';
import { formatDiagnostic } from '../support/markers.js';
import { repoRoot } from '../support/repo.js';

// Every sample demonstrates its protocol's textbook result: each check and scenario
// meets its `expect` lines. What a user sees is kept as goldens: the diagnostics
// (with verdicts), a verdict summary with state counts, and every counterexample
// as a Mermaid diagram. UPDATE_GOLDEN=1 rewrites them.

const root = repoRoot();
const samples = readdirSync(join(root, 'samples')).filter((f) => f.endsWith('.ftp')).sort();
const goldens = join(root, 'test', 'golden', 'samples');

test('every protocol of the brief has a sample', () => {
  for (const name of [
    'two-phase-commit',
    'three-phase-commit',
    'primary-backup',
    'rpc-semantics',
    'mail-ack',
    'byzantine-generals',
    'quorum-register',
    'reliable-multicast',
    'checkpointing',
    'flp',
  ]) {
    assert.ok(samples.includes(`${name}.ftp`), `samples/${name}.ftp`);
  }
});

for (const file of samples) {
  const name = file.replace(/\.ftp$/, '');
  test(`sample ${file}: clean, every expectation met, goldens unchanged`, () => {
    const text = readFileSync(join(root, 'samples', file), 'utf8');
    const { model, diagnostics } = analyzeText(text);
    assert.deepEqual(
      diagnostics.filter((d) => d.severity === 'error').map((d) => d.message),
      [],
      'a sample parses and checks without errors',
    );
    const all = [...diagnostics];
    const summary: unknown[] = [];
    for (const source of runSources(model)) {
      const report = runCheck(model, source, { now: () => performance.now(), timeBudgetMs: 60_000 });
      all.push(...reportDiagnostics(report));
      const unmet = report.verdicts.filter((v) => !v.ok).map((v) => `${report.run}: ${v.property} ${v.outcome}, expected ${v.expected}`);
      assert.deepEqual(unmet, [], `${report.run} meets its expectations`);
      assert.equal(report.status, 'complete', `${report.run} explores to the end`);
      assert.deepEqual(report.unfired, [], `${report.run}: every scripted fault happens`);
      summary.push({
        run: report.run,
        mode: report.mode,
        status: report.status,
        states: report.explore?.states ?? null,
        transitions: report.explore?.transitions ?? null,
        depth: report.explore?.depth ?? null,
        verdicts: report.verdicts.map((v) => ({ property: v.property, outcome: v.outcome, expected: v.expected, steps: v.trace?.steps.length ?? null })),
      });
      for (const v of report.verdicts) {
        if (!v.trace) continue;
        const slug = `${name}.${report.run.replace(/[^A-Za-z0-9]+/g, '-')}.${v.property.replace(/[^A-Za-z0-9]+/g, '-')}.mmd`;
        assertGolden(join(goldens, slug), traceToMermaid(v.trace));
      }
    }
    const index = new LineIndex(text);
    assertGolden(join(goldens, `${name}.diagnostics.txt`), `${sortDiagnostics(all).map((d) => formatDiagnostic(d, index)).join('\n')}\n`);
    assertGolden(join(goldens, `${name}.verdicts.json`), `${JSON.stringify(summary, null, 2)}\n`);
  });
}
