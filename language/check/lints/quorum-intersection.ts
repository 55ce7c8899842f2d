import { diagnostic, type Diagnostic } from '../../diagnostic.js';
import type { QuorumInfo } from '../model.js';
import type { LintInput } from './lint.js';

/**
 * FTP306: quorums of one role that need not intersect, with default params.
 * A read quorum Qr and a write quorum Qw must overlap (Qr + Qw > N), and two
 * write quorums must too (2·Qw > N), or a read may miss the last write.
 */
export function lintQuorumIntersection({ model }: LintInput): Diagnostic[] {
  const out: Diagnostic[] = [];
  const byRole = new Map<string, QuorumInfo[]>();
  for (const quorum of model.quorums) {
    const list = byRole.get(quorum.role);
    if (list) list.push(quorum);
    else byRole.set(quorum.role, [quorum]);
  }
  for (const [roleName, quorums] of byRole) {
    const role = model.roleByName.get(roleName);
    if (role === undefined || !Number.isFinite(role.count)) continue;
    const n = role.count;
    const writes = quorums.filter((q) => q.access === 'write' && Number.isFinite(q.size));
    const reads = quorums.filter((q) => q.access === 'read' && Number.isFinite(q.size));
    for (const read of reads) {
      for (const write of writes) {
        const sum = read.size + write.size;
        if (sum > n) continue;
        out.push(
          diagnostic(
            'FTP306',
            'warning',
            `${read.name} + ${write.name} = ${read.size} + ${write.size} = ${sum} <= N = ${n}: a read quorum and a write quorum of ${roleName} need not intersect, so a read may miss the last write`,
            read.decl.name.span,
            [{ span: write.decl.name.span, message: `write quorum ${write.name} = ${write.size}` }],
          ),
        );
      }
    }
    for (const write of writes) {
      if (2 * write.size > n) continue;
      out.push(
        diagnostic(
          'FTP306',
          'warning',
          `2·${write.name} = 2·${write.size} = ${2 * write.size} <= N = ${n}: two write quorums of ${roleName} need not intersect, so two writes may miss each other`,
          write.decl.name.span,
        ),
      );
    }
  }
  return out;
}
