import type * as ast from '../ast.js';
import type { Span } from '../span.js';
import { checkByzantineFields } from './byzantine-fields.js';
import { blockOverrides, evalConst, lazyEnv } from './const-eval.js';
import { checkConstInt } from './constants.js';
import { addReference, error, warn, type Checker } from './context.js';
import { describeKind } from './declarations.js';
import { lookupMessage, lookupProperty, lookupRole } from './lookups.js';
import { checkScriptedFault } from './scripted-faults.js';
import { printExpr } from './print.js';
import { didYouMean } from './suggest.js';

/**
 * `check` and `scenario` blocks: `with` overrides, fault budgets, bounds and
 * expectations (FTP213 for settings out of place or given twice).
 */

const boundModes: Record<ast.BoundSetting['setting'], 'explore' | 'simulate'> = {
  depth: 'explore',
  states: 'explore',
  runs: 'simulate',
  steps: 'simulate',
  seed: 'simulate',
};

const boundMinimum: Record<ast.BoundSetting['setting'], number> = { depth: 1, states: 1, runs: 1, steps: 1, seed: 0 };

function blockName(block: ast.ScenarioDecl | ast.CheckDecl): string {
  if (block.kind === 'ScenarioDecl') return `scenario ${block.name.name}`;
  return block.name ? `check ${block.name.name}` : `this ${block.mode} check`;
}

function budgetKey(budget: ast.FaultBudget): string {
  switch (budget.kind) {
    case 'CrashBudget':
      return `crash ${budget.role?.name ?? '*'} ${budget.recover} ${budget.whileSending}`;
    case 'ByzantineBudget':
      return `byzantine ${budget.role?.name ?? '*'}`;
    case 'DropBudget':
    case 'DuplicateBudget':
    case 'DelayBudget':
      return `${budget.kind} ${budget.message?.name ?? '*'}`;
    case 'PartitionBudget':
      return 'partition';
  }
}

export function checkRunBlocks(c: Checker, file: ast.ProtocolFile): void {
  for (const decl of file.decls) {
    if (decl.kind === 'ScenarioDecl' || decl.kind === 'CheckDecl') checkRunBlock(c, decl);
  }
}

function checkRunBlock(c: Checker, block: ast.ScenarioDecl | ast.CheckDecl): void {
  const name = blockName(block);
  const seen = new Map<string, { span: Span }>();
  const once = (key: string, item: { span: Span }, what: string): boolean => {
    const first = seen.get(key);
    if (first === undefined) {
      seen.set(key, item);
      return true;
    }
    error(c, 'FTP213', `${what} is given twice in ${name}`, item.span, [{ span: first.span, message: 'first given here' }]);
    return false;
  };
  const overrides: ast.ParamOverride[] = [];
  for (const item of block.items) {
    switch (item.kind) {
      case 'ParamOverride':
        if (checkOverride(c, item) && once(`with ${item.name.name}`, item, `'with ${item.name.name}'`)) overrides.push(item);
        break;
      case 'CrashBudget':
      case 'ByzantineBudget': {
        checkConstInt(c, item.limit, 'a fault budget', { min: 0 });
        const role = item.role ? lookupRole(c, item.role) : null;
        once(budgetKey(item), item, 'this budget');
        if (item.kind === 'ByzantineBudget') {
          const roles = item.role === null ? c.model.roles : role ? [role] : [];
          for (const r of roles) checkByzantineFields(c, r, item.span);
        }
        break;
      }
      case 'DropBudget':
      case 'DuplicateBudget':
      case 'DelayBudget':
        checkConstInt(c, item.limit, 'a fault budget', { min: 0 });
        if (item.message) lookupMessage(c, item.message);
        once(budgetKey(item), item, 'this budget');
        if (item.kind === 'DelayBudget' && c.model.network.timing === 'async') {
          warn(c, 'FTP213', "'delay' only matters in a sync network; in an async network every message may already be late", item.span);
        }
        break;
      case 'PartitionBudget':
        checkConstInt(c, item.limit, 'a fault budget', { min: 0 });
        once('partition', item, 'this budget');
        break;
      case 'BoundSetting': {
        const mode = block.kind === 'ScenarioDecl' ? 'explore' : block.mode;
        checkConstInt(c, item.value, `'${item.setting}'`, { min: boundMinimum[item.setting] });
        if (boundModes[item.setting] !== mode) {
          const where = boundModes[item.setting] === 'explore' ? 'explore checks and scenarios' : 'simulate checks';
          error(c, 'FTP213', `'${item.setting}' only applies to ${where}, not to ${name}`, item.span);
        } else {
          once(item.setting, item, `'${item.setting}'`);
        }
        break;
      }
      case 'Expectation':
        if (lookupProperty(c, item.property)) once(`expect ${item.property.name}`, item, `an expectation for ${item.property.name}`);
        break;
      default:
        checkScriptedFault(c, item);
    }
  }
  if (overrides.length > 0) checkOverriddenCounts(c, block, overrides);
}

/** `with X = e`: X must be a param; e a constant over params. */
function checkOverride(c: Checker, item: ast.ParamOverride): boolean {
  const name = item.name.name;
  checkConstInt(c, item.value, `the value of '${name}'`, { allowQuorums: false });
  if (name === '') return false;
  const global = c.symbols.globals.get(name);
  if (global?.kind === 'param') {
    addReference(c, global, item.name.span);
    return true;
  }
  if (global !== undefined) {
    addReference(c, global, item.name.span);
    error(c, 'FTP210', `'with' overrides params, but '${name}' is a ${describeKind(global.kind)}`, item.name.span);
  } else {
    error(c, 'FTP210', `'with' overrides params, and there is no param '${name}'${didYouMean(name, c.model.paramByName.keys())}`, item.name.span);
  }
  return false;
}

/** Overrides must still give every role at least one node. */
function checkOverriddenCounts(c: Checker, block: ast.ScenarioDecl | ast.CheckDecl, overrides: ast.ParamOverride[]): void {
  const env = lazyEnv(c.model, blockOverrides(c.model, block));
  c.facts.blockEnvs.set(block, env);
  // Roles usually share a count (`[N]`): evaluate each distinct count once per block.
  const counts = new Map<string, number>();
  for (const role of c.model.roles) {
    if (role.decl.count === null || !Number.isFinite(role.count)) continue;
    const text = printExpr(role.decl.count);
    let count = counts.get(text);
    if (count === undefined) {
      count = evalConst(role.decl.count, env);
      counts.set(text, count);
    }
    if (count >= 1 || Number.isNaN(count)) continue;
    const last = overrides[overrides.length - 1]!;
    error(c, 'FTP210', `with these overrides ${role.name} has ${count} nodes; a role needs at least 1`, last.span);
  }
}
