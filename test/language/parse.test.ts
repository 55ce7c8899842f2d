import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type * as ast from '../../language/ast.js';
import type { Diagnostic } from '../../language/diagnostic.js';
import type { Span } from '../../language/span.js';
import { ftpContextualKeywords, ftpKeywords, MAX_TEXT_LENGTH, parseFtp } from '../../language/syntax/parse.js';
import { lexFtp } from '../../language/syntax/lexer.js';
import { ftpParser } from '../../language/syntax/parser.js';
import { repoRoot } from '../support/repo.js';
import { REFERENCE, forEachNode, nodesOf, sexp, spanProblems } from './parse-fixtures.js';

// ---------------------------------------------------------------- helpers

function parse(text: string): ast.ProtocolFile {
  const { value, diagnostics } = parseFtp(text);
  assert.deepEqual(diagnostics.map(show), [], `unexpected diagnostics for:\n${text}`);
  assert.deepEqual(spanProblems(value, text.length), []);
  return value;
}

function show(d: Diagnostic): string {
  return `${d.code} ${d.span.start}..${d.span.end} ${d.message}`;
}

function slice(text: string, span: Span): string {
  return text.slice(span.start, span.end);
}

/** Parses `protocol P` followed by `body`; returns the file and the full text. */
function parseBody(body: string): { file: ast.ProtocolFile; text: string } {
  const text = `protocol P\n${body}`;
  return { file: parse(text), text };
}

function only<T extends ast.Decl['kind']>(file: ast.ProtocolFile, kind: T): Extract<ast.Decl, { kind: T }> {
  const found = file.decls.filter((d): d is Extract<ast.Decl, { kind: T }> => d.kind === kind);
  assert.equal(found.length, 1, `expected one ${kind}`);
  return found[0]!;
}

/** The value of `param X = <src>`, as an S-expression. */
function expr(src: string): string {
  const { file } = parseBody(`param X = ${src}`);
  return sexp(only(file, 'ParamDecl').value);
}

/** Diagnostics of a text, as `CODE "covered text" message`. */
function problems(text: string): string[] {
  const { value, diagnostics } = parseFtp(text);
  assert.deepEqual(spanProblems(value, text.length), []);
  for (const d of diagnostics) {
    assert.ok(d.span.start >= 0 && d.span.start <= d.span.end && d.span.end <= text.length, `bad span ${show(d)}`);
  }
  return diagnostics.map((d) => `${d.code} ${JSON.stringify(slice(text, d.span))} ${d.message}`);
}

// ---------------------------------------------------------------- the reference protocol

describe('reference protocol', () => {
  test('parses without diagnostics, with every declaration in order', () => {
    const file = parse(REFERENCE);
    assert.equal(file.name?.name, 'Reference');
    assert.deepEqual(file.span, { start: 0, end: REFERENCE.length });
    assert.deepEqual(
      file.decls.map((d) => d.kind),
      [
        'ParamDecl', 'ParamDecl', 'ParamDecl', 'TypeDecl', 'TypeDecl', 'TypeDecl', 'TypeDecl',
        'MessageDecl', 'MessageDecl', 'MessageDecl', 'NetworkDecl', 'QuorumDecl', 'QuorumDecl',
        'NodeDecl', 'NodeDecl', 'PropertyDecl', 'PropertyDecl', 'PropertyDecl', 'PropertyDecl', 'PropertyDecl',
        'CheckDecl', 'CheckDecl', 'ScenarioDecl',
      ],
    );
  });

  test('every declaration span starts at its keyword and ends at its last token', () => {
    const file = parse(REFERENCE);
    const firstLines = file.decls.map((d) => slice(REFERENCE, d.span).split('\n')[0]);
    assert.equal(firstLines[0], 'param N = 3');
    assert.equal(firstLines[2], 'param Q = 2 * f + 1');
    assert.equal(firstLines[6], 'type Anyone = node');
    assert.equal(firstLines[10], 'network sync(2) fifo lossy');
    for (const decl of file.decls) {
      const text = slice(REFERENCE, decl.span);
      assert.equal(text, text.trim(), `${decl.kind} span has surrounding blanks`);
      if (decl.kind === 'NodeDecl' || decl.kind === 'CheckDecl' || decl.kind === 'ScenarioDecl') assert.ok(text.endsWith('}'));
    }
  });

  test('every identifier span slices its name, every node nests in its parent', () => {
    const file = parse(REFERENCE);
    let idents = 0;
    forEachNode(file, (node) => {
      if (node.kind === 'Ident') {
        idents++;
        assert.equal(slice(REFERENCE, node.span), node.name);
      }
      if (node.kind === 'NameExpr') assert.equal(slice(REFERENCE, node.span), node.name);
      if (node.kind === 'IntLit') assert.equal(slice(REFERENCE, node.span), String(node.value));
    });
    assert.ok(idents > 90);
    assert.deepEqual(spanProblems(file, REFERENCE.length), []);
  });

  test('the whole-file grammar rule accepts it too (for content assist)', () => {
    ftpParser.input = lexFtp(REFERENCE).tokens;
    ftpParser.file();
    assert.deepEqual(ftpParser.errors, []);
    const next = ftpParser.computeContentAssist('file', lexFtp('protocol P\nnode A { ').tokens);
    assert.deepEqual(new Set(next.map((s) => s.nextTokenType.name)), new Set(['State', 'Stable', 'On', 'Semicolon', 'RCurly']));
  });

  test('parsing is deterministic and reuses one parser instance', () => {
    const before = ftpParser;
    const a = parseFtp(REFERENCE);
    const b = parseFtp(REFERENCE);
    assert.deepEqual(a, b);
    assert.equal(ftpParser, before);
  });
});

// ---------------------------------------------------------------- declarations

