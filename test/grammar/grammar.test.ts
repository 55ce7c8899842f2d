import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { ftpContextualKeywords, ftpKeywords, parseFtp } from '../../language/syntax/parse.js';
import { repoRoot } from '../support/repo.js';

// The TextMate grammar and the language configuration of `.ftp` files. VS Code runs
// the grammar's regexes with Oniguruma; we keep them to the subset JavaScript also
// understands, so that this test can run them with a small tokenizer of its own
// (begin/end rules, captures, includes) and check what each keyword is coloured as.

const root = repoRoot();
const grammar = JSON.parse(readFileSync(join(root, 'grammar', 'ftp.tmLanguage.json'), 'utf8')) as Grammar;
const configText = readFileSync(join(root, 'grammar', 'language-configuration.json'), 'utf8');

// ---------------------------------------------------------------- a small TextMate tokenizer

interface Captures {
  [group: string]: { name?: string };
}

interface Rule {
  include?: string;
  match?: string;
  begin?: string;
  end?: string;
  name?: string;
  contentName?: string;
  captures?: Captures;
  beginCaptures?: Captures;
  endCaptures?: Captures;
  patterns?: Rule[];
}

interface Grammar {
  scopeName: string;
  patterns: Rule[];
  repository: Record<string, Rule>;
}

/** Every regex source in the grammar, with where it is. */
function grammarRegexes(g: Grammar): { where: string; source: string }[] {
  const out: { where: string; source: string }[] = [];
  const visit = (rule: Rule, where: string) => {
    for (const key of ['match', 'begin', 'end'] as const) {
      const source = rule[key];
      if (source !== undefined) out.push({ where: `${where}.${key}`, source });
    }
    rule.patterns?.forEach((p, i) => visit(p, `${where}.patterns[${i}]`));
  };
  g.patterns.forEach((p, i) => visit(p, `patterns[${i}]`));
  for (const [name, rule] of Object.entries(g.repository)) visit(rule, `repository.${name}`);
  return out;
}

const regexCache = new Map<string, RegExp>();
function regex(source: string): RegExp {
  let r = regexCache.get(source);
  if (!r) {
    r = new RegExp(source, 'dgu');
    regexCache.set(source, r);
  }
  return r;
}

/** The match and begin rules reachable from a list of patterns, includes resolved. */
function flatten(g: Grammar, patterns: Rule[], seen = new Set<Rule>()): Rule[] {
  const out: Rule[] = [];
  for (const p of patterns) {
    if (p.include !== undefined) {
      const target = p.include === '$self' ? { patterns: g.patterns } : g.repository[p.include.slice(1)];
      if (!target) throw new Error(`unknown include ${p.include}`);
      if (seen.has(target)) continue;
      seen.add(target);
      out.push(...flatten(g, target.match || target.begin ? [target] : (target.patterns ?? []), seen));
      seen.delete(target);
    } else if (p.match !== undefined || p.begin !== undefined) {
      out.push(p);
    } else if (p.patterns) {
      out.push(...flatten(g, p.patterns, seen));
    }
  }
  return out;
}

interface Frame {
  rule: Rule | null;
  scopes: string[];
  patterns: Rule[];
}

