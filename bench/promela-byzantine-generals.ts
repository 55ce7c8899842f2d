/**
 * Writes the Promela twin of bench/models/byzantine-generals.ftp for N generals
 * (one commander, N - 1 lieutenants, at most one traitor). As in promela-2pc.ts
 * every handler alternative is one d_step of a single `init` loop and the
 * network is one counter per (message, sender, receiver, order), which is our
 * unordered multiset of messages in flight; so a Spin state is one of ours.
 *
 * Node ids are ours: the commander is 0, lieutenant i (0-based here) is i + 1.
 * Orders are label positions: ATTACK 0, RETREAT 1.
 */

/** The d_steps the generator writes for N generals, by kind: what a test can count without Spin. */
export function byzantineDsteps(n: number): { initial: number; commanderStart: number; lieutenantStart: number; command: number; relay: number; timeout: number } {
  const l = n - 1;
  return {
    // Every (traitor or none, commander's order) but the one Spin starts in.
    initial: 2 * (n + 1) - 1,
    // Loyal: one broadcast; a traitor: silent, ATTACK or RETREAT to each lieutenant.
    commanderStart: 1 + 3 ** l,
    lieutenantStart: l,
    // Per lieutenant and order: loyal relays once; a traitor picks per other lieutenant.
    command: l * 2 * (1 + 3 ** (l - 1)),
    relay: l * (l - 1) * 2,
    timeout: l,
  };
}

/** Every way a traitor may send one message to each of `count` receivers: -1 silent, else the order. */
function lies(count: number): number[][] {
  let out: number[][] = [[]];
  for (let k = 0; k < count; k++) out = out.flatMap((prefix) => [-1, 0, 1].map((o) => [...prefix, o]));
  return out;
}

export function promelaByzantineGenerals(n: number): string {
  if (n < 3) throw new Error('OM(1) needs a commander and at least two lieutenants');
  const l = n - 1;
  const lines: string[] = [];
  const p = (s: string) => lines.push(s);
  const range = (k: number) => Array.from({ length: k }, (_, i) => i);
  const cmd = (i: number, o: number) => `cmd[${2 * i + o}]`;
  const relay = (from: number, to: number, o: number) => `relay[${2 * (from * l + to) + o}]`;
  p(`/* Byzantine generals OM(1), ${n} generals, at most one traitor (generated) */`);
  p('#define ATTACK 0');
  p('#define RETREAT 1');
  p('#define NONE 255');
  // The commander's order and the traitor are chosen in the initial state; Spin starts in
  // the loyal-ATTACK one and jumps from there to the others (see below).
  p('byte order = ATTACK; byte byz = NONE; bit cstarted = 0;');
  p(`bit lstarted[${l}]; bit heard[${l}]; byte fromCmd[${l}] = RETREAT; byte relays[${l}]; byte attacks[${l}];`);
  p(`bit timer[${l}]; bit decided[${l}]; byte decision[${l}];`);
  p(`byte cmd[${2 * l}]; byte relay[${2 * l * l}];`);
  const loyal = (i: number) => `byz != ${i + 1}`;
  const agreement = range(l).flatMap((a) =>
    range(l)
      .filter((b) => b > a)
      .map((b) => `(!(${loyal(a)} && ${loyal(b)} && decided[${a}] && decided[${b}]) || decision[${a}] == decision[${b}])`),
  );
  const validity = `(byz == 0 || (${range(l).map((a) => `(!(${loyal(a)} && decided[${a}]) || decision[${a}] == order)`).join(' && ')}))`;
  const check = `assert(${[...agreement, validity].join(' && ')})`;
  p('init {');
  p('end: do');
  // Our explorer starts in every combination of order and traitor. Those states are the
  // only ones where nobody has started, so jumps guarded by that reach exactly them.
  const fresh = ['!cstarted', ...range(l).map((i) => `!lstarted[${i}]`), 'byz == NONE', 'order == ATTACK'].join(' && ');
  for (const traitor of [-1, ...range(n)]) {
    for (const order of [0, 1]) {
      if (traitor < 0 && order === 0) continue;
      p(`:: d_step { ${fresh} -> byz = ${traitor < 0 ? 'NONE' : traitor}; order = ${order} }`);
    }
  }
  // Commander start: a loyal commander sends its order to every lieutenant.
  p(`:: d_step { !cstarted && byz != 0 -> ${range(l).map((i) => `if :: order == ATTACK -> ${cmd(i, 0)}++ :: else -> ${cmd(i, 1)}++ fi;`).join(' ')} cstarted = 1; ${check} }`);
  for (const choice of lies(l)) {
    const sends = choice.flatMap((o, i) => (o < 0 ? [] : [`${cmd(i, o)}++;`])).join(' ');
    p(`:: d_step { !cstarted && byz == 0 -> ${sends} cstarted = 1; ${check} }`);
  }
  for (let i = 0; i < l; i++) {
    p(`:: d_step { !lstarted[${i}] -> lstarted[${i}] = 1; timer[${i}] = 1; ${check} }`);
    const others = range(l).filter((j) => j !== i);
    for (const o of [0, 1]) {
      const receive = `lstarted[${i}] && ${cmd(i, o)} > 0 -> ${cmd(i, o)}--; heard[${i}] = 1; fromCmd[${i}] = ${o};`;
      p(`:: d_step { ${loyal(i)} && ${receive} ${others.map((j) => `${relay(i, j, o)}++;`).join(' ')} ${check} }`);
      // A traitor lieutenant relays anything, or nothing, to each other lieutenant.
      for (const choice of lies(l - 1)) {
        const sends = choice.flatMap((v, k) => (v < 0 ? [] : [`${relay(i, others[k]!, v)}++;`])).join(' ');
        p(`:: d_step { byz == ${i + 1} && ${receive} ${sends} ${check} }`);
      }
    }
    for (const j of others) {
      for (const o of [0, 1]) {
        p(`:: d_step { lstarted[${i}] && ${relay(j, i, o)} > 0 -> ${relay(j, i, o)}--; relays[${i}]++;${o === 0 ? ` attacks[${i}]++;` : ''} ${check} }`);
      }
    }
    // The majority of the commander's order and the relays, RETREAT on a tie.
    const votes = `(attacks[${i}] + (fromCmd[${i}] == ATTACK -> 1 : 0))`;
    p(
      `:: d_step { timer[${i}] && heard[${i}] && relays[${i}] == ${n - 2} && !decided[${i}] -> timer[${i}] = 0; decided[${i}] = 1; ` +
        `if :: 2 * ${votes} > ${n - 1} -> decision[${i}] = ATTACK :: else -> decision[${i}] = RETREAT fi; ${check} }`,
    );
  }
  p('od');
  p('}');
  return `${lines.join('\n')}\n`;
}
