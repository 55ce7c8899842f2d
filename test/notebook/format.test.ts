import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import type { Notebook, NotebookParse } from '../../notebook/format.js';
import { describeNotebookError, parseNotebook, serializeNotebook } from '../../notebook/format.js';
import { parseJson, parseJsonValue, printJson } from '../../notebook/json.js';
import { LineIndex } from '../../language/span.js';
import { anyNotebook, sampleNotebookNames, sampleNotebookText } from '../support/notebooks.js';

function mustParse(text: string): Notebook {
  const r = parseNotebook(text);
  assert.ok(r.ok, r.ok ? '' : describeNotebookError(r.error));
  return r.notebook;
}

function mustFail(text: string): Extract<NotebookParse, { ok: false }>['error'] {
  const r = parseNotebook(text);
  assert.ok(!r.ok, 'expected the text to be refused');
  return r.error;
}

test('every sample notebook round-trips byte for byte', () => {
  const names = sampleNotebookNames();
  assert.ok(names.length >= 5, `samples: ${names.join(', ')}`);
  for (const name of names) {
    const text = sampleNotebookText(name);
    const nb = mustParse(text);
    assert.ok(nb.cells.length > 0, name);
    assert.equal(serializeNotebook(nb), text, `${name} changes when read and written again`);
    assert.deepStrictEqual(parseNotebook(serializeNotebook(nb)), { ok: true, notebook: nb });
  }
});

test('property: any notebook survives serialize then parse, and its text is a fixed point', () => {
  fc.assert(
    fc.property(anyNotebook, (nb) => {
      const text = serializeNotebook(nb);
      const back = parseNotebook(text);
      assert.ok(back.ok, back.ok ? '' : describeNotebookError(back.error));
      assert.deepStrictEqual(back.notebook, nb);
      assert.equal(serializeNotebook(back.notebook), text);
    }),
    { numRuns: 300 },
  );
});

test('the file is diff-friendly: one source line per line, keys in a fixed order, a final newline', () => {
  const nb: Notebook = {
    metadata: { course: 'DS' },
    cells: [
      { kind: 'markdown', language: 'markdown', source: '# Title\n\ntext', metadata: {}, execution: null, outputs: [] },
      {
        kind: 'code',
        language: 'ftp',
        source: 'protocol P\nparam N = 2',
        metadata: { collapsed: true },
        execution: { order: 1, success: true },
        outputs: [
          {
            items: [
              { mime: 'application/vnd.faultline.verdicts+json', encoding: 'json', data: { ok: true } },
              { mime: 'text/markdown', encoding: 'text', data: 'a\nb' },
              { mime: 'image/png', encoding: 'base64', data: 'AAEC' },
              { mime: 'text/plain', encoding: 'json', data: [1, 2] },
            ],
            metadata: {},
          },
        ],
      },
    ],
  };
  const text = serializeNotebook(nb);
  assert.equal(
    text,
    `{
  "format": "faultline-notebook",
  "version": 1,
  "metadata": {"course": "DS"},
  "cells": [
    {
      "kind": "markdown",
      "language": "markdown",
      "source": [
        "# Title",
        "",
        "text"
      ]
    },
    {
      "kind": "code",
      "language": "ftp",
      "source": [
        "protocol P",
        "param N = 2"
      ],
      "metadata": {"collapsed": true},
      "execution": {"order": 1, "success": true},
      "outputs": [
        {
          "items": [
            {
              "mime": "application/vnd.faultline.verdicts+json",
              "data": {"ok": true}
            },
            {
              "mime": "text/markdown",
              "data": [
                "a",
                "b"
              ]
            },
            {
              "mime": "image/png",
              "encoding": "base64",
              "data": "AAEC"
            },
            {
              "mime": "text/plain",
              "encoding": "json",
              "data": [1, 2]
            }
          ]
        }
      ]
    }
  ]
}
`,
  );
  assert.deepStrictEqual(mustParse(text), nb);
});

