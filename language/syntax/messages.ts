import {
  EOF,
  tokenMatcher,
  type IParserErrorMessageProvider,
  type IRecognitionException,
  type IToken,
  type TokenType,
} from 'chevrotain';
import * as t from './tokens.js';

/**
 * Words syntax errors for people: "expected `{` after the node name, found `on`".
 * Chevrotain's own messages list every token path; we name the construct instead
 * ("an expression", "a type", "a statement") and list at most a few tokens.
 */

/**
 * What went wrong, as structured data. Chevrotain wants a message string from its
 * message provider; {@link problemEncoder} encodes this as JSON, and
 * {@link describeSyntaxError} words it later with the context (the tokens around,
 * the enclosing declaration) that only the caller knows.
 */
export type SyntaxProblem =
  | { kind: 'mismatch'; expected: string; rule: string }
  | { kind: 'noViableAlt'; expected: string[]; rule: string }
  | { kind: 'earlyExit'; expected: string[]; rule: string }
  | { kind: 'notAllInput'; rule: string };

function firstTokenNames(paths: TokenType[][][]): string[] {
  const names: string[] = [];
  for (const alt of paths) {
    for (const path of alt) {
      const first = path[0];
      if (first !== undefined && !names.includes(first.name)) names.push(first.name);
    }
  }
  return names;
}

export const problemEncoder: IParserErrorMessageProvider = {
  buildMismatchTokenMessage({ expected, ruleName }) {
    return JSON.stringify({ kind: 'mismatch', expected: expected.name, rule: ruleName } satisfies SyntaxProblem);
  },
  buildNotAllInputParsedMessage({ ruleName }) {
    return JSON.stringify({ kind: 'notAllInput', rule: ruleName } satisfies SyntaxProblem);
  },
  buildNoViableAltMessage({ expectedPathsPerAlt, ruleName }) {
    return JSON.stringify({
      kind: 'noViableAlt',
      expected: firstTokenNames(expectedPathsPerAlt),
      rule: ruleName,
    } satisfies SyntaxProblem);
  },
  buildEarlyExitMessage({ expectedIterationPaths, ruleName }) {
    return JSON.stringify({
      kind: 'earlyExit',
      expected: firstTokenNames([expectedIterationPaths]),
      rule: ruleName,
    } satisfies SyntaxProblem);
  },
};

const punctuation: Record<string, string> = {
  DotDot: '..',
  Dot: '.',
  EqEq: '==',
  NotEq: '!=',
  LtEq: '<=',
  GtEq: '>=',
  Lt: '<',
  Gt: '>',
  PlusEq: '+=',
  MinusEq: '-=',
  Equals: '=',
  Plus: '+',
  Minus: '-',
  Star: '*',
  Slash: '/',
  Percent: '%',
  LCurly: '{',
  RCurly: '}',
  LParen: '(',
  RParen: ')',
  LBracket: '[',
  RBracket: ']',
  Comma: ',',
  Colon: ':',
  Semicolon: ';',
  Pipe: '|',
  NotIn: 'not in',
};

const keywordByName = new Map<string, string>();
for (const type of [...t.reservedKeywordTokens, ...t.contextualKeywordTokens]) {
  const pattern = type.PATTERN;
  keywordByName.set(type.name, pattern instanceof RegExp ? pattern.source : String(pattern));
}
const reservedNames = new Set(t.reservedKeywordTokens.map((type) => type.name));

/** How an expected token type reads in a message. */
function expectedToken(name: string): string {
  switch (name) {
    case 'Identifier':
    case 'AnyName':
      return 'a name';
    case 'IntLiteral':
      return 'a number';
    case 'BinaryOperator':
    case 'ArithOperator':
      return 'an operator';
    case 'PrefixOperator':
      return 'an expression';
    case 'EOF':
      return 'the end of the declaration';
  }
  const text = punctuation[name] ?? keywordByName.get(name) ?? name;
  return `\`${text}\``;
}

/** What a rule expects when none of its alternatives matched. */
const ruleSummaries: Record<string, string> = {
  expression: 'an expression',
  arith: 'an expression',
  operand: 'an expression',
  domain: 'a set, a role or a range `lo..hi`',
  typeExpr: 'a type (`bool`, `int`, `lo..hi`, `A | B`, `set<T>`, `map<K, V>`, `seq<T>` or a type name)',
  member: '`state`, `stable state` or `on`',
  trigger: '`start`, `recover`, `timeout` or a message name',
  faultTrigger: '`at step`, `after receive`, `after send` or `when`',
  declaration: 'a declaration',
  postfix: '`.field` or `[index]`',
};

/** The noun for the name that follows a declaration keyword: "after the node name". */
const nameNouns = new Map<TokenType, string>([
  [t.Protocol, 'protocol name'],
  [t.Param, 'param name'],
  [t.Type, 'type name'],
  [t.Message, 'message name'],
  [t.Node, 'node name'],
  [t.Quorum, 'quorum name'],
  [t.Read, 'quorum name'],
  [t.Write, 'quorum name'],
  [t.Invariant, 'property name'],
  [t.Eventually, 'property name'],
  [t.Scenario, 'scenario name'],
  [t.Check, 'check name'],
  [t.State, 'state name'],
  [t.Let, 'name'],
  [t.Timer, 'timer name'],
  [t.Timeout, 'timer name'],
  [t.On, 'message name'],
  [t.Send, 'message name'],
  [t.Broadcast, 'message name'],
]);

