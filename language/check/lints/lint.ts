import type * as ast from '../../ast.js';
import type { Diagnostic } from '../../diagnostic.js';
import { blockOverrides, lazyEnv, type ConstEnv } from '../const-eval.js';
import type { CheckFacts, SymbolTable } from '../context.js';
import type { CheckedModel } from '../model.js';

/** What every lint sees: the checked model and the facts gathered while checking. */
export interface LintInput {
  model: CheckedModel;
  facts: CheckFacts;
  symbols: SymbolTable;
  /** Whether the checker already found errors (some lints stay quiet then). */
  hasErrors: boolean;
}

export type Lint = (input: LintInput) => Diagnostic[];

/** The env of a check or scenario (its `with` overrides applied), computed once per check run. */
export function envOf(input: LintInput, block: ast.ScenarioDecl | ast.CheckDecl): ConstEnv {
  let env = input.facts.blockEnvs.get(block);
  if (env === undefined) {
    env = lazyEnv(input.model, blockOverrides(input.model, block));
    input.facts.blockEnvs.set(block, env);
  }
  return env;
}

/** Every check and scenario of the model, the blocks that hold budgets. */
export function runBlocks(model: CheckedModel): (ast.ScenarioDecl | ast.CheckDecl)[] {
  return [...model.checks, ...model.scenarios].sort((a, b) => a.span.start - b.span.start);
}