describe('declarations', () => {
  test('protocol header, param', () => {
    const { file, text } = parseBody('param Q = 2 * f + 1');
    assert.equal(file.name?.name, 'P');
    assert.equal(slice(text, file.name!.span), 'P');
    const param = only(file, 'ParamDecl');
    assert.equal(param.name.name, 'Q');
    assert.equal(slice(text, param.span), 'param Q = 2 * f + 1');
    assert.equal(slice(text, param.value.span), '2 * f + 1');
  });

  test('type aliases: range, enum, named, node, collections', () => {
    const { file, text } = parseBody(
      'type A = 0..N-1\ntype B = INIT | DONE\ntype C = Value\ntype D = node\ntype E = set<map<Participant, seq<bool>>>\ntype F = int',
    );
    const types = file.decls.map((d) => (d.kind === 'TypeDecl' ? d.type : null));
    const [a, b, c, d, e, f] = types;
    assert.equal(a?.kind, 'RangeType');
    if (a?.kind === 'RangeType') {
      assert.equal(slice(text, a.span), '0..N-1');
      assert.equal(sexp(a.high), '(- N 1)');
    }
    assert.equal(b?.kind, 'EnumType');
    if (b?.kind === 'EnumType') assert.deepEqual(b.labels.map((l) => slice(text, l.span)), ['INIT', 'DONE']);
    assert.equal(c?.kind, 'NamedType');
    assert.equal(d?.kind, 'NodeIdType');
    assert.equal(e?.kind, 'SetType');
    if (e?.kind === 'SetType') {
      assert.equal(slice(text, e.span), 'set<map<Participant, seq<bool>>>');
      assert.equal(e.element.kind, 'MapType');
      if (e.element.kind === 'MapType') {
        assert.equal(e.element.key.kind, 'NamedType');
        assert.equal(e.element.value.kind, 'SeqType');
        assert.equal(slice(text, e.element.value.span), 'seq<bool>');
      }
    }
    assert.equal(f?.kind, 'IntType');
  });

  test('messages: no fields, fields, signed fields, a field named like a keyword, a trailing comma', () => {
    const { file, text } = parseBody('message Ping\nmessage Vote { value: bool, round: 0..3, }\nmessage Order { signed value: Value, from: General }');
    const [ping, vote, order] = file.decls.filter((d): d is ast.MessageDecl => d.kind === 'MessageDecl');
    assert.deepEqual(ping!.fields, []);
    assert.equal(slice(text, ping!.span), 'message Ping');
    assert.deepEqual(vote!.fields.map((f) => [f.name.name, f.type.kind, f.signed]), [
      ['value', 'BoolType', false],
      ['round', 'RangeType', false],
    ]);
    assert.deepEqual(order!.fields.map((f) => [f.name.name, f.signed]), [
      ['value', true],
      ['from', false],
    ]);
    assert.equal(slice(text, order!.fields[0]!.span), 'signed value: Value');
    const named = only(parseBody('message M { signed: bool, signed signed: int }').file, 'MessageDecl');
    assert.deepEqual(named.fields.map((f) => [f.name.name, f.signed]), [
      ['signed', false],
      ['signed', true],
    ]);
  });

  test('nodes: single and counted, state declarations with every kind of initialiser', () => {
    const { file, text } = parseBody(
      'node A { state x: bool }\nnode B[N + 1] {\n  stable state log: seq<0..3> = []\n  state input: bool = any\n  state phase: INIT | WAIT = WAIT\n}',
    );
    const [a, b] = file.decls.filter((d): d is ast.NodeDecl => d.kind === 'NodeDecl');
    assert.equal(a!.count, null);
    assert.equal(a!.states[0]!.init, null);
    assert.equal(sexp(b!.count!), '(+ N 1)');
    assert.deepEqual(
      b!.states.map((s) => [s.name.name, s.stable, s.init?.kind ?? null]),
      [
        ['log', true, 'SeqLit'],
        ['input', false, 'AnyInit'],
        ['phase', false, 'NameExpr'],
      ],
    );
    assert.equal(slice(text, b!.states[0]!.span), 'stable state log: seq<0..3> = []');
    assert.equal(slice(text, b!.states[1]!.init!.span), 'any');
    assert.ok(slice(text, b!.span).startsWith('node B[N + 1] {') && slice(text, b!.span).endsWith('}'));
  });

  test('handlers: every trigger, guards, parameters and `from`', () => {
    const { file, text } = parseBody(
      'node A {\n on start {}\n on recover {}\n on timeout t when x {}\n on Vote(v, r) from p when r == 1 {}\n on Decision(c) from Coordinator {}\n on Ping {}\n}',
    );
    const node = only(file, 'NodeDecl');
    const triggers = node.handlers.map((h) => h.trigger);
    assert.deepEqual(triggers.map((t) => t.kind), ['StartTrigger', 'RecoverTrigger', 'TimeoutTrigger', 'MessageTrigger', 'MessageTrigger', 'MessageTrigger']);
    const vote = triggers[3];
    assert.equal(vote?.kind, 'MessageTrigger');
    if (vote?.kind === 'MessageTrigger') {
      assert.deepEqual(vote.params.map((p) => p.name), ['v', 'r']);
      assert.equal(vote.from?.name, 'p');
      assert.equal(slice(text, vote.span), 'Vote(v, r) from p');
    }
    const ping = triggers[5];
    if (ping?.kind === 'MessageTrigger') {
      assert.deepEqual(ping.params, []);
      assert.equal(ping.from, null);
    }
    assert.equal(node.handlers[0]!.guard, null);
    assert.equal(sexp(node.handlers[3]!.guard!), '(== r 1)');
    assert.equal(slice(text, node.handlers[2]!.span), 'on timeout t when x {}');
  });

  test('network: defaults and every variant', () => {
    const cases: [string, Pick<ast.NetworkDecl, 'timing' | 'ordering' | 'reliability'>, string | null][] = [
      ['network async unordered reliable', { timing: 'async', ordering: 'unordered', reliability: 'reliable' }, null],
      ['network sync(2) fifo lossy', { timing: 'sync', ordering: 'fifo', reliability: 'lossy' }, '2'],
      ['network', { timing: 'async', ordering: 'unordered', reliability: 'reliable' }, null],
      ['network fifo', { timing: 'async', ordering: 'fifo', reliability: 'reliable' }, null],
      ['network lossy', { timing: 'async', ordering: 'unordered', reliability: 'lossy' }, null],
      ['network sync(delta + 1)', { timing: 'sync', ordering: 'unordered', reliability: 'reliable' }, 'delta + 1'],
    ];
    for (const [source, flags, delta] of cases) {
      const { file, text } = parseBody(source);
      const network = only(file, 'NetworkDecl');
      assert.deepEqual({ timing: network.timing, ordering: network.ordering, reliability: network.reliability }, flags, source);
      assert.equal(network.delta === null ? null : slice(text, network.delta.span), delta);
      assert.equal(slice(text, network.span), source);
    }
  });

  test('quorums', () => {
    const { file, text } = parseBody('quorum read Qr = 2 of Replica\nquorum write Qw = N - f of Replica');
    const [read, write] = file.decls.filter((d): d is ast.QuorumDecl => d.kind === 'QuorumDecl');
    assert.equal(read!.access, 'read');
    assert.equal(write!.access, 'write');
    assert.equal(sexp(write!.size), '(- N f)');
    assert.equal(write!.role.name, 'Replica');
    assert.equal(slice(text, write!.span), 'quorum write Qw = N - f of Replica');
  });

  test('properties: invariant, eventually, `within` before the colon (or after the body)', () => {
    const { file, text } = parseBody(
      'invariant Safe: x == 1\neventually Done: y\neventually Soon within 20: z\neventually Later: w within 5',
    );
    const props = file.decls.filter((d): d is ast.PropertyDecl => d.kind === 'PropertyDecl');
    assert.deepEqual(props.map((p) => [p.property, p.name.name, p.within === null ? null : slice(text, p.within.span)]), [
      ['invariant', 'Safe', null],
      ['eventually', 'Done', null],
      ['eventually', 'Soon', '20'],
      ['eventually', 'Later', '5'],
    ]);
    assert.equal(slice(text, props[2]!.span), 'eventually Soon within 20: z');
    assert.equal(slice(text, props[3]!.span), 'eventually Later: w within 5');
  });
});

