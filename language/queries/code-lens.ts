import type * as ast from '../ast.js';
import type { Span } from '../span.js';

/** What a lens does; the server maps each action to a command id (`protocol/lsp.ts`). */
export type LensAction = 'run' | 'explore' | 'timeline';

/** One code lens: shown above `span`, running `action` on the run named `run`. */
export interface CodeLens {
  span: Span;
  title: string;
  action: LensAction;
  /** The run's name as the engine reports it: the scenario or check name, or `check explore`. */
  run: string;
  /** Where the run's declaration starts: tells apart unnamed checks of the same mode. */
  runStart: number;
}

/** The name the engine gives a scenario or check (`compileSystem`'s `runName`). */
export function runNameOf(decl: ast.ScenarioDecl | ast.CheckDecl): string {
  if (decl.kind === 'ScenarioDecl') return decl.name.name;
  return decl.name?.name || `check ${decl.mode}`;
}

/** `Run`, `Explore` and `Show timeline` above every scenario and check. */
export function codeLenses(file: ast.ProtocolFile): CodeLens[] {
  const out: CodeLens[] = [];
  for (const decl of file.decls) {
    if (decl.kind !== 'ScenarioDecl' && decl.kind !== 'CheckDecl') continue;
    if (decl.kind === 'ScenarioDecl' && decl.name.name === '') continue;
    const run = runNameOf(decl);
    const span = { start: decl.span.start, end: decl.span.start };
    const runTitle = decl.kind === 'CheckDecl' && decl.mode === 'simulate' ? '▶ Simulate' : '▶ Run';
    out.push({ span, title: runTitle, action: 'run', run, runStart: decl.span.start });
    out.push({ span, title: 'Explore', action: 'explore', run, runStart: decl.span.start });
    out.push({ span, title: 'Show timeline', action: 'timeline', run, runStart: decl.span.start });
  }
  return out;
}
