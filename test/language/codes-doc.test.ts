import { join } from 'node:path';
import { test } from 'node:test';
import { diagnosticCodes } from '../../language/codes.js';
import { assertGolden } from '../support/golden.js';
import { repoRoot } from '../support/repo.js';

const groups: [string, string][] = [
  ['1', 'Syntax'],
  ['2', 'Names and types'],
  ['3', 'Lints: resilience arithmetic and dead code'],
  ['4', 'Verdicts of simulation and exploration'],
];

/** docs/diagnostics.md is the code table, rendered; UPDATE_GOLDEN=1 regenerates it. */
test('docs/diagnostics.md documents every diagnostic code, in step with language/codes.ts', () => {
  const lines = [
    '# Diagnostic codes',
    '',
    'Every diagnostic Faultline reports carries one of these codes (the LSP `code`, the CLI\'s',
    '`[FTPnnn]`, the SARIF `ruleId`). This page is generated from `language/codes.ts`.',
  ];
  for (const [digit, title] of groups) {
    lines.push('', `## ${title}`, '', '| code | meaning |', '|---|---|');
    for (const [code, text] of Object.entries(diagnosticCodes)) {
      if (code[3] === digit) lines.push(`| <a id="${code.toLowerCase()}"></a>${code} | ${text.replace(/\|/g, '\\|')} |`);
    }
  }
  assertGolden(join(repoRoot(), 'docs', 'diagnostics.md'), `${lines.join('\n')}\n`);
});