/** Scopes per character of every line: `result[line][column]`. */
function tokenize(g: Grammar, text: string): string[][][] {
  const stack: Frame[] = [{ rule: null, scopes: [g.scopeName], patterns: flatten(g, g.patterns) }];
  const lines = text.split(/\r?\n/);
  return lines.map((line) => {
    const scopes: string[][] = Array.from({ length: line.length }, () => []);
    const paint = (from: number, to: number, s: string[]) => {
      for (let i = from; i < to; i++) scopes[i] = s;
    };
    const paintCaptures = (m: RegExpExecArray, caps: Captures | undefined, base: string[]) => {
      if (!caps || !m.indices) return;
      for (const [group, cap] of Object.entries(caps)) {
        const span = m.indices[Number(group)];
        if (span && cap.name) paint(span[0], span[1], [...base, cap.name]);
      }
    };
    let pos = 0;
    let guard = 0;
    while (pos <= line.length) {
      if (++guard > 10_000) throw new Error(`tokenizer loops on: ${line}`);
      const top = stack[stack.length - 1]!;
      let best: { m: RegExpExecArray; rule: Rule | null } | null = null;
      if (top.rule?.end !== undefined) {
        const r = regex(top.rule.end);
        r.lastIndex = pos;
        const m = r.exec(line);
        if (m) best = { m, rule: null };
      }
      for (const rule of top.patterns) {
        const r = regex((rule.match ?? rule.begin)!);
        r.lastIndex = pos;
        const m = r.exec(line);
        if (m && (!best || m.index < best.m.index)) best = { m, rule };
      }
      if (!best) {
        paint(pos, line.length, top.scopes);
        break;
      }
      const { m, rule } = best;
      paint(pos, m.index, top.scopes);
      const end = m.index + m[0].length;
      if (rule === null) {
        // The end of the innermost begin/end rule.
        paint(m.index, end, top.scopes);
        paintCaptures(m, top.rule!.endCaptures ?? top.rule!.captures, top.scopes);
        stack.pop();
      } else if (rule.match !== undefined) {
        const s = rule.name ? [...top.scopes, rule.name] : top.scopes;
        paint(m.index, end, s);
        paintCaptures(m, rule.captures, s);
      } else {
        const s = rule.name ? [...top.scopes, rule.name] : top.scopes;
        paint(m.index, end, s);
        paintCaptures(m, rule.beginCaptures ?? rule.captures, s);
        stack.push({ rule, scopes: rule.contentName ? [...s, rule.contentName] : s, patterns: flatten(g, rule.patterns ?? []) });
      }
      if (end === pos && (rule === null || rule.match !== undefined)) {
        // An empty match that changes nothing would loop: step over one character.
        if (rule !== null) paint(pos, pos + 1, top.scopes);
        pos = rule === null ? pos : pos + 1;
      } else {
        pos = end;
      }
    }
    return scopes;
  });
}

interface Word {
  text: string;
  line: number;
  column: number;
  scopes: string[];
}

/** Every word of the text with the scopes of its first character. */
function words(text: string): Word[] {
  const lines = text.split(/\r?\n/);
  const scopes = tokenize(grammar, text);
  const out: Word[] = [];
  lines.forEach((line, i) => {
    for (const m of line.matchAll(/[A-Za-z_][A-Za-z0-9_]*/g)) {
      out.push({ text: m[0], line: i + 1, column: m.index + 1, scopes: scopes[i]![m.index] ?? [] });
    }
  });
  return out;
}

const KEYWORDISH = /^(keyword|storage|constant\.language|variable\.language|support)\./;
const isKeywordish = (w: Word) => w.scopes.some((s) => KEYWORDISH.test(s));
const has = (w: Word | undefined, prefix: string) => !!w && w.scopes.some((s) => s.startsWith(prefix));

// ---------------------------------------------------------------- fixtures