// ---------------------------------------------------------------- statements

describe('statements', () => {
  function handlerBody(body: string): { stmts: ast.Stmt[]; text: string } {
    const { file, text } = parseBody(`node A {\n on start {\n${body}\n }\n}`);
    return { stmts: only(file, 'NodeDecl').handlers[0]!.body.stmts, text };
  }

  test('assignments with indices and every operator', () => {
    const { stmts, text } = handlerBody('x = 1\nm[k] = 2\nm[a][b] += 3\nn -= 1');
    assert.deepEqual(
      stmts.map((s) => (s.kind === 'AssignStmt' ? [s.target.name, s.indices.length, s.op] : s.kind)),
      [
        ['x', 0, '='],
        ['m', 1, '='],
        ['m', 2, '+='],
        ['n', 0, '-='],
      ],
    );
    assert.deepEqual(stmts.map((s) => slice(text, s.span)), ['x = 1', 'm[k] = 2', 'm[a][b] += 3', 'n -= 1']);
  });

  test('let, decide, deliver, timers', () => {
    const { stmts, text } = handlerBody('let v = 1; decide v; deliver m; set timer t after 5; cancel timer t');
    assert.deepEqual(stmts.map((s) => s.kind), ['LetStmt', 'DecideStmt', 'DeliverStmt', 'SetTimerStmt', 'CancelTimerStmt']);
    assert.deepEqual(stmts.map((s) => slice(text, s.span)), ['let v = 1', 'decide v', 'deliver m', 'set timer t after 5', 'cancel timer t']);
  });

  test('`else if` is an IfStmt wrapped in a one-statement block', () => {
    const { stmts, text } = handlerBody('if a { x = 1 } else if b { x = 2 } else { x = 3 }');
    const outer = stmts[0];
    assert.equal(outer?.kind, 'IfStmt');
    if (outer?.kind !== 'IfStmt') return;
    assert.equal(slice(text, outer.span), 'if a { x = 1 } else if b { x = 2 } else { x = 3 }');
    const elseBlock = outer.else!;
    assert.equal(elseBlock.kind, 'Block');
    assert.equal(elseBlock.stmts.length, 1);
    const inner = elseBlock.stmts[0]!;
    assert.equal(inner.kind, 'IfStmt');
    assert.deepEqual(elseBlock.span, inner.span);
    assert.equal(slice(text, inner.span), 'if b { x = 2 } else { x = 3 }');
    if (inner.kind === 'IfStmt') assert.equal(slice(text, inner.else!.span), '{ x = 3 }');
    const plain = handlerBody('if a { x = 1 }').stmts[0];
    assert.equal(plain?.kind === 'IfStmt' ? plain.else : 'not an if', null);
  });

  test('send and broadcast, positional and named arguments, no arguments', () => {
    const { stmts, text } = handlerBody('send Vote(true, 1) to c\nsend Vote(value: a, round: b) to p\nbroadcast Ping to Participant');
    const [positional, named, broadcast] = stmts;
    assert.equal(positional?.kind, 'SendStmt');
    assert.equal(broadcast?.kind, 'BroadcastStmt');
    if (positional?.kind === 'SendStmt' && named?.kind === 'SendStmt' && broadcast?.kind === 'BroadcastStmt') {
      assert.deepEqual(positional.args.map((a) => a.name), [null, null]);
      assert.deepEqual(named.args.map((a) => [a.name?.name, slice(text, a.span)]), [
        ['value', 'value: a'],
        ['round', 'round: b'],
      ]);
      assert.deepEqual(broadcast.args, []);
      assert.equal(slice(text, named.to.span), 'p');
      assert.equal(slice(text, broadcast.span), 'broadcast Ping to Participant');
    }
  });

  test('choose between branches and choose a value', () => {
    const { stmts, text } = handlerBody('choose { x = 1 } or { x = 2 } or { x = 3 }\nchoose v in 0..3 { x = v }\nchoose p in Participant { y = p }');
    const [branches, range, role] = stmts;
    assert.equal(branches?.kind === 'ChooseStmt' ? branches.branches.length : 0, 3);
    assert.equal(range?.kind, 'ChooseValueStmt');
    if (range?.kind === 'ChooseValueStmt') {
      assert.equal(range.domain.kind, 'RangeExpr');
      assert.equal(slice(text, range.domain.span), '0..3');
      assert.equal(slice(text, range.span), 'choose v in 0..3 { x = v }');
    }
    if (role?.kind === 'ChooseValueStmt') assert.equal(sexp(role.domain), 'Participant');
  });

  test('semicolons are optional everywhere and may repeat', () => {
    const a = handlerBody('x = 1 y = 2 send M to p z = 3').stmts;
    const b = handlerBody(';x = 1;; y = 2; send M to p; z = 3;').stmts;
    assert.deepEqual(a.map((s) => s.kind), ['AssignStmt', 'AssignStmt', 'SendStmt', 'AssignStmt']);
    assert.deepEqual(b.map((s) => s.kind), a.map((s) => s.kind));
    parse('protocol P; param N = 1; param M = 2;\nnode A { state x: bool; ; on start { x = true; }; }\ncheck explore { depth 3; ; states 4 };');
  });
});

