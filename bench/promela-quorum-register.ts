/**
 * Writes the Promela twin of bench/models/quorum-register.ftp for N replicas
 * (majority quorums, one replica crash, one drop). As in promela-2pc.ts every
 * handler alternative is one d_step of a single `init` loop and the network is
 * one counter per (message, replica[, fields]), which is our unordered multiset
 * of messages in flight; so a Spin state is one of ours.
 *
 * Writes are always Write(1, 1); a ReadReply's (version, value) is counter
 * 2 * version + value of its replica.
 */

/** The d_steps the generator writes for N replicas, by kind: what a test can count without Spin. */
export function quorumDsteps(n: number): { start: number; write: number; writeAck: number; go: number; read: number; readReply: number; crash: number; drop: number } {
  const counters = n /* Write */ + n /* WriteAck */ + 1 /* Go */ + n /* Read */ + 4 * n; /* ReadReply */
  return { start: 1, write: n, writeAck: n, go: 1, read: n, readReply: 4 * n, crash: n, drop: counters };
}

export function promelaQuorumRegister(n: number): string {
  const q = Math.floor(n / 2) + 1;
  const lines: string[] = [];
  const p = (s: string) => lines.push(s);
  const range = (k: number) => Array.from({ length: k }, (_, i) => i);
  const sum = (arr: string) => `(${range(n).map((r) => `${arr}[${r}]`).join(' + ')})`;
  p(`/* quorum register, ${n} replicas, quorums of ${q}, 1 replica crash, 1 drop (generated) */`);
  // Writer: started, acks (a set of replicas, one bit each).
  p(`bit wstarted = 0; bit acks[${n}];`);
  // Replicas: up (only they may crash) and their stable (version, value).
  p(`bit up[${n}] = 1; bit version[${n}]; bit value[${n}];`);
  // Reader: the replies it counted and the best pair among them; its decision.
  p(`bit replies[${n}]; bit bestVersion = 0; bit bestValue = 0; bit decided = 0; bit decision = 0;`);
  p(`byte write[${n}]; byte writeAck[${n}]; byte go = 0; byte read[${n}]; byte readReply[${4 * n}];`);
  p('bit crashUsed = 0; bit dropUsed = 0;');
  const check = 'assert(!decided || decision == 1)';
  const ackCount = sum('acks');
  const replyCount = sum('replies');
  p('init {');
  p('end: do');
  // Writer start: Write(1, 1) to every replica; one to a crashed replica is lost.
  p(`:: d_step { !wstarted -> ${range(n).map((r) => `if :: up[${r}] -> write[${r}]++ :: else -> skip fi;`).join(' ')} wstarted = 1; ${check} }`);
  for (let r = 0; r < n; r++) {
    // Replica r takes the write (its version is newer than anything stored) and acknowledges it.
    p(`:: d_step { up[${r}] && write[${r}] > 0 -> write[${r}]--; if :: version[${r}] < 1 -> version[${r}] = 1; value[${r}] = 1 :: else -> skip fi; writeAck[${r}]++; ${check} }`);
    // The writer counts acknowledgements up to its quorum, then tells the reader to go.
    p(
      `:: d_step { wstarted && writeAck[${r}] > 0 -> writeAck[${r}]--; ` +
        `if :: ${ackCount} < ${q} -> acks[${r}] = 1; if :: ${ackCount} == ${q} -> go++ :: else -> skip fi :: else -> skip fi; ${check} }`,
    );
    // Replica r answers a read with its pair.
    p(`:: d_step { up[${r}] && read[${r}] > 0 -> read[${r}]--; readReply[${4 * r} + 2 * version[${r}] + value[${r}]]++; ${check} }`);
    // The reader takes replies up to its quorum, keeps the newest pair, then decides.
    for (const ver of [0, 1]) {
      for (const val of [0, 1]) {
        const c = `readReply[${4 * r + 2 * ver + val}]`;
        const newer = ver > 0 ? `if :: bestVersion < ${ver} -> bestVersion = ${ver}; bestValue = ${val} :: else -> skip fi; ` : '';
        p(
          `:: d_step { ${c} > 0 -> ${c}--; ` +
            `if :: ${replyCount} < ${q} -> replies[${r}] = 1; ${newer}if :: ${replyCount} == ${q} -> decided = 1; decision = bestValue :: else -> skip fi :: else -> skip fi; ${check} }`,
        );
      }
    }
  }
  // Go at the reader: Read to every replica; one to a crashed replica is lost.
  p(`:: d_step { go > 0 -> go--; ${range(n).map((r) => `if :: up[${r}] -> read[${r}]++ :: else -> skip fi;`).join(' ')} ${check} }`);
  // A replica crash: its pair is on disk; the messages to it are lost.
  for (let r = 0; r < n; r++) p(`:: d_step { up[${r}] && !crashUsed -> up[${r}] = 0; crashUsed = 1; write[${r}] = 0; read[${r}] = 0 }`);
  // One drop of any message in flight.
  const counters = [
    ...range(n).map((r) => `write[${r}]`),
    ...range(n).map((r) => `writeAck[${r}]`),
    'go',
    ...range(n).map((r) => `read[${r}]`),
    ...range(4 * n).map((k) => `readReply[${k}]`),
  ];
  for (const c of counters) p(`:: d_step { !dropUsed && ${c} > 0 -> ${c}--; dropUsed = 1 }`);
  p('od');
  p('}');
  return `${lines.join('\n')}\n`;
}
