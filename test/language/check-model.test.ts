import assert from 'node:assert/strict';
import { test } from 'node:test';
import type * as ast from '../../language/ast.js';
import { analyzeText } from '../../language/analyze.js';
import { checkProtocol } from '../../language/check/check.js';
import { blockEnv, evalConst, paramEnv, roleCount } from '../../language/check/const-eval.js';
import type { CheckedModel, Definition } from '../../language/check/model.js';
import { typeToString } from '../../language/check/types.js';

// What the checker hands on: infos, refs, types, definitions and references.

const source = `
protocol Replication
param f = 1
param N = 2 * f + 1
message Write { value: 0..3, round: 0..N }
message Ack { round: 0..N }
node Client {
  state acks: set<Replica> = {}
  state round: 0..N = 0
  on start { broadcast Write(1, round) to Replica; set timer retry after 3 }
  on Ack(r) from p when r == round { acks += p; if |acks| >= Qw { decide r } }
  on timeout retry { cancel timer retry }
}
node Replica[N] {
  stable state value: 0..3 = 0
  on Write(v, r) from c { value = v; send Ack(r) to c; deliver v }
}
quorum read Qr = f + 1 of Replica
quorum write Qw = f + 1 of Replica
invariant Stored: forall p in Replica: p.value <= 3 and |p.delivered| <= 1
eventually Done: Client.decided
check explore { with f = 2; crash up to f of Replica }
`;

function checked(text: string): CheckedModel {
  const { model, diagnostics } = analyzeText(text);
  assert.deepEqual(diagnostics.map((d) => `${d.code} ${d.message}`), []);
  return model;
}

function walkExprs(model: CheckedModel, visit: (e: ast.Expr) => void): void {
  const seen = new Set<object>();
  const go = (value: unknown): void => {
    if (value === null || typeof value !== 'object' || seen.has(value)) return;
    seen.add(value);
    if (Array.isArray(value)) {
      for (const v of value) go(v);
      return;
    }
    const node = value as { kind?: string };
    if (typeof node.kind === 'string' && isExpr(node.kind)) visit(node as ast.Expr);
    for (const [key, v] of Object.entries(value)) if (key !== 'span') go(v);
  };
  go(model.file);
}

const exprKinds = new Set([
  'IntLit', 'BoolLit', 'NameExpr', 'SelfExpr', 'FieldExpr', 'IndexExpr', 'CallExpr', 'UnaryExpr', 'BinaryExpr',
  'SetLit', 'SeqLit', 'SizeExpr', 'QuantExpr', 'CountExpr', 'CondExpr', 'RangeExpr', 'MissingExpr',
]);
function isExpr(kind: string): boolean {
  return exprKinds.has(kind);
}

test('infos: params, messages, roles, quorums, properties and the network default', () => {
  const model = checked(source);
  assert.equal(model.name, 'Replication');
  assert.deepEqual(model.params.map((p) => [p.name, p.value]), [['f', 1], ['N', 3]]);
  assert.deepEqual(model.messages.map((m) => [m.name, m.index, m.fields.map((f) => `${f.name}: ${typeToString(f.type)}`), m.senders]), [
    ['Write', 0, ['value: 0..3', 'round: 0..N'], ['Client']],
    ['Ack', 1, ['round: 0..N'], ['Replica']],
  ]);
  const client = model.roleByName.get('Client')!;
  const replica = model.roleByName.get('Replica')!;
  assert.deepEqual([client.count, client.replicated, replica.count, replica.replicated], [1, false, 3, true]);
  assert.deepEqual(client.states.map((s) => [s.name, typeToString(s.type), s.index, s.stable]), [
    ['acks', 'set<Replica>', 0, false],
    ['round', '0..N', 1, false],
  ]);
  assert.deepEqual(client.timers, ['retry']);
  assert.deepEqual(client.handlers.map((h) => [h.index, h.message, h.fromRole, h.timer]), [
    [0, null, null, null],
    [1, 'Ack', null, null],
    [2, null, null, 'retry'],
  ]);
  assert.equal(typeToString(client.decisionType!), '0..N');
  assert.equal(client.deliveryType, null);
  assert.equal(typeToString(replica.deliveryType!), '0..3');
  assert.deepEqual(model.quorums.map((q) => [q.name, q.access, q.role, q.size]), [['Qr', 'read', 'Replica', 2], ['Qw', 'write', 'Replica', 2]]);
  assert.deepEqual(model.properties.map((p) => [p.name, p.property]), [['Stored', 'invariant'], ['Done', 'eventually']]);
  assert.equal(model.network.timing, 'async');
  assert.equal(model.network.decl, null);
  assert.equal(model.checks.length, 1);
  assert.equal(model.hasErrors, false);
});