// ---------------------------------------------------------------- expressions

describe('expressions', () => {
  test('precedence from loosest to tightest', () => {
    assert.equal(expr('1 + 2 * 3'), '(+ 1 (* 2 3))');
    assert.equal(expr('a or b and c'), '(or a (and b c))');
    assert.equal(expr('a and b or c'), '(or (and a b) c)');
    assert.equal(expr('a implies b or c'), '(implies a (or b c))');
    assert.equal(expr('not a and b'), '(and (not a) b)');
    assert.equal(expr('not a == b'), '(not (== a b))');
    assert.equal(expr('a == b + 1'), '(== a (+ b 1))');
    assert.equal(expr('a + b == c * d'), '(== (+ a b) (* c d))');
    assert.equal(expr('x in S union T'), '(in x (union S T))');
    assert.equal(expr('x not in S'), '(not in x S)');
    assert.equal(expr('a <= b and c != d'), '(and (<= a b) (!= c d))');
    assert.equal(expr('-a * b'), '(* (- a) b)');
    assert.equal(expr('-a.b'), '(- (. a b))');
    assert.equal(expr('- -x'), '(- (- x))');
    assert.equal(expr('not not x'), '(not (not x))');
    assert.equal(expr('(a + b) * c'), '(* (+ a b) c)');
  });

  test('associativity: implies to the right, the rest to the left', () => {
    assert.equal(expr('a implies b implies c'), '(implies a (implies b c))');
    assert.equal(expr('1 - 2 - 3'), '(- (- 1 2) 3)');
    assert.equal(expr('8 / 4 / 2'), '(/ (/ 8 4) 2)');
    assert.equal(expr('1 % 2 / 3 * 4'), '(* (/ (% 1 2) 3) 4)');
    assert.equal(expr('S union T minus U intersect V'), '(intersect (minus (union S T) U) V)');
    assert.equal(expr('a or b or c'), '(or (or a b) c)');
  });

  test('quantifier bodies extend as far right as possible', () => {
    assert.equal(expr('forall x in S: a and b'), '(forall x S (and a b))');
    assert.equal(expr('a and exists q in Q: q.x or y'), '(and a (exists q Q (or (. q x) y)))');
    assert.equal(expr('forall r in 1..N: r > 0'), '(forall r (.. 1 N) (> r 0))');
    assert.equal(
      expr('not (exists p in P: p.phase == COMMIT and exists q in P: q.phase == ABORT)'),
      '(not (exists p P (and (== (. p phase) COMMIT) (exists q P (== (. q phase) ABORT)))))',
    );
    assert.equal(expr('if c then 1 else 2 + 3'), '(if c 1 (+ 2 3))');
  });

  test('postfix: fields, indices, calls only after a name', () => {
    assert.equal(expr('Participant[1].phase'), '(. ([] Participant 1) phase)');
    assert.equal(expr('p.x[1].y'), '(. ([] (. p x) 1) y)');
    assert.equal(expr('min(S) + max(S)'), '(+ (min S) (max S))');
    assert.equal(expr('f(a, b)[2]'), '([] (f a b) 2)');
    assert.equal(expr('correct(p) implies p.decided'), '(implies (correct p) (. p decided))');
    assert.equal(expr('crashed(p) or byzantine(p)'), '(or (crashed p) (byzantine p))');
  });

  test('primaries', () => {
    assert.equal(expr('{1, 2, 3}'), '{1 2 3}');
    assert.equal(expr('{}'), '{}');
    assert.equal(expr('[a, b]'), '[a b]');
    assert.equal(expr('[]'), '[]');
    assert.equal(expr('|yes| + |{1}|'), '(+ |yes| |{1}|)');
    assert.equal(expr('true != false'), '(!= true false)');
    assert.equal(expr('self'), 'self');
    assert.equal(expr('count p in P where p.x == 1'), '(count p P (== (. p x) 1))');
    assert.equal(expr('count x in 1..N'), '(count x (.. 1 N))');
    assert.equal(expr('if a then b else c'), '(if a b c)');
  });

  test('`count` is also an ordinary name', () => {
    assert.equal(expr('count + 1'), '(+ count 1)');
    const { file } = parseBody('node A {\n state count: int = 0\n on start { count = count + 1\n x = count\n y = 2 }\n}');
    const body = only(file, 'NodeDecl').handlers[0]!.body.stmts;
    assert.deepEqual(body.map((s) => s.kind), ['AssignStmt', 'AssignStmt', 'AssignStmt']);
  });

  test('expression spans cover the source, parentheses included', () => {
    const { file, text } = parseBody('param X = (a + b) * -c.d[1] + |S| + count q in P where q.ok');
    const value = only(file, 'ParamDecl').value;
    assert.equal(slice(text, value.span), '(a + b) * -c.d[1] + |S| + count q in P where q.ok');
    const binaries = nodesOf(value, 'BinaryExpr').map((b) => slice(text, b.span));
    assert.ok(binaries.includes('(a + b)'));
    assert.ok(binaries.includes('(a + b) * -c.d[1]'));
    assert.deepEqual(nodesOf(value, 'UnaryExpr').map((u) => slice(text, u.span)), ['-c.d[1]']);
    assert.deepEqual(nodesOf(value, 'IndexExpr').map((u) => slice(text, u.span)), ['c.d[1]']);
    assert.deepEqual(nodesOf(value, 'SizeExpr').map((u) => slice(text, u.span)), ['|S|']);
    assert.deepEqual(nodesOf(value, 'CountExpr').map((u) => slice(text, u.span)), ['count q in P where q.ok']);
  });
});

// ---------------------------------------------------------------- checks and scenarios

