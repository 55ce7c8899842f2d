import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { StateMachine } from '../../render/state-machine.js';
import { stateMachines, stateMachineToMermaid } from '../../render/state-machine.js';
import { modelOf } from '../support/analyze.js';
import { sampleText } from '../support/samples.js';

/** `from -> to [triggers]`, one per transition, for readable assertions. */
function edges(m: StateMachine): string[] {
  return m.transitions.map((t) => `${t.from} -> ${t.to} [${t.triggers.join('; ')}]`);
}

function machine(text: string, role: string, variable: string): StateMachine {
  const m = stateMachines(modelOf(text)).find((x) => x.role === role && x.variable === variable);
  assert.ok(m, `no state machine for ${role}.${variable}`);
  return m;
}

const protocol = `protocol T
message Go
message Stop
node A {
  state phase: IDLE | RUN | DONE = IDLE
  stable state mode: FAST | SLOW
  state n: 0..3 = 0
  on start { phase = RUN  set timer t after 1  send Go to B }
  on Go when phase == RUN { if n == 2 { phase = DONE } else { n += 1 } }
  on Stop when phase != DONE { phase = IDLE }
  on timeout t when phase in {RUN, DONE} { choose { phase = IDLE } or { mode = SLOW } }
  on recover { phase = if n == 0 then RUN else DONE  mode = FAST }
}
node B {
  on Go from a { send Stop to a  send Go to a }
}
`;

test('transitions come from assignments, their sources from guards and enclosing conditions', () => {
  const m = machine(protocol, 'A', 'phase');
  assert.deepEqual(m.states, ['IDLE', 'RUN', 'DONE']);
  assert.deepEqual(m.initial, ['IDLE']);
  assert.deepEqual(edges(m), [
    // `start` runs in the initial state only; it sends Go.
    'IDLE -> RUN [start / Go; recover]',
    // A volatile variable is re-initialised before `recover` runs.
    'IDLE -> DONE [recover]',
    'RUN -> IDLE [Stop; timeout t]',
    // `phase == RUN` guard, then `n == 2` says nothing about phase.
    'RUN -> DONE [Go]',
    // `phase in {RUN, DONE}`, and `!= DONE` excludes DONE for Stop.
    'DONE -> IDLE [timeout t]',
  ]);
  assert.deepEqual(m.transitions[0]!.handlers.length, 2);
});

test('a stable variable keeps its phase across recovery; a variable without an initialiser starts at its first label', () => {
  const m = machine(protocol, 'A', 'mode');
  assert.deepEqual(m.initial, ['FAST']);
  assert.deepEqual(edges(m), ['FAST -> SLOW [timeout t]', 'SLOW -> FAST [recover]']);
});

test('the 2PC participant is the textbook figure', () => {
  const m = machine(sampleText('two-phase-commit'), 'Participant', 'phase');
  const e = edges(m);
  assert.ok(e.some((x) => x.startsWith('INIT -> READY [VoteRequest / Vote')), e.join('\n'));
  assert.ok(e.some((x) => x.startsWith('READY -> COMMIT [Decision')), e.join('\n'));
  assert.ok(e.some((x) => x.startsWith('READY -> ABORT [Decision')), e.join('\n'));
  // Nothing leaves a decision.
  assert.ok(!e.some((x) => x.startsWith('COMMIT ->') || x.startsWith('ABORT ->')), e.join('\n'));
  const c = machine(sampleText('two-phase-commit'), 'Coordinator', 'phase');
  assert.ok(edges(c).some((x) => x.startsWith('INIT -> WAIT [start')));
  assert.ok(!edges(c).some((x) => x.startsWith('COMMIT -> WAIT') || x.startsWith('ABORT -> WAIT')), 'start runs only from the initial phase');
});

test('every enum state of every sample gets a machine whose transitions use its own labels', () => {
  for (const name of ['two-phase-commit', 'three-phase-commit', 'byzantine-generals', 'primary-backup']) {
    for (const m of stateMachines(modelOf(sampleText(name)))) {
      for (const t of m.transitions) {
        assert.ok(m.states.includes(t.from) && m.states.includes(t.to) && t.from !== t.to, `${name} ${m.role}.${m.variable}: ${t.from} -> ${t.to}`);
        assert.ok(t.triggers.length > 0 && t.handlers.length > 0);
      }
      for (const s of m.initial) assert.ok(m.states.includes(s));
    }
  }
});

test('the Mermaid state diagram uses generated ids and escapes every label', () => {
  const m: StateMachine = {
    role: 'R',
    variable: 'v',
    states: ['end', 'state', '<b>x</b>'],
    initial: ['end'],
    transitions: [{ from: 'end', to: '<b>x</b>', triggers: ['Msg / A; B', '%%{init}%%'], handlers: [{ start: 0, end: 1 }] }],
  };
  const text = stateMachineToMermaid(m);
  assert.equal(
    text,
    [
      'stateDiagram-v2',
      '  state "end" as s0',
      '  state "state" as s1',
      '  state "#60;b#62;x#60;/b#62;" as s2',
      '  [*] --> s0',
      '  s0 --> s2: Msg / A#59; B#59; #37;#37;#123;init#125;#37;#37;',
      '',
    ].join('\n'),
  );
});
