import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { formatFtp, withoutSpans } from '../../language/queries/format.js';
import { lexFtp } from '../../language/syntax/lexer.js';
import { parseFtp } from '../../language/syntax/parse.js';
import { byzantineGenerals, twoPhaseCommit } from '../support/query-fixtures.js';
import { sampleNames, sampleText } from '../support/samples.js';

const sources = [twoPhaseCommit, byzantineGenerals, ...sampleNames().map(sampleText)];

function syntaxErrors(text: string): string[] {
  return parseFtp(text).diagnostics.filter((d) => d.code.startsWith('FTP1')).map((d) => d.message);
}

function sameTree(a: string, b: string): boolean {
  return JSON.stringify(withoutSpans(parseFtp(a).value)) === JSON.stringify(withoutSpans(parseFtp(b).value));
}

function comments(text: string): string[] {
  return lexFtp(text).comments.map((c) => c.image.replace(/\s+$/, ''));
}

test('the canonical layout: one item per line, two-space indentation, canonical spacing', () => {
  const messy = `protocol   P // the protocol
param N=3;param f = 1
message Vote{value:bool,round:0..3}
node R [ N ]{state v:bool=false; stable state log : seq< 0..3 > = [ ]
  on start { if v { broadcast Vote ( true , 1 ) to R } else { v = true ; log += 1 } }
  on Vote ( x , y ) from p when - 1 < |log| {}
}
invariant A : forall p in R : p.v implies p.decided
check explore { crash up to f of R; depth 20 }
`;
  const expected = `protocol P // the protocol
param N = 3
param f = 1
message Vote { value: bool, round: 0..3 }
node R[N] {
  state v: bool = false
  stable state log: seq<0..3> = []
  on start {
    if v {
      broadcast Vote(true, 1) to R
    } else {
      v = true
      log += 1
    }
  }
  on Vote(x, y) from p when -1 < |log| {}
}
invariant A: forall p in R: p.v implies p.decided
check explore {
  crash up to f of R
  depth 20
}
`;
  assert.deepEqual(syntaxErrors(messy), []);
  assert.equal(formatFtp(messy), expected);
  assert.equal(formatFtp(expected), expected);
});

test('comments are kept where they are: trailing comments trail, own-line comments take the indentation', () => {
  const source = `protocol P
/* a block
   comment */
message M
node R {
      // before the state
  state x: bool = false   // after the state
  on M {
    x = true /* inline */ // and trailing
        // at the end of the body
  }
}
`;
  const out = formatFtp(source);
  assert.equal(
    out,
    `protocol P
/* a block
   comment */
message M
node R {
  // before the state
  state x: bool = false // after the state
  on M {
    x = true /* inline */ // and trailing
    // at the end of the body
  }
}
`,
  );
  assert.deepEqual(comments(out), comments(source));
});

test('line breaks inside an expression are kept as continuation lines; one blank line between items is kept', () => {
  const source = `protocol P
param N = 2


node R[N] { state x: bool = false }
invariant A:
forall p in R:
      (p.x implies
  p.decided)
`;
  assert.equal(
    formatFtp(source),
    `protocol P
param N = 2

node R[N] {
  state x: bool = false
}
invariant A:
  forall p in R:
  (p.x implies
    p.decided)
`,
  );
});

test('a file with syntax errors is returned unchanged', () => {
  for (const broken of ['protocol P\nnode R { state x: = }\n', 'param N = \n', 'protocol P\nmessage M {\n', 'protocol P\n@@@\n']) {
    assert.ok(syntaxErrors(broken).length > 0, broken);
    assert.equal(formatFtp(broken), broken);
  }
});

test('every sample formats to a fixed point with the same tree and the same comments', () => {
  for (const [i, source] of sources.entries()) {
    const once = formatFtp(source);
    assert.equal(formatFtp(once), once, `source ${i} is not idempotent`);
    assert.ok(sameTree(source, once), `source ${i} changed its tree`);
    assert.deepEqual(comments(once), comments(source), `source ${i} lost a comment`);
  }
});

/** Re-spaces a valid text: every gap between tokens becomes one of `gaps` (cycled), comments included. */
function respace(text: string, gaps: readonly string[]): string {
  const { tokens, comments: cs } = lexFtp(text);
  const pieces = [...tokens.map((t) => ({ start: t.startOffset, image: t.image })), ...cs.map((c) => ({ start: c.startOffset, image: c.image }))].sort((a, b) => a.start - b.start);
  let out = '';
  pieces.forEach((p, i) => {
    const gap = gaps[i % gaps.length]!;
    out += i === 0 ? '' : p.image.startsWith('//') || out.endsWith('\n') ? ` ${gap}` : gap;
    out += p.image;
    if (p.image.startsWith('//')) out += '\n';
  });
  return out;
}

const gapArbitrary = fc.constantFrom(' ', '  ', '\n', '\n\n', '\n\n\n', '\t', ' /* c */ ', ' // c\n', '\n    // note\n  ', ' ;; '.replace(/;/g, ' '));

test('property: for any re-spacing of a valid file, format is idempotent and keeps the tree and the comments', () => {
  fc.assert(
    fc.property(fc.constantFrom(...sources.keys()), fc.array(gapArbitrary, { minLength: 1, maxLength: 40 }), (index, gaps) => {
      const variant = respace(sources[index]!, gaps);
      if (syntaxErrors(variant).length > 0) return; // only valid inputs have a canonical form
      const once = formatFtp(variant);
      assert.equal(formatFtp(once), once);
      assert.ok(sameTree(variant, once));
      assert.deepEqual(comments(once), comments(variant));
      // Really formatted, not handed back by the safety net: no tab, no trailing space.
      assert.ok(!/[ \t]$/m.test(once) && !once.includes('\t'));
    }),
    { numRuns: 150 },
  );
});

test('property: a text with syntax errors (a sample with a piece cut out) comes back unchanged', () => {
  fc.assert(
    fc.property(fc.constantFrom(...sources.keys()), fc.nat(), fc.integer({ min: 1, max: 40 }), (index, at, length) => {
      const source = sources[index]!;
      const start = at % source.length;
      const cut = source.slice(0, start) + source.slice(start + length);
      if (syntaxErrors(cut).length === 0) return;
      assert.equal(formatFtp(cut), cut);
    }),
    { numRuns: 150 },
  );
});
