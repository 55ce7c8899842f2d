import type { CheckedModel, Type } from '../language/check/model.js';
import { walkAst } from '../language/walk.js';
import type { RunSource } from './system.js';

/**
 * The replicated roles whose nodes nothing in the model tells apart, so states
 * that differ only by a permutation of those nodes are equivalent. A role loses
 * its symmetry when it is indexed (`Participant[1]`), its ids are ordered
 * (`p < q`, `min`, `max`, `index(p)`), a scenario names one of its nodes, or a
 * crash may cut a broadcast to it (`crash ... while sending`).
 */
export function findSymmetricRoles(model: CheckedModel, source: RunSource): Set<string> {
  const symmetric = new Set(model.roles.filter((r) => r.replicated).map((r) => r.name));
  const breakType = (t: Type | undefined) => {
    if (!t) return;
    if (t.kind === 'node') {
      if (t.role === null) symmetric.clear();
      else symmetric.delete(t.role);
    } else if (t.kind === 'set' || t.kind === 'seq') breakType(t.element);
    else if (t.kind === 'map') {
      breakType(t.key);
      breakType(t.value);
    }
  };
  // Other checks and scenarios of the file do not constrain this run.
  const decls = model.file.decls.filter((d) => d.kind !== 'ScenarioDecl' && d.kind !== 'CheckDecl');
  const roots = source ? [...decls, source] : decls;
  // A crash while sending cuts a broadcast after a prefix of its receivers, and
  // receivers come in id order: the replicas a broadcast reaches are then told apart.
  let whileSending = false;
  if (source) walkAst(source, (node) => void (node.kind === 'CrashBudget' && node.whileSending && (whileSending = true)));
  for (const root of roots) {
    walkAst(root, (node) => {
      switch (node.kind) {
        case 'IndexExpr':
          if (node.target.kind === 'NameExpr' && model.refs.get(node.target)?.kind === 'role') symmetric.delete(node.target.name);
          break;
        case 'CallExpr':
          if (node.callee.name === 'index' || node.callee.name === 'min' || node.callee.name === 'max') {
            for (const a of node.args) breakType(model.types.get(a));
          }
          break;
        case 'BinaryExpr':
          if (node.op === '<' || node.op === '<=' || node.op === '>' || node.op === '>=') {
            breakType(model.types.get(node.left));
            breakType(model.types.get(node.right));
          }
          break;
        case 'BroadcastStmt':
          if (whileSending) breakType(model.types.get(node.to));
          break;
        case 'ScriptedCrash':
        case 'ScriptedRecover':
        case 'ScriptedByzantine':
        case 'ScriptedDrop':
        case 'ScriptedPartition':
          symmetric.clear();
          break;
        default:
          break;
      }
    });
  }
  return symmetric;
}