function listAlternatives(items: string[]): string {
  const unique = [...new Set(items)];
  if (unique.length === 0) return 'something else';
  if (unique.length === 1) return unique[0]!;
  if (unique.length > 5) return `${unique.slice(0, 4).join(', ')}, …`;
  return `${unique.slice(0, -1).join(', ')} or ${unique[unique.length - 1]}`;
}

function shown(tok: IToken): string {
  return tok.image.length > 24 ? `${tok.image.slice(0, 24)}…` : tok.image;
}

/** For "found ...": "`on`", "the keyword `from`", "the end of the file". */
export function describeFound(tok: IToken | undefined): string {
  if (tok === undefined || tok.tokenType === EOF) return 'the end of the file';
  if (reservedNames.has(tok.tokenType.name)) return `the keyword \`${shown(tok)}\``;
  return `\`${shown(tok)}\``;
}

/** For "unexpected ...": "`on`", "keyword `from`", "end of file". */
export function describeUnexpected(tok: IToken | undefined): string {
  if (tok === undefined || tok.tokenType === EOF) return 'end of file';
  if (reservedNames.has(tok.tokenType.name)) return `keyword \`${shown(tok)}\``;
  return `\`${shown(tok)}\``;
}

/**
 * What a list rule wanted when it hit something else before its closing token:
 * "expected a statement or `}`" reads better than "expected `}`".
 */
const beforeClosing: Record<string, string> = {
  'block/RCurly': 'a statement or `}`',
  'runBody/RCurly': 'a setting or `}`',
  'messageDecl/RCurly': '`,` or `}`',
  'setLit/RCurly': 'an operator, `,` or `}`',
  'seqLit/RBracket': 'an operator, `,` or `]`',
  'callArgs/RParen': 'an operator, `,` or `)`',
  'messageArgs/RParen': 'an operator, `,` or `)`',
  'trigger/RParen': '`,` or `)`',
  'operand/RParen': 'an operator or `)`',
  'postfix/RBracket': 'an operator or `]`',
  'nodeHead/RBracket': 'an operator or `]`',
};

/** Context a message needs that the exception does not carry. */
export interface ErrorContext {
  /** All tokens of the file, to look behind the previous token. */
  tokens: readonly IToken[];
  /** Index in `tokens` of the previous token, or -1. */
  previousIndex: number;
  /** The token that was found, or undefined at the end of the file. */
  found: IToken | undefined;
  /** Words for "unexpected X after this ...": e.g. "`param` declaration". */
  unit: string;
}

export function decodeProblem(error: IRecognitionException): SyntaxProblem | null {
  try {
    const parsed: unknown = JSON.parse(error.message);
    if (typeof parsed === 'object' && parsed !== null && 'kind' in parsed) return parsed as SyntaxProblem;
  } catch {
    // Not one of ours: fall through.
  }
  return null;
}

/** "after the node name", "after `=`", or "" at the start. */
function afterClause(context: ErrorContext): string {
  const previous = context.tokens[context.previousIndex];
  if (previous === undefined) return '';
  const before = context.tokens[context.previousIndex - 1];
  if (tokenMatcher(previous, t.Identifier)) {
    const noun = before ? nameNouns.get(before.tokenType) : undefined;
    if (noun) return ` after the ${noun}`;
  }
  return ` after \`${shown(previous)}\``;
}

/** One human sentence for a Chevrotain recognition error. */
export function describeSyntaxError(error: IRecognitionException, context: ErrorContext): string {
  const problem = decodeProblem(error);
  const found = describeFound(context.found);
  if (problem === null) return `unexpected ${found}`;
  switch (problem.kind) {
    case 'mismatch': {
      const expected = beforeClosing[`${problem.rule}/${problem.expected}`] ?? expectedToken(problem.expected);
      const hint =
        (problem.expected === 'Identifier' || problem.expected === 'AnyName') &&
        context.found !== undefined &&
        reservedNames.has(context.found.tokenType.name)
          ? ` (\`${context.found.image}\` is a reserved word)`
          : '';
      return `expected ${expected}${afterClause(context)}, found ${found}${hint}`;
    }
    case 'noViableAlt':
    case 'earlyExit': {
      // After `after`, only the inner choice is left.
      const inner = problem.rule === 'faultTrigger' && problem.expected.includes('Receive');
      const summary = inner ? undefined : ruleSummaries[problem.rule];
      const expected = summary ?? listAlternatives(problem.expected.map(expectedToken));
      return `expected ${expected}${afterClause(context)}, found ${found}`;
    }
    case 'notAllInput':
      return `unexpected ${describeUnexpected(context.found)} after this ${context.unit}`;
  }
}
