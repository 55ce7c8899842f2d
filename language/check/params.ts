import type * as ast from '../ast.js';
import { checkConstInt } from './constants.js';
import { error, muted, type Checker } from './context.js';
import { lookupRole } from './lookups.js';

/**
 * The file's constants: param values (over earlier params), node counts and
 * quorum sizes (over params), and the `sync(delta)` bound. Fills `c.env`, the
 * default values that ranges and lints evaluate with.
 */
export function checkParams(c: Checker): void {
  c.items.params.forEach((param, position) => {
    const value = checkConstInt(c, param.decl.value, `the value of param '${param.name}'`, { paramLimit: position, allowQuorums: false });
    param.value = value;
    if (c.model.paramByName.get(param.name) === param) c.env.set(param.name, value);
  });
}

export function checkRoleCounts(c: Checker): void {
  for (const role of c.items.roles) {
    if (role.decl.count === null) continue;
    role.count = checkConstInt(c, role.decl.count, `the node count of ${role.name || 'a role'}`, { allowQuorums: false, min: 1 });
  }
}

export function checkQuorums(c: Checker): void {
  for (const quorum of c.items.quorums) {
    const role = lookupRole(c, quorum.decl.role);
    quorum.size = checkConstInt(c, quorum.decl.size, `the size of quorum '${quorum.name}'`, { allowQuorums: false, min: 1 });
    if (role !== null && quorum.size > role.count) {
      error(c, 'FTP208', `quorum '${quorum.name}' of ${quorum.size} can never be met: ${role.name} has only ${role.count} node${role.count === 1 ? '' : 's'}`, quorum.decl.size.span);
    }
  }
  for (const quorum of c.model.quorums) c.env.set(quorum.name, quorum.size);
}

export function checkNetwork(c: Checker, file: ast.ProtocolFile): void {
  for (const decl of file.decls) {
    if (decl.kind !== 'NetworkDecl') continue;
    if (decl === c.model.network.decl) checkNetworkBound(c, decl);
    else if (decl.delta) muted(c, () => checkConstInt(c, decl.delta!, 'the delivery bound of sync(delta)'));
  }
}

function checkNetworkBound(c: Checker, decl: ast.NetworkDecl): void {
  if (decl.timing !== 'sync') {
    if (decl.delta) checkConstInt(c, decl.delta, 'the delivery bound of sync(delta)');
    return;
  }
  if (decl.delta === null) {
    error(c, 'FTP216', 'a sync network needs a delivery bound: sync(delta) with delta >= 1', decl.span);
    return;
  }
  const before = c.diagnostics.length;
  const delta = checkConstInt(c, decl.delta, 'the delivery bound of sync(delta)');
  if (c.diagnostics.length === before && delta < 1) {
    error(c, 'FTP216', `a sync network needs a delivery bound of at least 1 tick, not ${delta}`, decl.delta.span);
  }
}
