import type { AstNode, ProtocolFile } from './ast.js';
import type { Span } from './span.js';
import { childrenOf } from './walk.js';
import { checkProtocol } from './check/check.js';
import type { CheckedModel } from './check/model.js';
import { diagnostic, sortDiagnostics, type Diagnostic } from './diagnostic.js';
import { parseFtp } from './syntax/parse.js';

/** A text parsed and checked: what the CLI, the server and notebooks all start from. */
export interface Analysis {
  file: ProtocolFile;
  model: CheckedModel;
  /** Parse and check diagnostics together, sorted by position. */
  diagnostics: Diagnostic[];
}

/**
 * Parses and checks one `.ftp` text. `model.hasErrors` is true when either the
 * parser or the checker reported an error, so the engine refuses to run a model
 * built from a tree the parser had to repair.
 */
export function analyzeText(text: string): Analysis {
  const parsed = parseFtp(text);
  // Declarations nested deeper than the checker and engine recurse are reported and
  // left out of checking, so a pathological line cannot exhaust the stack.
  const tooDeep: Diagnostic[] = [];
  const decls = parsed.value.decls.filter((decl) => {
    const deepest = deepestNode(decl);
    if (deepest.depth <= maxNesting) return true;
    tooDeep.push(
      diagnostic('FTP215', 'error', `this declaration nests ${deepest.depth} levels deep; at most ${maxNesting} are supported (split the expression with let or params)`, deepest.span),
    );
    return false;
  });
  const checked = checkProtocol(tooDeep.length > 0 ? { ...parsed.value, decls } : parsed.value);
  const model = checked.value;
  if (tooDeep.length > 0) model.file = parsed.value;
  if (tooDeep.length > 0 || parsed.diagnostics.some((d) => d.severity === 'error')) model.hasErrors = true;
  return { file: parsed.value, model, diagnostics: sortDiagnostics([...parsed.diagnostics, ...tooDeep, ...checked.diagnostics]) };
}

/** How deep the checker and the engine may have to recurse into one declaration. */
export const maxNesting = 400;

function deepestNode(root: AstNode): { depth: number; span: Span } {
  let best = { depth: 0, span: root.span };
  const stack: [AstNode, number][] = [[root, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (depth > best.depth) best = { depth, span: node.span };
    for (const child of childrenOf(node)) stack.push([child, depth + 1]);
  }
  return best;
}