/** Every keyword of the language, each where the parser accepts it. */
const FIXTURE = `/* A file that uses
   every keyword. */
protocol Fixture
param N = 2
type Value = 0..1
message Ping
message Vote { signed value: Value, from: Member }
network async unordered reliable
quorum read Qr = 2 of Member
quorum write Qw = 2 of Member

node Leader {
  stable state phase: INIT | DONE = INIT
  state votes: set<Member> = {}
  state log: seq<Value> = []
  state acked: map<Member, bool>
  state total: int = 0
  state pick: bool = any
  state other: node
  state count: 0..3 = 0          // a contextual keyword used as a name
  on start { broadcast Ping to Member; set timer t after 2 }
  on recover { cancel timer t }
  on timeout t when phase == INIT { phase = DONE }
  on Vote(v, src) from Member {
    let ok = v == 1 and not (src in votes) or false
    if ok { votes += src } else if true { votes -= src } else { total = 0 }
    choose { decide v } or { deliver v }
    choose x in 0..1 { total = x }
    other = self
    count += 1
    acked[src] = |votes| >= Qr implies true
  }
}

node Member[N] {
  on Ping from p { send Vote(value: 1, from: self) to p }
}

invariant Safe: forall p in Member: exists q in Member: p == q
eventually Live within 10: (count p in Member where p.decided) >= 0
invariant Sets: |{1} union {2} intersect {1} minus {}| >= 0 and (if true then 1 else 0) == 1 and 1 not in {2}

check explore {
  crash up to 1 of Member and recover while sending
  drop up to 1 of Vote; duplicate up to 1; delay up to 1; partition up to 1
  byzantine up to 1 of Member
  depth 10; states 100
  expect Safe holds
  expect Live violated
}
check Sim simulate { with N = 3; runs 5; steps 20; seed 1 }
scenario S {
  crash Leader after receive Vote from Member[1]
  crash Member[2] after send Vote to Leader
  crash Member[1] at step 3
  recover Member[1] when Leader.phase == DONE
  drop Vote from Member[1] to Leader times 1
  partition {Leader} | {Member} from step 1 to step 4
  byzantine Member[2]
}
`;

const FIXTURE_SYNC = `protocol Timed
network sync(2) fifo lossy
`;

function word(list: Word[], text: string, line?: number): Word | undefined {
  return list.find((w) => w.text === text && (line === undefined || w.line === line));
}

// ---------------------------------------------------------------- tests

