import type * as ast from '../../ast.js';
import { diagnostic, type Diagnostic } from '../../diagnostic.js';
import { blockOverrides, evalConst, roleCount, type ConstEnv } from '../const-eval.js';
import type { CheckedModel, QuorumInfo } from '../model.js';
import { envOf, runBlocks, type LintInput } from './lint.js';

/**
 * FTP306: quorums of one role that need not intersect. A read quorum Qr and a
 * write quorum Qw must overlap (Qr + Qw > N), and two write quorums must too
 * (2·Qw > N), or a read may miss the last write. Checked with the default params
 * (on the quorum declarations) and again for every check or scenario whose `with`
 * overrides change the arithmetic (on its `with`).
 */
export function lintQuorumIntersection(input: LintInput): Diagnostic[] {
  const { model } = input;
  const out: Diagnostic[] = [];
  const defaults = new Map<string, number>();
  for (const p of model.params) defaults.set(p.name, p.value);
  for (const q of model.quorums) defaults.set(q.name, q.size);
  const defaultProblems = problems(model, defaults, null);
  for (const p of defaultProblems) out.push(diagnostic('FTP306', 'warning', p.message, p.at, p.related));
  for (const block of runBlocks(model)) {
    if (blockOverrides(model, block).size === 0) continue;
    const withSpan = block.items.find((i): i is ast.ParamOverride => i.kind === 'ParamOverride')?.span ?? block.span;
    const seen = new Set(defaultProblems.map((p) => p.message));
    for (const p of problems(model, envOf(input, block), block)) {
      if (seen.has(p.message)) continue;
      out.push(diagnostic('FTP306', 'warning', `${runName(block)}: ${p.message}`, withSpan, [{ span: p.at, message: 'the quorum' }, ...p.related]));
    }
  }
  return out;
}

interface Problem {
  message: string;
  at: ast.Ident['span'];
  related: { span: ast.Ident['span']; message: string }[];
}

function runName(block: ast.ScenarioDecl | ast.CheckDecl): string {
  return block.kind === 'ScenarioDecl' ? `in scenario ${block.name.name}` : `in check ${block.name?.name ?? block.mode}`;
}

function problems(model: CheckedModel, env: ConstEnv, block: ast.ScenarioDecl | ast.CheckDecl | null): Problem[] {
  const out: Problem[] = [];
  const byRole = new Map<string, QuorumInfo[]>();
  for (const quorum of model.quorums) {
    const list = byRole.get(quorum.role);
    if (list) list.push(quorum);
    else byRole.set(quorum.role, [quorum]);
  }
  const sizeOf = (q: QuorumInfo) => (block === null ? q.size : (env.get(q.name) ?? evalConst(q.decl.size, env)));
  for (const [roleName, quorums] of byRole) {
    const role = model.roleByName.get(roleName);
    if (role === undefined) continue;
    const n = block === null ? role.count : roleCount(role, env);
    if (!Number.isFinite(n)) continue;
    const sized = quorums.map((q) => ({ q, size: sizeOf(q) })).filter((x) => Number.isFinite(x.size));
    const writes = sized.filter((x) => x.q.access === 'write');
    const reads = sized.filter((x) => x.q.access === 'read');
    for (const read of reads) {
      for (const write of writes) {
        const sum = read.size + write.size;
        if (sum > n) continue;
        out.push({
          message: `${read.q.name} + ${write.q.name} = ${read.size} + ${write.size} = ${sum} <= N = ${n}: a read quorum and a write quorum of ${roleName} need not intersect, so a read may miss the last write`,
          at: read.q.decl.name.span,
          related: [{ span: write.q.decl.name.span, message: `write quorum ${write.q.name} = ${write.size}` }],
        });
      }
    }
    for (const write of writes) {
      if (2 * write.size > n) continue;
      out.push({
        message: `2·${write.q.name} = 2·${write.size} = ${2 * write.size} <= N = ${n}: two write quorums of ${roleName} need not intersect, so two writes may miss each other`,
        at: write.q.decl.name.span,
        related: [],
      });
    }
  }
  return out;
}
