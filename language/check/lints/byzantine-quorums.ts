import { diagnostic, type Diagnostic } from '../../diagnostic.js';
import { evalConst, roleCount, type ConstEnv } from '../const-eval.js';
import type { QuorumInfo } from '../model.js';
import { envOf, runBlocks, type LintInput } from './lint.js';

/**
 * FTP307: under `byzantine up to f of R`, quorums of R must intersect in at least
 * f+1 nodes, so the overlap holds a correct node: Qr + Qw - N >= f+1 and
 * 2·Qw - N >= f+1, evaluated with the block's overrides.
 */
export function lintByzantineQuorums(input: LintInput): Diagnostic[] {
  const { model } = input;
  const out: Diagnostic[] = [];
  const quorumsOf = new Map<string, QuorumInfo[]>();
  for (const quorum of model.quorums) {
    const list = quorumsOf.get(quorum.role);
    if (list) list.push(quorum);
    else quorumsOf.set(quorum.role, [quorum]);
  }
  for (const block of runBlocks(model)) {
    let env: ConstEnv | null = null;
    for (const item of block.items) {
      if (item.kind !== 'ByzantineBudget' || item.role === null) continue;
      const role = model.roleByName.get(item.role.name);
      if (role === undefined) continue;
      const quorums = quorumsOf.get(role.name);
      if (quorums === undefined) continue;
      env ??= envOf(input, block);
      const f = evalConst(item.limit, env);
      const n = roleCount(role, env);
      if (!Number.isFinite(f) || !Number.isFinite(n) || f < 1) continue;
      const sized = quorums.map((q) => ({ q, size: evalConst(q.decl.size, env!) })).filter((s) => Number.isFinite(s.size));
      const writes = sized.filter((s) => s.q.access === 'write');
      const reads = sized.filter((s) => s.q.access === 'read');
      const need = `f+1 = ${f + 1}`;
      for (const read of reads) {
        for (const write of writes) {
          const overlap = read.size + write.size - n;
          if (overlap >= f + 1) continue;
          out.push(
            diagnostic(
              'FTP307',
              'warning',
              `with f = ${f} Byzantine ${role.name}, ${read.q.name} + ${write.q.name} - N = ${read.size} + ${write.size} - ${n} = ${overlap} < ${need}: a read and a write may overlap only in Byzantine nodes`,
              item.span,
              [
                { span: read.q.decl.name.span, message: `read quorum ${read.q.name} = ${read.size}` },
                { span: write.q.decl.name.span, message: `write quorum ${write.q.name} = ${write.size}` },
              ],
            ),
          );
        }
      }
      for (const write of writes) {
        const overlap = 2 * write.size - n;
        if (overlap >= f + 1) continue;
        out.push(
          diagnostic(
            'FTP307',
            'warning',
            `with f = ${f} Byzantine ${role.name}, 2·${write.q.name} - N = 2·${write.size} - ${n} = ${overlap} < ${need}: two writes may overlap only in Byzantine nodes`,
            item.span,
            [{ span: write.q.decl.name.span, message: `write quorum ${write.q.name} = ${write.size}` }],
          ),
        );
      }
    }
  }
  return out;
}
