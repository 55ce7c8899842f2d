import { createToken, Lexer, type TokenType } from 'chevrotain';

/**
 * Token types of the `.ftp` language.
 *
 * Keywords come in two kinds:
 * - **reserved** keywords ({@link ftpKeywords}) can never be used as a name of a
 *   param, state, role, binding, ... (they may still name a message field:
 *   `message Order { from: General }`);
 * - **contextual** keywords ({@link ftpContextualKeywords}) have a meaning only
 *   where the grammar expects them (mostly inside `check` and `scenario` blocks)
 *   and are ordinary names everywhere else, because they are words users
 *   naturally pick for their own state and params (`count`, `seq`, `step`,
 *   `delay`, `seed`, ...). They are lexed as their own token types with the
 *   category {@link Identifier}, so every rule that consumes a name accepts them.
 *
 * Every keyword has `longer_alt: Identifier`, so `statex` is one identifier.
 */

/**
 * Any word at all, reserved keywords included: message field names
 * (`from: General`), named message arguments and `.field` accesses.
 */
export const AnyName = createToken({ name: 'AnyName', pattern: Lexer.NA });

/** Any name, including contextual keywords (they are in this category). */
export const Identifier = createToken({
  name: 'Identifier',
  pattern: /[A-Za-z_][A-Za-z0-9_]*/,
  categories: [AnyName],
});

/** Binary operators of a full expression (`and`, `==`, `+`, `union`, ...). */
export const BinaryOperator = createToken({ name: 'BinaryOperator', pattern: Lexer.NA });
/** Binary operators allowed in range bounds, domains and partition groups. */
export const ArithOperator = createToken({ name: 'ArithOperator', pattern: Lexer.NA, categories: [BinaryOperator] });
/** `not` and unary `-`. */
export const PrefixOperator = createToken({ name: 'PrefixOperator', pattern: Lexer.NA });

export const WhiteSpace = createToken({ name: 'WhiteSpace', pattern: /[ \t\r\n\f\v\u00a0\ufeff]+/, group: Lexer.SKIPPED });
export const LineComment = createToken({ name: 'LineComment', pattern: /\/\/[^\n\r]*/, group: 'comments' });
/** Also matches an unterminated comment up to the end of the text; the lexer reports it. */
export const BlockComment = createToken({
  name: 'BlockComment',
  pattern: /\/\*[^]*?\*\/|\/\*[^]*/,
  group: 'comments',
  line_breaks: true,
});

/** `not in` as one operator token, so a binary chain is a plain list of operators. */
export const NotIn = createToken({
  name: 'NotIn',
  pattern: /not[ \t\r\n]+in(?![A-Za-z0-9_])/,
  start_chars_hint: ['n'],
  line_breaks: true,
  categories: [BinaryOperator],
});

const reserved: TokenType[] = [];
const contextual: TokenType[] = [];

function keyword(word: string, extraCategories: TokenType[] = [], name = word[0]!.toUpperCase() + word.slice(1)): TokenType {
  const type = createToken({
    name,
    pattern: new RegExp(word),
    longer_alt: Identifier,
    categories: [AnyName, ...extraCategories],
  });
  reserved.push(type);
  return type;
}

function softKeyword(word: string): TokenType {
  const name = word[0]!.toUpperCase() + word.slice(1);
  const type = createToken({ name, pattern: new RegExp(word), longer_alt: Identifier, categories: [Identifier] });
  contextual.push(type);
  return type;
}

// Declarations.
export const Protocol = keyword('protocol');
export const Param = keyword('param');
export const Type = keyword('type');
export const Message = keyword('message');
export const Node = keyword('node');
export const Network = keyword('network');
export const Quorum = keyword('quorum');
export const Invariant = keyword('invariant');
export const Eventually = keyword('eventually');
export const Within = keyword('within');
export const Scenario = keyword('scenario');
export const Check = keyword('check');
export const Explore = keyword('explore');
export const Simulate = keyword('simulate');

// Node members and handlers.
export const State = keyword('state');
export const Stable = keyword('stable');
export const Signed = keyword('signed');
export const On = keyword('on');
export const Start = keyword('start');
export const Recover = keyword('recover');
export const Timeout = keyword('timeout');
export const When = keyword('when');
export const From = keyword('from');
export const To = keyword('to');

// Statements.
export const If = keyword('if');
export const Else = keyword('else');
export const Let = keyword('let');
export const Send = keyword('send');
export const Broadcast = keyword('broadcast');
export const Set = keyword('set');
export const Timer = keyword('timer');
export const After = keyword('after');
export const Cancel = keyword('cancel');
export const Choose = keyword('choose');
export const Decide = keyword('decide');
export const Deliver = keyword('deliver');

// Expressions.
export const Implies = keyword('implies', [BinaryOperator]);
export const Or = keyword('or', [BinaryOperator]);
export const And = keyword('and', [BinaryOperator]);
export const Not = keyword('not', [PrefixOperator]);
export const In = keyword('in', [BinaryOperator]);
export const Union = keyword('union', [ArithOperator]);
export const Intersect = keyword('intersect', [ArithOperator]);
// Named `MinusKw` so it does not clash with the `-` token `Minus`.
export const MinusKw = keyword('minus', [ArithOperator], 'MinusKw');
export const Forall = keyword('forall');
export const Exists = keyword('exists');
export const True = keyword('true');
export const False = keyword('false');
export const Self = keyword('self');
export const Where = keyword('where');
export const Then = keyword('then');
export const Any = keyword('any');

// Types.
export const Bool = keyword('bool');
export const Int = keyword('int');
export const Map = keyword('map');

