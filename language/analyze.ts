import type { ProtocolFile } from './ast.js';
import { checkProtocol } from './check/check.js';
import type { CheckedModel } from './check/model.js';
import { sortDiagnostics, type Diagnostic } from './diagnostic.js';
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
  const checked = checkProtocol(parsed.value);
  const model = checked.value;
  if (parsed.diagnostics.some((d) => d.severity === 'error')) model.hasErrors = true;
  return { file: parsed.value, model, diagnostics: sortDiagnostics([...parsed.diagnostics, ...checked.diagnostics]) };
}