describe('grammar/ftp.tmLanguage.json', () => {
  test('is a TextMate grammar for source.ftp', () => {
    assert.equal(grammar.scopeName, 'source.ftp');
    assert.ok(Array.isArray(grammar.patterns) && grammar.patterns.length > 0);
    assert.equal(typeof grammar.repository, 'object');
  });

  test('every regex compiles as a JavaScript regex (unicode mode, no Oniguruma-only syntax)', () => {
    const list = grammarRegexes(grammar);
    assert.ok(list.length > 20);
    for (const { where, source } of list) {
      assert.doesNotThrow(() => new RegExp(source, 'u'), `${where}: ${source}`);
      // Constructs that compile in JavaScript but mean something else in Oniguruma, or the reverse.
      assert.doesNotMatch(source, /\\[AzZGhHK]|\(\?[imx-]+\)|\(\?>|[*+?}]\+/, `${where}: ${source}`);
    }
  });

  test('every include names a repository entry', () => {
    const visit = (rule: Rule) => {
      if (rule.include !== undefined && rule.include !== '$self') {
        assert.ok(rule.include.startsWith('#') && grammar.repository[rule.include.slice(1)], rule.include);
      }
      rule.patterns?.forEach(visit);
    };
    grammar.patterns.forEach(visit);
    Object.values(grammar.repository).forEach(visit);
  });

  test('the fixture is valid .ftp, so every keyword below is used where the parser expects it', () => {
    for (const text of [FIXTURE, FIXTURE_SYNC]) {
      const errors = parseFtp(text).diagnostics.filter((d) => d.severity === 'error');
      assert.deepEqual(errors.map((d) => d.message), []);
    }
  });

  test('every keyword of the language is highlighted as a keyword', () => {
    const list = [...words(FIXTURE), ...words(FIXTURE_SYNC)];
    assert.ok(ftpKeywords.length > 50);
    for (const k of [...ftpKeywords, ...ftpContextualKeywords]) {
      const uses = list.filter((w) => w.text === k);
      assert.ok(uses.length > 0, `the fixture uses '${k}'`);
      assert.ok(uses.some(isKeywordish), `'${k}' is highlighted as a keyword somewhere: ${JSON.stringify(uses.map((u) => u.scopes))}`);
    }
  });

  test('declaration, control, fault and property keywords have scopes of their own', () => {
    const list = words(FIXTURE);
    const expectations: [string, number | undefined, string][] = [
      ['protocol', undefined, 'keyword.declaration'],
      ['param', undefined, 'keyword.declaration'],
      ['message', undefined, 'keyword.declaration'],
      ['node', 12, 'keyword.declaration'],
      ['network', undefined, 'keyword.declaration'],
      ['quorum', undefined, 'keyword.declaration'],
      ['on', undefined, 'keyword.declaration'],
      ['check', undefined, 'keyword.declaration'],
      ['scenario', undefined, 'keyword.declaration'],
      ['if', undefined, 'keyword.control'],
      ['else', undefined, 'keyword.control'],
      ['choose', undefined, 'keyword.control'],
      ['when', 23, 'keyword.control'],
      ['send', 36, 'keyword.control'],
      ['broadcast', undefined, 'keyword.control'],
      ['decide', undefined, 'keyword.control'],
      ['crash', undefined, 'keyword.other.fault'],
      ['drop', undefined, 'keyword.other.fault'],
      ['partition', undefined, 'keyword.other.fault'],
      ['byzantine', undefined, 'keyword.other.fault'],
      ['sending', undefined, 'keyword.other.fault'],
      ['invariant', undefined, 'keyword.other.property'],
      ['eventually', undefined, 'keyword.other.property'],
      ['within', undefined, 'keyword.other.property'],
      ['expect', undefined, 'keyword.other.property'],
      ['holds', undefined, 'keyword.other.property'],
      ['violated', undefined, 'keyword.other.property'],
      ['stable', undefined, 'storage.modifier'],
      ['state', undefined, 'storage.modifier'],
      ['signed', undefined, 'storage.modifier'],
      ['bool', undefined, 'storage.type'],
      ['map', undefined, 'storage.type'],
      ['node', 19, 'storage.type'],
      ['true', undefined, 'constant.language.boolean'],
      ['self', undefined, 'variable.language'],
      ['and', undefined, 'keyword.operator'],
      ['union', undefined, 'keyword.operator'],
      ['forall', undefined, 'keyword.other.quantifier'],
    ];
    for (const [text, line, scope] of expectations) {
      const w = word(list, text, line);
      assert.ok(has(w, scope), `${text}${line ? ` (line ${line})` : ''}: expected ${scope}, got ${JSON.stringify(w?.scopes)}`);
    }
    const scopeOf = (text: string) => word(list, text)!.scopes.at(-1)!;
    const kinds = new Set(['protocol', 'if', 'crash', 'invariant'].map((k) => scopeOf(k).split('.').slice(0, 3).join('.')));
    assert.equal(kinds.size, 4, 'four different scopes');
  });

  test('role and message names, labels, numbers and comments', () => {
    const list = words(FIXTURE);
    const expectations: [string, number, string][] = [
      ['Fixture', 3, 'entity.name.namespace'],
      ['Ping', 6, 'entity.name.type.message'],
      ['Vote', 7, 'entity.name.type.message'],
      ['Leader', 12, 'entity.name.type.role'],
      ['Ping', 21, 'entity.name.type.message'],
      ['Vote', 24, 'entity.name.type.message'],
      ['Vote', 36, 'entity.name.type.message'],
      ['Ping', 36, 'entity.name.type.message'],
      ['Member', 35, 'entity.name.type.role'],
      ['INIT', 13, 'constant.other.enum'],
      ['DONE', 23, 'constant.other.enum'],
      ['Safe', 39, 'entity.name.function.property'],
      ['Safe', 48, 'entity.name.function.property'],
      ['t', 23, 'entity.name.function.timer'],
      ['A', 1, 'comment.block'],
      ['keyword', 2, 'comment.block'],
      ['contextual', 20, 'comment.line'],
    ];
    for (const [text, line, scope] of expectations) {
      const w = word(list, text, line);
      assert.ok(has(w, scope), `${text} (line ${line}): expected ${scope}, got ${JSON.stringify(w?.scopes)}`);
    }
    const scopes = tokenize(grammar, '  state n: 0..12 = 3')[0]!;
    assert.ok(scopes[11]!.some((s) => s.startsWith('constant.numeric')), JSON.stringify(scopes[11]));
    assert.ok(scopes[14]!.some((s) => s.startsWith('constant.numeric')), JSON.stringify(scopes[14]));
    assert.ok(scopes[12]!.some((s) => s.startsWith('keyword.operator.range')), JSON.stringify(scopes[12]));
  });

  test('contextual keywords used as names are not highlighted as keywords', () => {
    const list = words(FIXTURE);
    for (const line of [20, 30]) {
      const w = word(list, 'count', line)!;
      assert.ok(!isKeywordish(w), `count (line ${line}) is a name: ${JSON.stringify(w.scopes)}`);
    }
    assert.ok(isKeywordish(word(list, 'count', 40)!), 'count x in D is a keyword');
    // A message field may be named after a keyword.
    assert.ok(has(word(list, 'from', 7), 'variable.other.property'), JSON.stringify(word(list, 'from', 7)?.scopes));
  });

  test('every sample is highlighted without a reserved keyword left plain', () => {
    const reserved = new Set(ftpKeywords);
    for (const file of readdirSync(join(root, 'samples')).filter((f) => f.endsWith('.ftp'))) {
      const text = readFileSync(join(root, 'samples', file), 'utf8');
      const lines = text.split(/\r?\n/);
      for (const w of words(text)) {
        if (!reserved.has(w.text) || w.scopes.some((s) => s.startsWith('comment.'))) continue;
        const before = lines[w.line - 1]!.slice(0, w.column - 1);
        const after = lines[w.line - 1]!.slice(w.column - 1 + w.text.length);
        if (/\.\s*$/.test(before) || /^\s*:(?!:)/.test(after)) continue; // `.field` or a field name
        assert.ok(isKeywordish(w), `${file}:${w.line}:${w.column} '${w.text}' ${JSON.stringify(w.scopes)}`);
      }
    }
  });
});

