import { test } from 'node:test';
import fc from 'fast-check';
import { analyzeText, type Analysis } from '../../language/analyze.js';
import { quickFixes } from '../../language/queries/code-actions.js';
import { codeLenses } from '../../language/queries/code-lens.js';
import { completionsAt } from '../../language/queries/completion.js';
import { definitionAt } from '../../language/queries/definition.js';
import { foldingRanges } from '../../language/queries/folding.js';
import { formatFtp } from '../../language/queries/format.js';
import { hoverAt } from '../../language/queries/hover.js';
import { highlightsAt, referencesAt } from '../../language/queries/references.js';
import { prepareRename, renameAt } from '../../language/queries/rename.js';
import { semanticTokens } from '../../language/queries/semantic-tokens.js';
import { documentSymbols } from '../../language/queries/symbols.js';
import { byzantineGenerals, twoPhaseCommit } from '../support/query-fixtures.js';
import { sampleNames, sampleText } from '../support/samples.js';

/** Every editor query on half-typed text: mutated samples, at any offset. None may throw. */

const sources = [twoPhaseCommit, byzantineGenerals, ...sampleNames().map(sampleText)];
const fragments = ['{', '}', '(', ')', '[', ']', '|', '.', ':', ';', ',', '=', '\n', ' ', 'send ', 'on ', 'to ', 'p.', 'node ', 'state ', 'timeout ', 'expect ', 'of ', 'with ', '/*', '*/', '//', 'é', '\u0000'];

const mutation = fc.record({
  at: fc.nat(),
  cut: fc.nat(40),
  insert: fc.array(fc.constantFrom(...fragments), { maxLength: 5 }).map((a) => a.join('')),
});

function everyQuery(analysis: Analysis, text: string, offset: number): void {
  const model = analysis.model;
  hoverAt(analysis, text, offset);
  completionsAt(analysis, text, offset);
  definitionAt(model, offset);
  referencesAt(model, offset, true);
  highlightsAt(model, offset);
  prepareRename(model, text, offset);
  renameAt(analysis, text, offset, 'renamed');
  documentSymbols(analysis.file, text);
  foldingRanges(analysis.file, text);
  semanticTokens(analysis, text);
  codeLenses(analysis.file);
  quickFixes(analysis, text, analysis.diagnostics);
  formatFtp(text);
}

test('property: no editor query throws on a mutated sample, at any offset', () => {
  fc.assert(
    fc.property(fc.constantFrom(...sources.keys()), fc.array(mutation, { minLength: 1, maxLength: 4 }), fc.nat(), (index, mutations, cursor) => {
      let text = sources[index]!;
      for (const m of mutations) {
        const at = m.at % (text.length + 1);
        text = text.slice(0, at) + m.insert + text.slice(at + m.cut);
      }
      const analysis = analyzeText(text);
      everyQuery(analysis, text, cursor % (text.length + 1));
      everyQuery(analysis, text, 0);
      everyQuery(analysis, text, text.length);
    }),
    { numRuns: 300 },
  );
});
