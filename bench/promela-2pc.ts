/**
 * Writes the Promela twin of bench/models/two-phase-commit.ftp for N participants.
 * The network is kept as per-(message, channel) counters, which is exactly the
 * unordered multiset our explorer keeps, and every handler is one d_step, so a
 * Spin state corresponds to one of our global states.
 */
export function promelaTwoPhaseCommit(n: number): string {
  const lines: string[] = [];
  const p = (s: string) => lines.push(s);
  p(`/* two-phase commit, ${n} participants, 1 coordinator crash, 1 drop (generated) */`);
  p('#define INIT 0');
  p('#define WAIT 1');
  p('#define COMMIT 2');
  p('#define ABORT 3');
  p('#define READY 4');
  p('byte cphase = INIT; byte yes = 0; bit cup = 1; bit cstarted = 0;');
  p(`byte pphase[${n}];`);
  p(`byte req[${n}]; byte vote[${2 * n}]; byte dec[${2 * n}];`);
  p('bit crashUsed = 0; bit dropUsed = 0;');
  const inv =
    '!(' +
    Array.from({ length: n }, (_, i) => `pphase[${i}] == COMMIT`).join(' || ') +
    ') || !(' +
    Array.from({ length: n }, (_, i) => `pphase[${i}] == ABORT`).join(' || ') +
    ')';
  const check = `assert(${inv})`;
  p('init {');
  p('end: do');
  // Coordinator start: broadcast VoteRequest (participants never crash).
  p(`:: d_step { cup && !cstarted -> ${Array.from({ length: n }, (_, i) => `req[${i}]++;`).join(' ')} cphase = WAIT; cstarted = 1; ${check} }`);
  for (let i = 0; i < n; i++) {
    // VoteRequest at participant i: vote either way; the vote is lost if the coordinator is down.
    p(`:: d_step { req[${i}] > 0 -> req[${i}]--; pphase[${i}] = READY; if :: cup -> vote[${2 * i + 1}]++ :: else -> skip fi; ${check} }`);
    p(`:: d_step { req[${i}] > 0 -> req[${i}]--; pphase[${i}] = ABORT; if :: cup -> vote[${2 * i}]++ :: else -> skip fi; ${check} }`);
    // Votes at the coordinator.
    const commitAll = Array.from({ length: n }, (_, j) => `dec[${2 * j + 1}]++;`).join(' ');
    const abortAll = Array.from({ length: n }, (_, j) => `dec[${2 * j}]++;`).join(' ');
    p(`:: d_step { cup && cstarted && cphase == WAIT && vote[${2 * i + 1}] > 0 -> vote[${2 * i + 1}]--; yes++; if :: yes == ${n} -> cphase = COMMIT; ${commitAll} :: else -> skip fi; ${check} }`);
    p(`:: d_step { cup && cstarted && cphase == WAIT && vote[${2 * i}] > 0 -> vote[${2 * i}]--; cphase = ABORT; ${abortAll} ${check} }`);
    // Decisions at participant i.
    p(`:: d_step { dec[${2 * i + 1}] > 0 -> dec[${2 * i + 1}]--; pphase[${i}] = COMMIT; ${check} }`);
    p(`:: d_step { dec[${2 * i}] > 0 -> dec[${2 * i}]--; pphase[${i}] = ABORT; ${check} }`);
  }
  // Coordinator crash: volatile state reset, messages to it lost.
  p(`:: d_step { cup && !crashUsed -> cup = 0; crashUsed = 1; cphase = INIT; yes = 0; ${Array.from({ length: 2 * n }, (_, k) => `vote[${k}] = 0;`).join(' ')} }`);
  // One drop of any message in flight.
  const counters = [
    ...Array.from({ length: n }, (_, i) => `req[${i}]`),
    ...Array.from({ length: 2 * n }, (_, k) => `vote[${k}]`),
    ...Array.from({ length: 2 * n }, (_, k) => `dec[${k}]`),
  ];
  for (const c of counters) p(`:: d_step { !dropUsed && ${c} > 0 -> ${c}--; dropUsed = 1 }`);
  p('od');
  p('}');
  return `${lines.join('\n')}\n`;
}
