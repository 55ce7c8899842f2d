import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyzeText } from '../../language/analyze.js';

const register = (checks: string) => `protocol Register
param N = 3
param R = 2
param W = 2
quorum read Qr = R of Replica
quorum write Qw = W of Replica
message Write { v: 0..1 }
node Client { state acks: 0..N = 0
  on start { broadcast Write(1) to Replica } }
node Replica[N] { state v: 0..1 = 0
  on Write(x) { v = x } }
invariant Fine: Qr + Qw > 0
${checks}
`;

test('FTP306 with the default params: intersecting quorums give no warning', () => {
  const { diagnostics } = analyzeText(register('check explore { }'));
  assert.deepEqual(diagnostics.filter((d) => d.code === 'FTP306'), []);
});

test('FTP306 also applies a check\'s `with` overrides, with the arithmetic, on the `with`', () => {
  const text = register('check Stale explore { with R = 1 }');
  const found = analyzeText(text).diagnostics.filter((d) => d.code === 'FTP306');
  assert.equal(found.length, 1);
  assert.match(found[0]!.message, /^in check Stale: Qr \+ Qw = 1 \+ 2 = 3 <= N = 3/);
  assert.equal(text.slice(found[0]!.span.start, found[0]!.span.end), 'R = 1');
});

test('FTP306 for write quorums that need not intersect (2·Qw <= N), overridden per scenario', () => {
  const found = analyzeText(register('scenario Split { with W = 1, R = 3 }')).diagnostics.filter((d) => d.code === 'FTP306');
  assert.equal(found.length, 1);
  assert.match(found[0]!.message, /^in scenario Split: 2·Qw = 2·1 = 2 <= N = 3/);
});

test('a declaration nested deeper than the checker recurses is an error with a position, not a crash', () => {
  const text = `protocol Deep\nparam N = ${'1 + '.repeat(5000)}1\nmessage M\nnode A { on start { send Q to A } }\n`;
  const { diagnostics, model } = analyzeText(text);
  const deep = diagnostics.find((d) => d.code === 'FTP215');
  assert.ok(deep, 'reported');
  assert.match(deep.message, /nests \d+ levels deep; at most 400/);
  assert.ok(deep.span.start > text.indexOf('param') && deep.span.end <= text.indexOf('message'));
  assert.ok(diagnostics.some((d) => d.code === 'FTP202'), 'the rest of the file is still checked');
  assert.equal(model.hasErrors, true);
});