describe('checks and scenarios', () => {
  test('check settings: budgets, bounds, expectations and overrides', () => {
    const text = REFERENCE;
    const file = parse(text);
    const [explore, random] = file.decls.filter((d): d is ast.CheckDecl => d.kind === 'CheckDecl');
    assert.equal(explore!.name, null);
    assert.equal(explore!.mode, 'explore');
    assert.equal(random!.name?.name, 'Random');
    assert.equal(random!.mode, 'simulate');
    assert.deepEqual(explore!.items.map((i) => slice(text, i.span)), [
      'crash up to 1 of Coordinator',
      'crash up to 1 of Participant and recover',
      'crash up to 1 of Coordinator while sending',
      'drop up to 1 of Vote',
      'duplicate up to 1',
      'delay up to 1',
      'partition up to 1',
      'byzantine up to f of Participant',
      'depth 40',
      'states 1000000',
      'expect Termination violated',
    ]);
    const [crash, recover, sending, drop, duplicate, delay, partition, byzantine, depth, states, expect] = explore!.items;
    assert.deepEqual(crash, { ...crash, kind: 'CrashBudget', recover: false, whileSending: false });
    assert.deepEqual(recover, { ...recover, kind: 'CrashBudget', recover: true, whileSending: false });
    assert.deepEqual(sending, { ...sending, kind: 'CrashBudget', recover: false, whileSending: true });
    assert.equal(crash?.kind === 'CrashBudget' ? crash.role?.name : '', 'Coordinator');
    assert.equal(drop?.kind === 'DropBudget' ? drop.message?.name : '', 'Vote');
    assert.equal(duplicate?.kind === 'DuplicateBudget' ? duplicate.message : '', null);
    assert.equal(delay?.kind, 'DelayBudget');
    assert.equal(partition?.kind, 'PartitionBudget');
    assert.equal(byzantine?.kind === 'ByzantineBudget' ? sexp(byzantine.limit) : '', 'f');
    assert.deepEqual([depth, states].map((b) => (b?.kind === 'BoundSetting' ? b.setting : '')), ['depth', 'states']);
    assert.deepEqual(expect?.kind === 'Expectation' ? [expect.property.name, expect.outcome] : [], ['Termination', 'violated']);
    assert.deepEqual(random!.items.map((i) => slice(text, i.span)), ['N = 5', 'f = 1', 'runs 500', 'steps 200', 'seed 7']);
    assert.deepEqual(random!.items.map((i) => i.kind), ['ParamOverride', 'ParamOverride', 'BoundSetting', 'BoundSetting', 'BoundSetting']);
  });

  test('scenario scripted faults with every trigger', () => {
    const text = REFERENCE;
    const scenario = only(parse(text), 'ScenarioDecl');
    assert.equal(scenario.name.name, 'CoordinatorCrash');
    assert.deepEqual(scenario.items.map((i) => i.kind), [
      'ScriptedCrash', 'ScriptedCrash', 'ScriptedCrash', 'ScriptedCrash', 'ScriptedRecover',
      'ScriptedDrop', 'ScriptedPartition', 'ScriptedByzantine', 'Expectation',
    ]);
    const triggers = scenario.items.map((i) => (i.kind === 'ScriptedCrash' || i.kind === 'ScriptedRecover' ? i.trigger : null));
    assert.deepEqual(triggers.slice(0, 5).map((t) => t?.kind), ['AfterReceive', 'AfterSend', 'AtStep', 'WhenTrue', 'AtStep']);
    const [receive, send, step, when] = triggers;
    assert.equal(receive?.kind === 'AfterReceive' ? slice(text, receive.span) : '', 'after receive Vote from Participant[3]');
    assert.equal(receive?.kind === 'AfterReceive' ? sexp(receive.from!) : '', '([] Participant 3)');
    assert.equal(send?.kind === 'AfterSend' ? sexp(send.to!) : '', '([] Participant 1)');
    assert.equal(step?.kind === 'AtStep' ? sexp(step.step) : '', '3');
    assert.equal(when?.kind === 'WhenTrue' ? sexp(when.condition) : '', '(== (. Coordinator phase) WAIT)');
    const drop = scenario.items[5];
    assert.equal(drop?.kind === 'ScriptedDrop' ? [drop.message.name, sexp(drop.from!), sexp(drop.to!), sexp(drop.count!)].join(' ') : '', 'Vote ([] Participant 1) Coordinator 2');
    const partition = scenario.items[6];
    if (partition?.kind === 'ScriptedPartition') {
      assert.deepEqual(partition.groups.map(sexp), ['{Coordinator}', '{Participant}']);
      assert.equal(sexp(partition.from), '3');
      assert.equal(sexp(partition.to!), '8');
      assert.equal(slice(text, partition.span), 'partition {Coordinator} | {Participant} from step 3 to step 8');
    } else assert.fail('expected a partition');
    const byzantine = scenario.items[7];
    assert.equal(byzantine?.kind === 'ScriptedByzantine' ? sexp(byzantine.node) : '', '([] Participant 1)');
  });

  test('three-way partitions, drops without peers, triggers without peers', () => {
    const { file } = parseBody('scenario S {\n partition {A} | {B} | {C} from step 1\n drop Vote\n crash X after receive Vote\n crash Y after send Vote\n with N = 2 }');
    const items = only(file, 'ScenarioDecl').items;
    assert.equal(items[0]?.kind === 'ScriptedPartition' ? items[0].groups.length : 0, 3);
    assert.equal(items[0]?.kind === 'ScriptedPartition' ? items[0].to : 'x', null);
    assert.deepEqual(items[1]?.kind === 'ScriptedDrop' ? [items[1].from, items[1].to, items[1].count] : [], [null, null, null]);
    assert.equal(items[2]?.kind === 'ScriptedCrash' && items[2].trigger.kind === 'AfterReceive' ? items[2].trigger.from : 'x', null);
    assert.equal(items[3]?.kind === 'ScriptedCrash' && items[3].trigger.kind === 'AfterSend' ? items[3].trigger.to : 'x', null);
  });

  test('a scripted fault in a check is reported (FTP213) and left out', () => {
    const text = 'protocol P\ncheck explore { crash A at step 3\n depth 4 }';
    const { value, diagnostics } = parseFtp(text);
    assert.deepEqual(diagnostics.map((d) => [d.code, slice(text, d.span)]), [['FTP213', 'crash A at step 3']]);
    assert.deepEqual(only(value, 'CheckDecl').items.map((i) => i.kind), ['BoundSetting']);
  });
});

