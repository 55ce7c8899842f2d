import assert from 'node:assert/strict';
import { test } from 'node:test';
import { exploreStates } from '../../engine/explore.js';
import { replayPath } from '../../engine/trace.js';
import { compileSystem } from '../../engine/compile.js';
import { modelOf, systemOf, unlimited } from '../support/analyze.js';

const pingPong = `
protocol PingPong
message Ping
message Pong
node A {
  state n: 0..2 = 0
  on start { send Ping to B }
  on Pong when n < 2 { n += 1; send Ping to B }
}
node B {
  on Ping from a { send Pong to a }
}
invariant Small: A.n <= 2
`;

test('a ping-pong of two rounds has the hand-counted 7 states and 6 transitions', () => {
  const r = exploreStates(systemOf(pingPong), unlimited);
  assert.equal(r.status, 'complete');
  assert.equal(r.stats.states, 7);
  assert.equal(r.stats.transitions, 6);
  assert.equal(r.stats.depth, 6);
  assert.equal(r.stats.terminal, 1);
  // The last Pong is never accepted (the guard is false): a deadlock with a message in flight.
  assert.equal(r.stats.deadlocks, 1);
  assert.deepEqual(r.violations, []);
});

test('one drop adds exactly one state per value of n (messages lost at any point)', () => {
  const r = exploreStates(systemOf(`${pingPong}\ncheck explore { drop up to 1 }\n`), unlimited);
  assert.equal(r.stats.states, 10);
});

test('symmetry reduction: N independent replicas with 3 local states give C(N+2, 2) orbits instead of 3^N states', () => {
  const model = (n: number) => `
protocol Sym
param N = ${n}
node P[N] {
  state v: 0..1 = 0
  on start { choose { v = 0 } or { v = 1 } }
}
invariant T: true
`;
  for (const n of [2, 3, 4, 5]) {
    const full = exploreStates(systemOf(model(n), { symmetry: false }), unlimited);
    const reduced = exploreStates(systemOf(model(n)), unlimited);
    assert.equal(full.stats.states, 3 ** n, `full count for N=${n}`);
    assert.equal(reduced.stats.states, ((n + 2) * (n + 1)) / 2, `orbits for N=${n}`);
    assert.equal(reduced.stats.symmetry, true);
  }
});

test('an invariant violation comes with the shortest path, which replays to a violating state', () => {
  const text = `
protocol Race
message Go
node A { state x: 0..3 = 0
  on start { broadcast Go to B }
  on Go { x += 1 } }
node B[2] { on Go from a { send Go to a } }
invariant AtMostOne: A.x <= 1
`;
  const sys = systemOf(text);
  const r = exploreStates(sys, unlimited);
  const v = r.violations.find((x) => x.property === 'AtMostOne');
  assert.ok(v);
  // start, two deliveries at B, two at A: 5 steps is the shortest way to x = 2.
  assert.equal(v.path.length, 5);
  const { states } = replayPath(sys, v.initial, v.path);
  const last = states[states.length - 1]!;
  assert.equal(last.nodes[0]!.vars[0], 2);
});

test('exploration honours its bounds and says which one stopped it', () => {
  const sys = systemOf(`${pingPong}\ncheck explore { drop up to 1 }\n`);
  assert.equal(exploreStates(sys, { ...unlimited, maxStates: 4 }).status, 'limit-states');
  assert.equal(exploreStates(sys, { ...unlimited, maxDepth: 2 }).status, 'limit-depth');
});

test('a stop signal or a spent time budget ends a long exploration with the statistics so far', () => {
  const big = systemOf(
    `protocol Big\nparam N = 9\nnode P[N] { state v: 0..1 = 0\n on start { choose { v = 0 } or { v = 1 } } }\ninvariant T: true\n`,
    { symmetry: false },
  );
  const stopped = exploreStates(big, { ...unlimited, stop: { stopped: true } });
  assert.equal(stopped.status, 'stopped');
  assert.ok(stopped.stats.states > 0 && stopped.stats.states < 3 ** 9);
  const late = exploreStates(big, { ...unlimited, deadline: 0 });
  assert.equal(late.status, 'limit-time');
});

test('a run that never ends is a violation of `eventually`: the lasso is found and replays to its own start', () => {
  const sys = systemOf(`
protocol PingForever
message Ping
node A {
  state n: 0..1 = 0
  state done: bool = false
  on start { send Ping to B }
  on Ping { n = 1 - n; send Ping to B }
}
node B { on Ping from a { send Ping to a } }
eventually Done: A.done
`);
  const r = exploreStates(sys, unlimited);
  const v = r.violations.find((x) => x.property === 'Done');
  assert.ok(v, 'the cycle is reported');
  assert.equal(v.loopStart, 1);
  assert.equal(v.path.length, 5);
  const { states } = replayPath(sys, v.initial, v.path);
  const words = (i: number) => JSON.stringify(states[i]);
  assert.equal(words(v.loopStart!), words(states.length - 1), 'the cycle returns to where it started');
});