test('hand-written notebooks: a source may be one string, language and outputs may be left out', () => {
  const nb = mustParse('{"format":"faultline-notebook","version":1,"cells":[{"kind":"code","source":"protocol P"},{"kind":"markdown","source":["a","b"]}]}');
  assert.deepStrictEqual(nb.cells, [
    { kind: 'code', language: 'ftp', source: 'protocol P', metadata: {}, execution: null, outputs: [] },
    { kind: 'markdown', language: 'markdown', source: 'a\nb', metadata: {}, execution: null, outputs: [] },
  ]);
});

test('an empty file is a new, empty notebook; anything else must be a whole notebook', () => {
  assert.deepStrictEqual(mustParse(''), { metadata: {}, cells: [] });
  assert.deepStrictEqual(mustParse(' \n\t'), { metadata: {}, cells: [] });
  assert.match(mustFail('{}').message, /not a Faultline notebook/);
  assert.match(mustFail('[]').message, /a JSON object/);
  assert.match(mustFail('null').message, /a JSON object/);
});

test('a truncated notebook is refused at the position where it ends, never read as a shorter one', () => {
  for (const name of sampleNotebookNames()) {
    const text = sampleNotebookText(name);
    const whole = mustParse(text);
    const index = new LineIndex(text);
    // Every cut in the first and last 300 characters, and every 97th one in between.
    const cuts: number[] = [];
    for (let k = 1; k < text.length; k++) if (k < 300 || k > text.length - 300 || k % 97 === 0) cuts.push(k);
    for (const k of cuts) {
      const r = parseNotebook(text.slice(0, k));
      if (r.ok) {
        // Only trailing whitespace was cut: the same notebook.
        assert.equal(text.slice(k).trim(), '', `${name} cut at ${k} was read as a notebook`);
        assert.deepStrictEqual(r.notebook, whole);
        continue;
      }
      const e = r.error;
      assert.ok(e.offset >= 0 && e.offset <= k, `${name} cut at ${k}: offset ${e.offset}`);
      const p = index.positionAt(e.offset);
      assert.deepEqual([e.line, e.column], [p.line + 1, p.character + 1], `${name} cut at ${k}: position`);
      assert.match(describeNotebookError(e), /^line \d+, column \d+: /);
    }
  }
});

test('a truncation says so, and points at the end of the text', () => {
  const text = '{\n  "format": "faultline-notebook",\n  "version": 1,\n  "cells": [\n    {"kind": "code", "source": ["protocol P",';
  const e = mustFail(text);
  assert.match(e.message, /truncated/);
  assert.deepEqual([e.line, e.column], [5, 46]);
  assert.match(mustFail('{"format": "faultline-notebook", "version": 1, "cells": [{"kind": "co').message, /ends inside a string/);
  assert.match(mustFail('{"format": "faultline-notebook", "version": 1, "cells": [], "metadata": {"a": tr').message, /truncated/);
});