describe('grammar/language-configuration.json', () => {
  const config = JSON.parse(configText) as {
    comments: { lineComment: string; blockComment: [string, string] };
    brackets: [string, string][];
    autoClosingPairs: { open: string; close: string }[];
    surroundingPairs: [string, string][];
    folding: { markers: { start: string; end: string } };
    indentationRules: { increaseIndentPattern: string; decreaseIndentPattern: string };
    wordPattern: string;
  };

  test('comments and brackets', () => {
    assert.equal(config.comments.lineComment, '//');
    assert.deepEqual(config.comments.blockComment, ['/*', '*/']);
    assert.deepEqual(config.brackets, [
      ['{', '}'],
      ['[', ']'],
      ['(', ')'],
    ]);
    for (const [open, close] of config.brackets) {
      assert.ok(config.autoClosingPairs.some((p) => p.open === open && p.close === close), `auto-closes ${open}`);
      assert.ok(config.surroundingPairs.some(([o, c]) => o === open && c === close), `surrounds with ${open}`);
    }
  });

  test('folding markers fold multi-line block comments', () => {
    const start = new RegExp(config.folding.markers.start);
    const end = new RegExp(config.folding.markers.end);
    assert.ok(start.test('/*'));
    assert.ok(start.test('  /* Two-phase commit'));
    assert.ok(!start.test('/* one line */'), 'a one-line comment is not a region');
    assert.ok(end.test(' */'));
    assert.ok(end.test('   the end of it */'));
  });

  test('indentation rules and word pattern', () => {
    const increase = new RegExp(config.indentationRules.increaseIndentPattern);
    const decrease = new RegExp(config.indentationRules.decreaseIndentPattern);
    assert.ok(increase.test('node Participant[N] {'));
    assert.ok(increase.test('  on Vote(c) from p when phase == WAIT {'));
    assert.ok(!increase.test('  on start { phase = WAIT }'));
    assert.ok(decrease.test('  }'));
    assert.ok(!decrease.test('  phase = WAIT'));
    const wordRe = new RegExp(config.wordPattern, 'g');
    assert.deepEqual('p.phase == COMMIT_2 + 10'.match(wordRe), ['p', 'phase', 'COMMIT_2', '10']);
  });
});