test('an unfair cycle (a message starved forever) is not a violation', () => {
  const r = exploreStates(
    systemOf(`
protocol Unfair
message Go
node A {
  state t: 0..1 = 0
  on start { send Go to B; set timer tick after 1 }
  on timeout tick { t = 1 - t; set timer tick after 1 }
}
node B {
  state got: bool = false
  on Go { got = true }
}
eventually Got: B.got
`),
    unlimited,
  );
  assert.equal(r.status, 'complete');
  assert.deepEqual(r.violations, []);
});

test('a timer fires once per setting: its handler runs with it disarmed', () => {
  const sys = systemOf(`
protocol Once
node A {
  state n: 0..3 = 0
  on start { set timer t after 1 }
  on timeout t { n += 1 }
}
invariant FiresOnce: A.n <= 1
`);
  const r = exploreStates(sys, unlimited);
  assert.deepEqual(r.violations, []);
  assert.equal(r.stats.states, 3);
});

test('a scripted fault that is due is not optional: the run is not over until it happens', async () => {
  const { runCheck } = await import('../../engine/run-check.js');
  const { modelOf, runOptions } = await import('../support/analyze.js');
  const model = modelOf(`
protocol Scripted
message Ping
node A {
  state sent: bool = false
  on start { sent = true; send Ping to B }
}
node B {
  state got: bool = false
  on Ping { got = true }
}
eventually Delivered: crashed(B) or B.got
scenario S { crash A when A.sent; expect Delivered holds }
`);
  const report = runCheck(model, model.scenarios[0]!, runOptions);
  assert.equal(report.ok, true, JSON.stringify(report.verdicts.map((v) => [v.property, v.outcome])));
  assert.deepEqual(report.unfired, []);
});

test('in a sync network no time passes before every node has started', () => {
  const sys = systemOf(`
protocol SyncStart
network sync(1)
node A {
  state early: bool = false
  on start { set timer t after 1 }
  on timeout t { early = true }
}
node B {
  state started: bool = false
  on start { started = true }
}
invariant StartsFirst: A.early implies B.started
`);
  assert.deepEqual(exploreStates(sys, unlimited).violations, []);
});

test('an initial value outside its declared type is an error at the initial value', () => {
  const text = `
protocol Init
param N = 3
message Ping
node A[N] {
  state x: 0..2 = N
  on start { broadcast Ping to A }
  on Ping { }
}
invariant Small: true
`;
  const model = modelOf(text);
  const result = compileSystem(model, null);
  assert.equal(result.value, null);
  assert.deepEqual(
    result.diagnostics.map((d) => [d.code, d.message, text.slice(d.span.start, d.span.end)]),
    [['FTP407', 'the initial value of A.x is 3, outside its type (0..2)', 'N']],
  );
  // With N = 2 it fits.
  assert.ok(compileSystem(model, null, { params: new Map([['N', 2]]) }).value);
});

test('a memory budget stops the search cleanly, with its partial coverage and the deepest level completed', async () => {
  const { readFileSync } = await import('node:fs');
  const { join } = await import('node:path');
  const { repoRoot } = await import('../support/repo.js');
  const text = readFileSync(join(repoRoot(), 'bench/models/two-phase-commit.ftp'), 'utf8');
  // 3,273,545 states in all at N = 6: far more than the budget holds.
  const sys = systemOf(text, { params: new Map([['N', 6]]), symmetry: false });
  const used = () => {
    const m = process.memoryUsage();
    return m.heapUsed + m.arrayBuffers;
  };
  const budget = used() + 24 * 1024 * 1024;
  const r = exploreStates(sys, { ...unlimited, maxStates: 50_000_000, maxMemoryBytes: budget, memoryUsed: used });
  assert.equal(r.status, 'limit-memory');
  assert.ok(r.stats.states > 10_000 && r.stats.states < 3_273_545, `${r.stats.states} states`);
  assert.ok(r.stats.depth > 0 && r.stats.depth < 20);
  // Checked every 1,024 expansions: the overshoot is one batch of successors, not the model.
  assert.ok(used() < budget + 32 * 1024 * 1024, `${Math.round(used() / 2 ** 20)} MB used`);
});