test('corrupt notebooks are refused with a clear message and the position of the problem', () => {
  const head = '{"format": "faultline-notebook", "version": 1, ';
  const cases: [string, RegExp, number, number][] = [
    [`${head}"cells": [{"kind": "code", "source": []},]}`, /expected a value, found '\]'/, 1, 89],
    [`${head}"cells": [{"kind": "poem", "source": []}]}`, /the kind of cell 1 must be "markdown" or "code", not "poem"/, 1, 67],
    [`${head}"cells": [{"kind": "code"}]}`, /cell 1 has no "source"/, 1, 58],
    [`${head}"cells": [{"kind": "code", "source": [], "colour": 1}]}`, /cell 1 has an unknown key "colour"/, 1, 89],
    [`${head}"cells": [], "cells": []}`, /the key "cells" appears twice/, 1, 61],
    [`{"format": "faultline-notebook", "version": 2, "cells": []}`, /newer Faultline/, 1, 45],
    [`${head}"cells": [{"kind": "code", "source": [1]}]}`, /line 1 of the source of cell 1 must be a string, not a number/, 1, 86],
    [`${head}"cells": [{"kind": "code", "source": [], "outputs": [{"items": [{"mime": "image/png", "encoding": "base64", "data": "!!"}]}]}]}`, /not base64/, 1, 164],
    [`${head}"cells": [{"kind": "code", "source": ["a\u0001"]}]}`, /control character \(U\+0001\)/, 1, 88],
    [`${head}"cells": [{"kind": "code", "source": ["\\q"]}]}`, /unknown escape \\q/, 1, 87],
    [`${head}"cells": [1e999]}`, /too large/, 1, 58],
    [`${head}"cells": []} x`, /unexpected 'x' after the end/, 1, 61],
    [`${head}\n"cells": [\n  {"kind": "code" "source": []}]}`, /expected ',' or '}' after an object entry, found '"'/, 3, 19],
  ];
  for (const [text, message, line, column] of cases) {
    const e = mustFail(text);
    assert.match(e.message, message, text);
    assert.deepEqual([e.line, e.column], [line, column], `${text}: ${describeNotebookError(e)}`);
  }
});

test('property: corrupting any byte of a notebook never throws and never gives less than was there', () => {
  const base = serializeNotebook({
    metadata: { a: 1 },
    cells: [
      { kind: 'markdown', language: 'markdown', source: '# x\ny', metadata: {}, execution: null, outputs: [] },
      { kind: 'code', language: 'ftp', source: 'protocol P\nparam N = 3', metadata: {}, execution: { order: 2, success: false }, outputs: [{ items: [{ mime: 'text/plain', encoding: 'text', data: 'hi' }], metadata: {} }] },
    ],
  });
  const original = mustParse(base);
  fc.assert(
    fc.property(fc.nat(base.length - 1), fc.integer({ min: 0, max: 0xffff }), (at, code) => {
      const text = base.slice(0, at) + String.fromCharCode(code) + base.slice(at + 1);
      const r = parseNotebook(text);
      if (!r.ok) {
        assert.ok(r.error.line >= 1 && r.error.column >= 1);
        return;
      }
      // A change that still reads as a notebook keeps every cell and output (it may change a letter).
      assert.equal(r.notebook.cells.length, original.cells.length);
      assert.equal(r.notebook.cells[1]!.outputs.length, 1);
    }),
    { numRuns: 2000 },
  );
});

test('deep nesting and huge inputs never overflow the stack', () => {
  const deep = '['.repeat(200_000);
  const r = parseJson(deep);
  assert.ok(!r.ok);
  assert.match(r.error.message, /truncated/);
  const closed = `${'['.repeat(50_000)}${']'.repeat(50_000)}`;
  const v = parseJsonValue(closed);
  assert.ok(v.ok);
  assert.ok(!parseNotebook(`{"format": "faultline-notebook", "version": 1, "cells": [], "metadata": {"x": ${deep}`).ok);
});

test('the JSON reader agrees with JSON.parse on valid JSON and keeps __proto__ as a plain key', () => {
  fc.assert(
    fc.property(fc.jsonValue({ stringUnit: 'binary' }), (v) => {
      const text = JSON.stringify(v, null, 1);
      const r = parseJsonValue(text);
      assert.ok(r.ok);
      assert.deepStrictEqual(r.value, JSON.parse(text));
      assert.deepStrictEqual(parseJsonValue(printJson(r.value)), r);
    }),
    { numRuns: 300 },
  );
  const r = parseJsonValue('{"__proto__": {"polluted": true}}');
  assert.ok(r.ok);
  assert.equal(Object.getPrototypeOf(r.value), Object.prototype);
  assert.deepEqual(Object.keys(r.value as object), ['__proto__']);
  assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
  assert.equal(printJson(r.value), '{"__proto__": {"polluted": true}}');
  assert.equal(printJson(-0), '-0');
});