// ---------------------------------------------------------------- keywords

describe('keywords', () => {
  test('a keyword prefix is still an identifier (`statex`, `only`, `intx`)', () => {
    const { file } = parseBody('param statex = 1\nparam only = 2\nparam intx = 3\nparam nothing = 4');
    assert.deepEqual(file.decls.map((d) => (d.kind === 'ParamDecl' ? d.name.name : '')), ['statex', 'only', 'intx', 'nothing']);
  });

  test('contextual keywords are ordinary names outside their construct', () => {
    const names = ['count', 'seq', 'read', 'write', 'delay', 'step', 'steps', 'depth', 'seed', 'states', 'runs', 'up', 'at', 'times'];
    const { file } = parseBody(names.map((n, i) => `param ${n} = ${i}`).join('\n'));
    assert.deepEqual(file.decls.map((d) => (d.kind === 'ParamDecl' ? d.name.name : '')), names);
    parseBody('node A { state seq: int = 0\n state delay: 0..3\n on start { seq += 1; delay = step } }');
    parseBody('check explore { depth depth; seed seed + 1; with delay = 2 }');
  });

  test('reserved keywords cannot be names', () => {
    const errors = problems('protocol P\nparam from = 1');
    assert.equal(errors.length, 1);
    assert.match(errors[0]!, /expected a name after `param`, found the keyword `from` \(`from` is a reserved word\)/);
  });

  test('the keyword lists are exported, reserved and contextual apart', () => {
    for (const word of ['protocol', 'node', 'state', 'on', 'forall', 'implies', 'union', 'minus', 'with', 'of', 'to', 'when', 'after']) {
      assert.ok(ftpKeywords.includes(word), word);
    }
    for (const word of ['count', 'seq', 'up', 'holds', 'violated', 'step', 'depth', 'crash', 'byzantine']) {
      assert.ok(ftpContextualKeywords.includes(word), word);
      assert.ok(!ftpKeywords.includes(word), word);
    }
    assert.equal(new Set([...ftpKeywords, ...ftpContextualKeywords]).size, ftpKeywords.length + ftpContextualKeywords.length);
    assert.ok(ftpKeywords.every((k) => /^[a-z]+$/.test(k)));
  });

  test('docs/language.md lists exactly these keywords', () => {
    const doc = readFileSync(join(repoRoot(), 'docs', 'language.md'), 'utf8');
    const listAfter = (marker: string): string[] => {
      const from = doc.indexOf(marker);
      assert.ok(from >= 0, marker);
      const open = doc.indexOf('`', doc.indexOf(':\n', from));
      const close = doc.indexOf('`', open + 1);
      return doc.slice(open + 1, close).split(/\s+/).filter((w) => w.length > 0);
    };
    assert.deepEqual(listAfter('- Reserved keywords'), ftpKeywords);
    assert.deepEqual(listAfter('- Contextual keywords'), ftpContextualKeywords);
  });
});