test('every expression has a type and every name a ref', () => {
  const model = checked(source);
  let names = 0;
  walkExprs(model, (e) => {
    assert.ok(model.types.has(e), `no type for ${e.kind} at ${e.span.start}`);
    if (e.kind === 'NameExpr') {
      names++;
      assert.ok(model.refs.has(e), `no ref for ${e.name}`);
    }
  });
  assert.ok(names > 15);
});

test('refs say what a name is; the sender binding has its role type', () => {
  const model = checked(source);
  const refs = new Map<string, string>();
  for (const [node, ref] of model.refs) {
    const name = node.kind === 'NameExpr' ? node.name : `${node.target.name}=`;
    refs.set(`${name}@${node.span.start}`, ref.kind);
  }
  const kinds = (name: string) => [...refs].filter(([k]) => k.startsWith(`${name}@`)).map(([, v]) => v);
  assert.deepEqual(kinds('round'), ['state', 'state']);
  assert.deepEqual(kinds('acks'), ['state']);
  assert.deepEqual(kinds('acks='), ['state']);
  assert.deepEqual(kinds('r'), ['local', 'local', 'local']);
  assert.deepEqual(kinds('Qw'), ['quorum']);
  assert.deepEqual(kinds('Replica'), ['role', 'role']);
  assert.deepEqual(kinds('value='), ['state']);
  const p = [...model.types].find(([e]) => e.kind === 'NameExpr' && e.name === 'p' && e.span.start < source.indexOf('node Replica'));
  assert.equal(typeToString(p![1]), 'Replica');
  const client = [...model.types].find(([e]) => e.kind === 'NameExpr' && e.name === 'Client');
  assert.deepEqual(client![1], { kind: 'node', role: 'Client' }, 'a single-node role used as a value is its node id');
  const replicaSet = [...model.types].find(([e]) => e.kind === 'NameExpr' && e.name === 'Replica');
  assert.equal(typeToString(replicaSet![1]), 'set<Replica>', 'a replicated role used as a value is the set of its nodes');
});

test('definitions and references cover every kind of name, with identifier spans', () => {
  const model = checked(source);
  const def = (kind: Definition['kind'], name: string) => model.definitions.find((d) => d.kind === kind && d.name === name);
  for (const [kind, name] of [
    ['param', 'f'], ['param', 'N'], ['message', 'Write'], ['field', 'round'], ['role', 'Client'], ['state', 'acks'],
    ['timer', 'retry'], ['quorum', 'Qw'], ['property', 'Done'], ['local', 'p'],
  ] as const) {
    const d = def(kind, name);
    assert.ok(d, `no ${kind} ${name}`);
    assert.equal(source.slice(d.nameSpan.start, d.nameSpan.end), name);
  }
  assert.equal(def('timer', 'retry')!.container, 'Client');
  assert.equal(def('state', 'value')!.container, 'Replica');
  assert.equal(def('field', 'value')!.container, 'Write');
  const uses = (kind: Definition['kind'], name: string) =>
    model.references.filter((r) => r.definition === def(kind, name)).map((r) => source.slice(r.span.start, r.span.end));
  assert.deepEqual(uses('param', 'f'), ['f', 'f', 'f', 'f', 'f'], 'N = 2 * f + 1, Qr = f + 1, Qw = f + 1, with f = 2, crash up to f');
  assert.deepEqual(uses('param', 'N'), ['N', 'N', 'N', 'N']);
  assert.deepEqual(uses('timer', 'retry'), ['retry', 'retry'], 'the timeout and the cancel; the first set is the definition');
  assert.deepEqual(uses('role', 'Replica'), ['Replica', 'Replica', 'Replica', 'Replica', 'Replica', 'Replica']);
  assert.deepEqual(uses('state', 'acks'), ['acks', 'acks']);
  assert.deepEqual(uses('state', 'value'), ['value', 'value']);
  assert.deepEqual(uses('message', 'Ack'), ['Ack', 'Ack']);
  assert.deepEqual(uses('quorum', 'Qw'), ['Qw']);
  assert.deepEqual(uses('property', 'Done'), []);
});