// Network.
export const Async = keyword('async');
export const Sync = keyword('sync');
export const Fifo = keyword('fifo');
export const Unordered = keyword('unordered');
export const Reliable = keyword('reliable');
export const Lossy = keyword('lossy');

// Checks and scenarios.
export const Of = keyword('of');
export const With = keyword('with');
export const While = keyword('while');

// Contextual keywords: names everywhere except where the grammar expects them.
export const Count = softKeyword('count');
export const Seq = softKeyword('seq');
export const Read = softKeyword('read');
export const Write = softKeyword('write');
export const Crash = softKeyword('crash');
export const Drop = softKeyword('drop');
export const Duplicate = softKeyword('duplicate');
export const Delay = softKeyword('delay');
export const Partition = softKeyword('partition');
export const Byzantine = softKeyword('byzantine');
export const Up = softKeyword('up');
export const Expect = softKeyword('expect');
export const Holds = softKeyword('holds');
export const Violated = softKeyword('violated');
export const Sending = softKeyword('sending');
export const At = softKeyword('at');
export const Step = softKeyword('step');
export const Receive = softKeyword('receive');
export const Times = softKeyword('times');
export const Depth = softKeyword('depth');
export const States = softKeyword('states');
export const Runs = softKeyword('runs');
export const Steps = softKeyword('steps');
export const Seed = softKeyword('seed');

export const IntLiteral = createToken({ name: 'IntLiteral', pattern: /[0-9]+/ });

// Punctuation: longer tokens first.
export const DotDot = createToken({ name: 'DotDot', pattern: /\.\./ });
export const Dot = createToken({ name: 'Dot', pattern: /\./ });
export const EqEq = createToken({ name: 'EqEq', pattern: /==/, categories: [BinaryOperator] });
export const NotEq = createToken({ name: 'NotEq', pattern: /!=/, categories: [BinaryOperator] });
export const LtEq = createToken({ name: 'LtEq', pattern: /<=/, categories: [BinaryOperator] });
export const GtEq = createToken({ name: 'GtEq', pattern: />=/, categories: [BinaryOperator] });
export const Lt = createToken({ name: 'Lt', pattern: /</, categories: [BinaryOperator] });
export const Gt = createToken({ name: 'Gt', pattern: />/, categories: [BinaryOperator] });
export const PlusEq = createToken({ name: 'PlusEq', pattern: /\+=/ });
export const MinusEq = createToken({ name: 'MinusEq', pattern: /-=/ });
export const Equals = createToken({ name: 'Equals', pattern: /=/ });
export const Plus = createToken({ name: 'Plus', pattern: /\+/, categories: [ArithOperator] });
export const Minus = createToken({ name: 'Minus', pattern: /-/, categories: [ArithOperator, PrefixOperator] });
export const Star = createToken({ name: 'Star', pattern: /\*/, categories: [ArithOperator] });
export const Slash = createToken({ name: 'Slash', pattern: /\//, categories: [ArithOperator] });
export const Percent = createToken({ name: 'Percent', pattern: /%/, categories: [ArithOperator] });
export const LCurly = createToken({ name: 'LCurly', pattern: /\{/ });
export const RCurly = createToken({ name: 'RCurly', pattern: /\}/ });
export const LParen = createToken({ name: 'LParen', pattern: /\(/ });
export const RParen = createToken({ name: 'RParen', pattern: /\)/ });
export const LBracket = createToken({ name: 'LBracket', pattern: /\[/ });
export const RBracket = createToken({ name: 'RBracket', pattern: /\]/ });
export const Comma = createToken({ name: 'Comma', pattern: /,/ });
export const Colon = createToken({ name: 'Colon', pattern: /:/ });
export const Semicolon = createToken({ name: 'Semicolon', pattern: /;/ });
export const Pipe = createToken({ name: 'Pipe', pattern: /\|/ });

/** Reserved keywords token types, in declaration order. */
export const reservedKeywordTokens: readonly TokenType[] = reserved;
/** Contextual keyword token types. */
export const contextualKeywordTokens: readonly TokenType[] = contextual;

/**
 * Reserved words of `.ftp`: they cannot name params, states, roles or bindings.
 * For completion and syntax highlighting.
 */
export const ftpKeywords: string[] = reserved.map((t) => keywordText(t));

/**
 * Words with a meaning only in some positions (`crash up to 1`, `depth 40`,
 * `expect P holds`, `count x in D`, `seq<T>`, `quorum read`), names elsewhere.
 */
export const ftpContextualKeywords: string[] = contextual.map((t) => keywordText(t));

function keywordText(type: TokenType): string {
  const pattern = type.PATTERN;
  return pattern instanceof RegExp ? pattern.source : String(pattern);
}

/** Every token type, in the order the lexer tries them. */
export const allTokens: TokenType[] = [
  WhiteSpace,
  LineComment,
  BlockComment,
  NotIn,
  // Longest first, so `int` is not taken for `in` + `t` and `states` not for `state`.
  ...[...reserved, ...contextual].sort((a, b) => keywordText(b).length - keywordText(a).length),
  Identifier,
  IntLiteral,
  DotDot,
  Dot,
  EqEq,
  NotEq,
  LtEq,
  GtEq,
  Lt,
  Gt,
  PlusEq,
  MinusEq,
  Equals,
  Plus,
  Minus,
  Star,
  Slash,
  Percent,
  LCurly,
  RCurly,
  LParen,
  RParen,
  LBracket,
  RBracket,
  Comma,
  Colon,
  Semicolon,
  Pipe,
  // Categories are not lexed but must be known to the parser.
  AnyName,
  BinaryOperator,
  ArithOperator,
  PrefixOperator,
];