describe('docs/language.md', () => {
  test('every complete example parses without diagnostics', () => {
    const doc = readFileSync(join(repoRoot(), 'docs', 'language.md'), 'utf8');
    const snippets = [...doc.matchAll(/```ftp\n([^]*?)```/g)].map((m) => m[1]!);
    assert.ok(snippets.length > 5);
    let parsed = 0;
    for (const snippet of snippets) {
      // Fragments that elide parts (`{ ... }`, `[of Vote]`) are skipped; node members get a node.
      if (/\.\.\.|\[of /.test(snippet)) continue;
      const body = /^(state|stable|on) /.test(snippet) ? `node Doc {\n${snippet}}\n` : snippet;
      const text = snippet.startsWith('protocol') ? snippet : `protocol Doc\n${body}`;
      assert.deepEqual(parseFtp(text).diagnostics.map(show), [], snippet);
      parsed++;
    }
    assert.ok(parsed >= 8, `only ${parsed} snippets parsed`);
  });
});

// ---------------------------------------------------------------- errors and recovery

describe('syntax errors and recovery', () => {
  test('one typo gives exactly one diagnostic, and later declarations survive', () => {
    const typos: [string, string][] = [
      ['on Vote(v, r) from p when', 'on Vote(v, r) form p when'],
      ['state yes: set<Participant> = {}', 'stat yes: set<Participant> = {}'],
      ['param f = 1', 'param f = '],
      ['param f = 1', 'param f 1'],
      ['message Vote { value: bool, round: 0..3 }', 'message Vote { value: bool round: 0..3 }'],
      ['    if v { yes += p }', '    if v { yes + p }'],
      ['  on recover { cancel timer t }', '  on recover { cancel timr t }'],
      ['  on recover { cancel timer t }', '  on recover { cancel timer t '],
      ['  crash up to 1 of Coordinator\n', '  crash up 1 of Coordinator\n'],
      ['  depth 40', '  dept 40'],
      ['  expect Termination violated', '  expect Termination violate'],
      ['invariant Agreement:', 'invariant Agreement'],
      ['  on Ping from c { send Vote(true, 1) to c }', '  on Ping from c { send Vote(true, 1) c }'],
      ['  on start { broadcast Ping to Participant;', '  on start { broadcast Ping to Participant; }}'],
      ['network sync(2) fifo lossy', 'network sync(2) lossy fifo'],
      ['check Random simulate {', 'check Random simulat {'],
      ['  state acked: map<Participant, bool>', '  state acked: map<Participant bool>'],
      ['quorum read Qr = 2 of Participant', 'quorum Qr = 2 of Participant'],
      ['  stable state phase: Phase = INIT', '  stable phase: Phase = INIT'],
      ['}\n\ninvariant Agreement', '\n\ninvariant Agreement'],
      ['  crash Coordinator when Coordinator.phase == WAIT', '  crash Coordinator whenever Coordinator.phase == WAIT'],
      ['    let n = |yes|', '    let n = |yes'],
      ['    acked[p] = true', '    acked[p] == true'],
      ['protocol Reference', 'protocl Reference'],
      ['node Coordinator {', 'node Coordinator'],
      ['param N = 3', 'param N = 3 3'],
      ['    choose x in 0..3 { count = x }', '    choose x in 0..3 count = x }'],
    ];
    const reference = parse(REFERENCE);
    for (const [from, to] of typos) {
      assert.ok(REFERENCE.includes(from), from);
      const text = REFERENCE.replace(from, to);
      const found = problems(text);
      assert.equal(found.length, 1, `${JSON.stringify(to)} gave:\n${found.join('\n')}`);
      const file = parseFtp(text).value;
      assert.deepEqual(
        file.decls.map((d) => d.kind),
        reference.decls.map((d) => d.kind),
        `${JSON.stringify(to)} lost declarations`,
      );
    }
  });

  test('three errors in three declarations give three diagnostics', () => {
    const text = REFERENCE.replace('param f = 1', 'param f = = 1')
      .replace('  on recover { cancel timer t }', '  on recover { cancel timer }')
      .replace('  depth 40', '  depth');
    const found = problems(text);
    assert.equal(found.length, 3, found.join('\n'));
    const reference = parse(REFERENCE);
    assert.deepEqual(parseFtp(text).value.decls.map((d) => d.kind), reference.decls.map((d) => d.kind));
  });

  test('errors in separate members of one node are reported separately', () => {
    const text = 'protocol P\nnode A {\n state x: = 1\n on start { x = }\n on recover { y = 1 }\n}';
    const found = problems(text);
    assert.equal(found.length, 2, found.join('\n'));
    const node = only(parseFtp(text).value, 'NodeDecl');
    assert.equal(node.states.length, 1);
    assert.equal(node.handlers.length, 2);
  });

  test('human messages that name the construct and what was found', () => {
    assert.deepEqual(problems('protocol P\nnode Coordinator on start { }'), [
      'FTP102 "on" expected `{` after the node name, found the keyword `on`',
    ]);
    assert.deepEqual(problems('protocol P\nparam N = '), ['FTP102 "" expected an expression after `=`, found the end of the file']);
    assert.deepEqual(problems('protocol P\nparam N = \nparam M = 1'), ['FTP102 "param" expected an expression after `=`, found the keyword `param`']);
    assert.deepEqual(problems('protocol P\ntype T = set<>'), [
      'FTP102 ">" expected a type (`bool`, `int`, `lo..hi`, `A | B`, `set<T>`, `map<K, V>`, `seq<T>` or a type name) after `<`, found `>`',
    ]);
    assert.deepEqual(problems('protocol P\ncheck explore { crash Coordinator whenever x }'), [
      'FTP102 "whenever" expected `at step`, `after receive`, `after send` or `when` after `Coordinator`, found `whenever`',
    ]);
    assert.deepEqual(problems('protocol P\nnode A { on start { x = 1 y + 2 } }'), [
      'FTP102 "+" expected `=`, `+=` or `-=` after `y`, found `+`',
    ]);
    assert.deepEqual(problems('protocol P\nnode A { on Vote(v r) { } }'), ['FTP102 "r" expected `,` or `)` after `v`, found `r`']);
    assert.deepEqual(problems('protocol P\nscenario S { crash A after Vote }'), [
      'FTP102 "Vote" expected `receive` or `send` after `after`, found `Vote`',
    ]);
    assert.deepEqual(problems('protocol P\nnode A { state x bool }'), [
      'FTP102 "bool" expected `:` after the state name, found the keyword `bool`',
    ]);
    for (const message of problems('protocol P\nparam X = (1 + 2 3')) assert.ok(message.length < 200, message);
  });

  test('a missing `}` of a node is one diagnostic and keeps the next declaration', () => {
    const text = 'protocol P\nnode A {\n state x: bool\n on start { x = true }\nnode B { state y: bool }\n';
    const found = problems(text);
    assert.deepEqual(found, ['FTP102 "" expected `}` to close the body of node `A`, found the keyword `node`']);
    const related = parseFtp(text).diagnostics[0]!.related;
    assert.deepEqual(related.map((r) => [slice(text, r.span), r.message]), [['{', 'the body of node `A` opens here']]);
    const nodes = parseFtp(text).value.decls.filter((d): d is ast.NodeDecl => d.kind === 'NodeDecl');
    assert.deepEqual(nodes.map((n) => [n.name.name, n.states.length, n.handlers.length]), [
      ['A', 1, 1],
      ['B', 1, 0],
    ]);
  });

  test('a recovered tree has Missing nodes, empty names and no NaN anywhere', () => {
    const broken = [
      'protocol P\nparam N =\ntype T =\nnode A { state x: \n on Vote( { } }\ninvariant I:\ncheck explore { crash up to\n expect }\nscenario S { crash at step\n partition from step }',
      'protocol P\nnode A[ { on start { send to ; broadcast M( to; if { } else { } choose v in { } let = 1 } }',
      'protocol\nmessage { a: , : int }\nquorum read = of\nnetwork sync( fifo',
      'protocol P\nparam X = forall x in : \nparam Y = count x in where\nparam Z = if then else',
      'protocol P\nparam X = |(|{[',
    ];
    for (const text of broken) {
      const { value, diagnostics } = parseFtp(text);
      assert.ok(diagnostics.length > 0, text);
      assert.deepEqual(spanProblems(value, text.length), [], text);
      assert.ok(!JSON.stringify(value).includes('null,"span":{"start":null'));
      forEachNode(value, (node) => {
        assert.ok(Number.isFinite(node.span.start) && Number.isFinite(node.span.end), `${node.kind} in ${text}`);
      });
      for (const d of diagnostics) assert.ok(Number.isFinite(d.span.start) && Number.isFinite(d.span.end));
    }
    const file = parseFtp('protocol P\nparam N =\ntype T =').value;
    assert.equal(file.decls[0]?.kind === 'ParamDecl' ? file.decls[0].value.kind : '', 'MissingExpr');
    assert.equal(file.decls[1]?.kind === 'TypeDecl' ? file.decls[1].type.kind : '', 'MissingType');
  });
});

describe('pathological input', () => {
  test('nesting too deep for the call stack is reported on that declaration alone', () => {
    const deep = `param X = ${'('.repeat(5000)}1${')'.repeat(5000)}`;
    const member = `on start { ${'if x { '.repeat(3000)}${'} '.repeat(3000)}}`;
    const text = `protocol P\nparam A = 1\n${deep}\nnode N {\n state s: bool\n ${member}\n on recover { }\n}\nparam B = 2\n`;
    const { value, diagnostics } = parseFtp(text);
    assert.deepEqual(
      diagnostics.map((d) => [d.code, d.message]),
      [
        ['FTP102', 'this is nested too deeply to parse: split the expression or flatten the blocks'],
        ['FTP102', 'this is nested too deeply to parse: split the expression or flatten the blocks'],
      ],
    );
    assert.deepEqual(spanProblems(value, text.length), []);
    assert.deepEqual(value.decls.map((d) => d.kind), ['ParamDecl', 'NodeDecl', 'ParamDecl']);
    const node = only(value, 'NodeDecl');
    assert.deepEqual([node.states.length, node.handlers.length], [1, 1]);
  });

  test('long flat chains and many declarations are fine', () => {
    parse(`protocol P\nparam X = x${' + x'.repeat(5000)}\n${'param Y = 1\n'.repeat(2000)}`);
    parse(`protocol P\nparam X = ${'not '.repeat(500)}x implies ${'y implies '.repeat(500)}z`);
  });
});

describe('file-level errors', () => {
  test('FTP100: NUL bytes, mostly control characters, too large', () => {
    const nul = parseFtp('protocol P\u0000\nparam N = 1');
    assert.deepEqual(nul.diagnostics.map((d) => [d.code, d.span.start]), [['FTP100', 10]]);
    assert.deepEqual(nul.value.decls, []);
    const control = parseFtp('protocol P\n' + '\u0001\u0002\u0003'.repeat(10));
    assert.deepEqual(control.diagnostics.map((d) => d.code), ['FTP100']);
    const huge = 'protocol P\n' + '// filler\n'.repeat(Math.ceil(MAX_TEXT_LENGTH / 10));
    const big = parseFtp(huge);
    assert.deepEqual(big.diagnostics.map((d) => d.code), ['FTP100']);
    assert.match(big.diagnostics[0]!.message, /too large/);
    // A few stray control characters are not binary.
    assert.deepEqual(parseFtp('protocol P\u000c\nparam N = 1').diagnostics, []);
  });

  test('FTP101: one diagnostic per run of bad characters, the rest still parses', () => {
    const text = 'protocol P\nparam N = 1 @@@ # $\nparam M = 2\nparam é = 3';
    const { value, diagnostics } = parseFtp(text);
    const lexical = diagnostics.filter((d) => d.code === 'FTP101');
    assert.deepEqual(lexical.map((d) => slice(text, d.span)), ['@@@ # $', 'é']);
    assert.match(lexical[0]!.message, /unexpected characters `@@@ # \$`/);
    assert.ok(value.decls.some((d) => d.kind === 'ParamDecl' && d.name.name === 'M'));
    // The parser does not complain again about the gap a dropped character leaves.
    const inside = 'protocol P\nnode A { on start { x = a @ b } }\nparam N = 1 # 2\nparam M = $';
    assert.deepEqual(parseFtp(inside).diagnostics.map((d) => [d.code, slice(inside, d.span)]), [
      ['FTP101', '@'],
      ['FTP101', '#'],
      ['FTP101', '$'],
    ]);
  });

  test('FTP101: an unterminated block comment', () => {
    const text = 'protocol P\nparam N = 1 /* never closed\nparam M = 2';
    const { value, diagnostics } = parseFtp(text);
    assert.deepEqual(diagnostics.map((d) => [d.code, slice(text, d.span)]), [['FTP101', '/*']]);
    assert.equal(value.decls.length, 1);
  });

  test('comments are skipped', () => {
    parse('// leading\nprotocol P /* inline */ param N = /* here */ 1 // trailing\n/* multi\nline */ param M = 2');
  });

  test('FTP103: a missing header is reported once; the rest still parses', () => {
    const text = 'param N = 3\nnode A { state x: bool }';
    const { value, diagnostics } = parseFtp(text);
    assert.deepEqual(diagnostics.map((d) => [d.code, slice(text, d.span)]), [['FTP103', 'param']]);
    assert.equal(value.name, null);
    assert.deepEqual(value.decls.map((d) => d.kind), ['ParamDecl', 'NodeDecl']);
    assert.deepEqual(parseFtp('').diagnostics.map((d) => [d.code, d.span.start, d.span.end]), [['FTP103', 0, 0]]);
    assert.deepEqual(parseFtp('// just a comment\n').diagnostics.map((d) => d.code), ['FTP103']);
    const late = 'param N = 3\nprotocol P';
    assert.deepEqual(parseFtp(late).diagnostics.map((d) => [d.code, slice(late, d.span)]), [['FTP103', 'protocol P']]);
    assert.equal(parseFtp(late).value.name?.name, 'P');
    const twice = 'protocol P\nprotocol Q';
    assert.deepEqual(parseFtp(twice).diagnostics.map((d) => [d.code, slice(twice, d.span)]), [['FTP102', 'protocol Q']]);
  });

  test('FTP104: integer literals above 2^31-1', () => {
    const text = 'protocol P\nparam A = 2147483647\nparam B = 2147483648\nparam C = 99999999999999999999999999999';
    const { value, diagnostics } = parseFtp(text);
    assert.deepEqual(diagnostics.map((d) => [d.code, slice(text, d.span)]), [
      ['FTP104', '2147483648'],
      ['FTP104', '99999999999999999999999999999'],
    ]);
    const values = value.decls.map((d) => (d.kind === 'ParamDecl' && d.value.kind === 'IntLit' ? d.value.value : null));
    assert.deepEqual(values, [2147483647, 2147483647, 2147483647]);
    assert.ok(JSON.stringify(value).length > 0);
  });

  test('diagnostics are sorted by position', () => {
    const text = 'protocol P\nparam A = @\nparam B = 99999999999\nparam C =';
    const starts = parseFtp(text).diagnostics.map((d) => d.span.start);
    assert.deepEqual(starts, [...starts].sort((a, b) => a - b));
    assert.equal(starts.length, 3);
  });
});