test('evalConst, paramEnv and blockEnv evaluate constants under overrides', () => {
  const model = checked(source);
  const defaults = paramEnv(model);
  assert.deepEqual([...defaults], [['f', 1], ['N', 3], ['Qr', 2], ['Qw', 2]]);
  const env = blockEnv(model, model.checks[0]!);
  assert.equal(env.get('f'), 2);
  assert.equal(env.get('N'), 5, 'a param defined over an overridden one follows it');
  assert.equal(roleCount(model.roleByName.get('Replica')!, env), 5);
  assert.equal(roleCount(model.roleByName.get('Client')!, env), 1);
  const count = model.roleByName.get('Replica')!.decl.count!;
  assert.equal(evalConst(count, new Map([['N', 7]])), 7);
  assert.ok(Number.isNaN(evalConst(count, new Map())));
});

test('a parse error makes the model unusable for the engine even if the checker is content', () => {
  const { model, diagnostics } = analyzeText('protocol P\nnode A { on start { x = } }\n');
  assert.ok(diagnostics.some((d) => d.code.startsWith('FTP1')));
  assert.equal(model.hasErrors, true);
  assert.equal(checked('protocol P\nnode A { }\n').hasErrors, false);
});

test('checkProtocol never throws on degenerate trees', () => {
  const span = { start: 0, end: 0 };
  const empty: ast.Ident = { kind: 'Ident', span, name: '' };
  const missing: ast.Expr = { kind: 'MissingExpr', span };
  const file: ast.ProtocolFile = {
    kind: 'ProtocolFile',
    span,
    name: null,
    decls: [
      { kind: 'ParamDecl', span, name: empty, value: missing },
      { kind: 'ParamDecl', span, name: empty, value: missing },
      { kind: 'MessageDecl', span, name: empty, fields: [{ kind: 'FieldDecl', span, name: empty, type: { kind: 'MissingType', span }, signed: false }] },
      {
        kind: 'NodeDecl',
        span,
        name: empty,
        count: missing,
        states: [{ kind: 'StateDecl', span, name: empty, type: { kind: 'MissingType', span }, stable: false, init: missing }],
        handlers: [
          {
            kind: 'Handler',
            span,
            trigger: { kind: 'MessageTrigger', span, message: empty, params: [empty, empty], from: empty },
            guard: missing,
            body: {
              kind: 'Block',
              span,
              stmts: [
                { kind: 'AssignStmt', span, target: empty, indices: [missing], op: '+=', value: missing },
                { kind: 'SendStmt', span, message: empty, args: [{ kind: 'MessageArg', span, name: empty, value: missing }], to: missing },
                { kind: 'DecideStmt', span, value: missing },
                { kind: 'CancelTimerStmt', span, timer: empty },
                { kind: 'ChooseValueStmt', span, name: empty, domain: missing, body: { kind: 'Block', span, stmts: [] } },
              ],
            },
          },
          { kind: 'Handler', span, trigger: { kind: 'TimeoutTrigger', span, timer: empty }, guard: null, body: { kind: 'Block', span, stmts: [] } },
        ],
      },
      { kind: 'QuorumDecl', span, access: 'write', name: empty, size: missing, role: empty },
      { kind: 'PropertyDecl', span, property: 'invariant', name: empty, body: missing, within: missing },
      { kind: 'NetworkDecl', span, timing: 'sync', delta: null, ordering: 'fifo', reliability: 'lossy' },
      { kind: 'CheckDecl', span, name: null, mode: 'explore', items: [{ kind: 'ParamOverride', span, name: empty, value: missing }] },
      {
        kind: 'ScenarioDecl',
        span,
        name: empty,
        items: [
          { kind: 'ScriptedCrash', span, node: missing, trigger: { kind: 'AfterReceive', span, message: empty, from: missing } },
          { kind: 'ScriptedPartition', span, groups: [missing], from: missing, to: null },
          { kind: 'Expectation', span, property: empty, outcome: 'holds' },
        ],
      },
    ],
  };
  const { value, diagnostics } = checkProtocol(file);
  assert.equal(value.name, '');
  // Missing and empty parts were reported by the parser; only the network bound is the checker's own.
  assert.deepEqual(diagnostics.map((d) => d.code), ['FTP216']);
});
