import { describeKind } from '../check/declarations.js';
import { analyzeText, type Analysis } from '../analyze.js';
import type { CheckedModel, Definition } from '../check/model.js';
import { eventNames } from '../check/events.js';
import type { Span } from '../span.js';
import { ftpKeywords } from '../syntax/parse.js';
import { occurrencesOf, symbolAt, wordAt } from './locate.js';

/** A replacement of the text at `span`. */
export interface TextEdit {
  span: Span;
  newText: string;
}

export type PrepareRenameResult = { span: Span; placeholder: string } | { error: string };
export type RenameResult = { edits: TextEdit[] } | { error: string };

const identifier = /^[A-Za-z_][A-Za-z0-9_]*$/;
const reserved = new Set(ftpKeywords);
const builtins = new Set([...eventNames, 'min', 'max', 'index', 'crashed', 'byzantine', 'correct', 'self']);

/** What a declaration is called in rename messages: the checker's words, but a local is a "local name". */
const kindName = (kind: Definition['kind']): string => (kind === 'local' ? 'local name' : describeKind(kind));

/** Global declarations share one namespace. */
const globalKinds = new Set<Definition['kind']>(['param', 'type', 'message', 'role', 'quorum', 'property', 'scenario', 'check']);

/** What a rename at the cursor would rename, or why nothing can be. */
export function prepareRename(model: CheckedModel, text: string, offset: number): PrepareRenameResult {
  const hit = symbolAt(model, offset);
  if (hit === null) return { error: whyNotRenamable(model, text, offset) };
  return { span: hit.span, placeholder: hit.definition.name };
}

/**
 * Renames the declared name under the cursor everywhere it is used. Refuses
 * keywords, invalid names and names already taken, and refuses a rename that
 * would give the file a new error (a local shadowing a state, say), with the
 * reason in words.
 */
export function renameAt(analysis: Analysis, text: string, offset: number, newName: string): RenameResult {
  const model = analysis.model;
  const hit = symbolAt(model, offset);
  if (hit === null) return { error: whyNotRenamable(model, text, offset) };
  const definition = hit.definition;
  const what = `${kindName(definition.kind)} '${definition.name}'`;
  if (!identifier.test(newName)) {
    return { error: `'${newName}' is not a valid name: use letters, digits and _, not starting with a digit` };
  }
  if (reserved.has(newName)) return { error: `'${newName}' is a keyword and cannot name the ${what}` };
  if (builtins.has(newName)) return { error: `'${newName}' is a built-in name and cannot name the ${what}` };
  if (newName === definition.name) return { edits: [] };
  const clash = conflictingDefinition(model, definition, newName);
  if (clash !== null) return { error: `cannot rename the ${what} to '${newName}': ${clash}` };

  const edits = occurrencesOf(model, definition, true).map((span) => ({ span, newText: newName }));
  const renamed = applyEdits(text, edits);
  const before = errorKeys(analysis);
  const introduced = analyzeText(renamed).diagnostics.find((d) => d.severity === 'error' && !before.has(`${d.code} ${d.message.split(`'${newName}'`).join(`'${definition.name}'`)}`));
  if (introduced !== undefined) {
    return { error: `renaming the ${what} to '${newName}' would break the file: ${introduced.message}` };
  }
  return { edits };
}

/** Applies non-overlapping edits to a text. */
export function applyEdits(text: string, edits: readonly TextEdit[]): string {
  const sorted = [...edits].sort((a, b) => b.span.start - a.span.start);
  let out = text;
  for (const edit of sorted) out = out.slice(0, edit.span.start) + edit.newText + out.slice(edit.span.end);
  return out;
}

function errorKeys(analysis: Analysis): Set<string> {
  return new Set(analysis.diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.code} ${d.message}`));
}

function conflictingDefinition(model: CheckedModel, definition: Definition, newName: string): string | null {
  const same = (d: Definition): boolean => d.name === newName && d !== definition;
  if (globalKinds.has(definition.kind)) {
    const other = model.definitions.find((d) => globalKinds.has(d.kind) && same(d));
    return other ? `a ${kindName(other.kind)} named '${newName}' already exists` : null;
  }
  if (definition.kind === 'state' || definition.kind === 'timer') {
    const other = model.definitions.find((d) => (d.kind === 'state' || d.kind === 'timer') && d.kind === definition.kind && d.container === definition.container && same(d));
    return other ? `${definition.container} already has a ${kindName(other.kind)} named '${newName}'` : null;
  }
  if (definition.kind === 'field') {
    const other = model.definitions.find((d) => d.kind === 'field' && d.container === definition.container && same(d));
    return other ? `message ${definition.container} already has a field named '${newName}'` : null;
  }
  return null;
}

function whyNotRenamable(model: CheckedModel, text: string, offset: number): string {
  const word = wordAt(text, offset);
  const name = text.slice(word.start, word.end);
  if (name === '') return 'there is no name here to rename';
  if (reserved.has(name)) return `'${name}' is a keyword: only declared names can be renamed`;
  if (builtins.has(name)) return `'${name}' is built in and cannot be renamed`;
  if (model.labels.has(name)) return `'${name}' is an enum label; labels are compared by name across enums and cannot be renamed one at a time`;
  if (model.name === name) return 'the protocol name is not referenced anywhere: edit it in place';
  return `'${name}' is not a declared name that can be renamed here`;
}
