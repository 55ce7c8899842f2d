import type * as ast from '../ast.js';
import { addDefinition, makeDefinition, type Checker } from './context.js';
import type { RoleInfo } from './model.js';

/**
 * A syntactic pass over every handler body before typing: which roles send each
 * message (the type of a `from p` binding depends on it) and which timers each
 * role sets (a timer is defined by its first `set timer`).
 */
export function scanHandlers(c: Checker): void {
  for (const role of c.items.roles) {
    const registered = c.model.roleByName.get(role.name) === role;
    const visit = (stmts: readonly ast.Stmt[]): void => {
      for (const stmt of stmts) visitStmt(c, role, registered, stmt, visit);
    };
    for (const handler of role.decl.handlers) visit(handler.body.stmts);
  }
  const roleOrder = new Map(c.model.roles.map((role, i) => [role.name, i]));
  for (const message of c.model.messages) {
    const senders = c.facts.sendersByMessage.get(message.name);
    if (senders === undefined) continue;
    message.senders = [...senders].filter((name) => roleOrder.has(name)).sort((a, b) => roleOrder.get(a)! - roleOrder.get(b)!);
    for (const name of message.senders) {
      const list = c.facts.sentBy.get(name);
      if (list) list.push(message);
      else c.facts.sentBy.set(name, [message]);
    }
  }
}

function visitStmt(c: Checker, role: RoleInfo, registered: boolean, stmt: ast.Stmt, visit: (stmts: readonly ast.Stmt[]) => void): void {
  switch (stmt.kind) {
    case 'SendStmt':
    case 'BroadcastStmt': {
      if (!registered || stmt.message.name === '') return;
      const senders = c.facts.sendersByMessage.get(stmt.message.name);
      if (senders) senders.add(role.name);
      else c.facts.sendersByMessage.set(stmt.message.name, new Set([role.name]));
      return;
    }
    case 'SetTimerStmt': {
      const timers = c.symbols.timers.get(role)!;
      if (stmt.timer.name === '' || timers.has(stmt.timer.name)) return;
      timers.set(stmt.timer.name, addDefinition(c, makeDefinition('timer', stmt.timer, role.name)));
      role.timers.push(stmt.timer.name);
      return;
    }
    case 'IfStmt':
      visit(stmt.then.stmts);
      if (stmt.else) visit(stmt.else.stmts);
      return;
    case 'ChooseStmt':
      for (const branch of stmt.branches) visit(branch.stmts);
      return;
    case 'ChooseValueStmt':
      visit(stmt.body.stmts);
      return;
    default:
      return;
  }
}
