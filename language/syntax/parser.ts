import {
  CstParser,
  createTokenInstance,
  type DSLMethodOpts,
  type GrammarAction,
  type IOrAlt,
  type OrMethodOpts,
  type IToken,
  type TokenType,
} from 'chevrotain';
import { problemEncoder } from './messages.js';
import * as t from './tokens.js';

/**
 * The `.ftp` grammar as one Chevrotain CstParser. One instance is built at module
 * load ({@link ftpParser}) and reused for every parse: building it analyses the
 * whole grammar, which takes far longer than parsing a file.
 *
 * `parse.ts` does not run {@link FtpParser.file} on a whole file: `segments.ts`
 * splits the tokens into declarations (and a node body into members) at their
 * keywords, and the matching rule runs on each piece, so an error cannot spill
 * into the next declaration. `file` describes the whole language for tools such
 * as `computeContentAssist`.
 *
 * Binary operators are parsed as flat chains (`operand (op operand)*`);
 * `lower-expr.ts` applies precedence and associativity. That keeps the CST
 * shallow (a leaf expression is 2 nodes deep instead of 10) and the parse fast.
 */

/**
 * Options objects for labelled CONSUME / SUBRULE calls, made once: an inline
 * `{ LABEL: 'name' }` would be a fresh allocation on every call.
 */
const label = {
  access: { LABEL: 'access' },
  after: { LABEL: 'after' },
  args: { LABEL: 'args' },
  body: { LABEL: 'body' },
  branches: { LABEL: 'branches' },
  budget: { LABEL: 'budget' },
  call: { LABEL: 'call' },
  close: { LABEL: 'close' },
  condition: { LABEL: 'condition' },
  count: { LABEL: 'count' },
  delta: { LABEL: 'delta' },
  domain: { LABEL: 'domain' },
  element: { LABEL: 'element' },
  elements: { LABEL: 'elements' },
  else: { LABEL: 'else' },
  elseIf: { LABEL: 'elseIf' },
  fault: { LABEL: 'fault' },
  field: { LABEL: 'field' },
  fields: { LABEL: 'fields' },
  from: { LABEL: 'from' },
  groups: { LABEL: 'groups' },
  guard: { LABEL: 'guard' },
  head: { LABEL: 'head' },
  high: { LABEL: 'high' },
  index: { LABEL: 'index' },
  indices: { LABEL: 'indices' },
  init: { LABEL: 'init' },
  inner: { LABEL: 'inner' },
  items: { LABEL: 'items' },
  key: { LABEL: 'key' },
  labels: { LABEL: 'labels' },
  lateWithin: { LABEL: 'lateWithin' },
  limit: { LABEL: 'limit' },
  low: { LABEL: 'low' },
  members: { LABEL: 'members' },
  message: { LABEL: 'message' },
  mode: { LABEL: 'mode' },
  name: { LABEL: 'name' },
  node: { LABEL: 'node' },
  ofMessage: { LABEL: 'ofMessage' },
  op: { LABEL: 'op' },
  open: { LABEL: 'open' },
  operands: { LABEL: 'operands' },
  ops: { LABEL: 'ops' },
  ordering: { LABEL: 'ordering' },
  outcome: { LABEL: 'outcome' },
  overrides: { LABEL: 'overrides' },
  params: { LABEL: 'params' },
  peer: { LABEL: 'peer' },
  postfix: { LABEL: 'postfix' },
  prefix: { LABEL: 'prefix' },
  property: { LABEL: 'property' },
  quantifier: { LABEL: 'quantifier' },
  reliability: { LABEL: 'reliability' },
  role: { LABEL: 'role' },
  setting: { LABEL: 'setting' },
  size: { LABEL: 'size' },
  step: { LABEL: 'step' },
  stmts: { LABEL: 'stmts' },
  target: { LABEL: 'target' },
  then: { LABEL: 'then' },
  timer: { LABEL: 'timer' },
  timing: { LABEL: 'timing' },
  to: { LABEL: 'to' },
  trigger: { LABEL: 'trigger' },
  type: { LABEL: 'type' },
  value: { LABEL: 'value' },
  variable: { LABEL: 'variable' },
  verb: { LABEL: 'verb' },
  where: { LABEL: 'where' },
  within: { LABEL: 'within' },
} as const;

export class FtpParser extends CstParser {
  /**
   * Where a token inserted by recovery goes when no real token precedes it in the
   * current input (Chevrotain would give it NaN offsets). Set before each parse.
   */
  fallbackOffset = 0;

  /**
   * The alternatives of every OR, built on first use and reused: a literal
   * `this.OR([...])` would allocate an array and a closure per alternative on
   * every call, which made garbage collection the biggest cost of a parse.
   */
  private readonly alternatives: Record<string, IOrAlt<unknown>[] | OrMethodOpts<unknown>> = {};
  /** Likewise the bodies of MANY, OPTION and AT_LEAST_ONE: one closure per call site, not per call. */
  private readonly actions: Record<string, GrammarAction<unknown> | DSLMethodOpts<unknown>> = {};

  constructor() {
    super(t.allTokens, { recoveryEnabled: true, maxLookahead: 3, errorMessageProvider: problemEncoder });
    this.performSelfAnalysis();
  }

  /** A recovery-inserted token sits, zero-width, right after the previous real token. */
  protected override getTokenToInsert(tokType: TokenType): IToken {
    const previous = this.LA(0);
    let offset = previous.startOffset + previous.image.length;
    if (!Number.isFinite(offset)) {
      const next = this.LA(1);
      offset = Number.isFinite(next.startOffset) ? next.startOffset : this.fallbackOffset;
    }
    const token = createTokenInstance(tokType, '', offset, offset - 1, NaN, NaN, NaN, NaN);
    token.isInsertedInRecovery = true;
    return token;
  }

  // ---------------------------------------------------------------- file

  readonly file = this.RULE('file', () => {
    this.OPTION(this.actions['file.OPTION'] ??= () => this.SUBRULE(this.header));
    this.MANY(this.actions['file.MANY'] ??= () =>
      this.OR(this.alternatives['file'] ??= [{ ALT: () => this.SUBRULE(this.declaration) }, { ALT: () => this.CONSUME(t.Semicolon) }]),
    );
  });

  readonly header = this.RULE('header', () => {
    this.CONSUME(t.Protocol);
    this.CONSUME(t.Identifier, label.name);
  });

  readonly declaration = this.RULE('declaration', () => {
    this.OR(this.alternatives['declaration'] ??= [
      { ALT: () => this.SUBRULE(this.paramDecl) },
      { ALT: () => this.SUBRULE(this.typeDecl) },
      { ALT: () => this.SUBRULE(this.messageDecl) },
      { ALT: () => this.SUBRULE(this.nodeDecl) },
      { ALT: () => this.SUBRULE(this.networkDecl) },
      { ALT: () => this.SUBRULE(this.quorumDecl) },
      { ALT: () => this.SUBRULE(this.propertyDecl) },
      { ALT: () => this.SUBRULE(this.scenarioDecl) },
      { ALT: () => this.SUBRULE(this.checkDecl) },
    ]);
  });

  readonly paramDecl = this.RULE('paramDecl', () => {
    this.CONSUME(t.Param);
    this.CONSUME(t.Identifier, label.name);
    this.CONSUME(t.Equals);
    this.SUBRULE(this.expression, label.value);
  });

  readonly typeDecl = this.RULE('typeDecl', () => {
    this.CONSUME(t.Type);
    this.CONSUME(t.Identifier, label.name);
    this.CONSUME(t.Equals);
    this.SUBRULE(this.typeExpr, label.type);
  });

  readonly messageDecl = this.RULE('messageDecl', () => {
    this.CONSUME(t.Message);
    this.CONSUME(t.Identifier, label.name);
    this.OPTION(this.actions['messageDecl.OPTION'] ??= () => {
      this.CONSUME(t.LCurly);
      this.OPTION2(this.actions['messageDecl.OPTION2'] ??= () => {
        this.SUBRULE(this.fieldDecl, label.fields);
        this.MANY(this.actions['messageDecl.MANY'] ??= () => {
          this.CONSUME(t.Comma);
          this.OPTION3(this.actions['messageDecl.OPTION3'] ??= () => this.SUBRULE2(this.fieldDecl, label.fields));
        });
      });
      this.CONSUME(t.RCurly);
    });
  });

  readonly fieldDecl = this.RULE('fieldDecl', () => {
    // `signed: bool` is a field named `signed` (an OPTION looks at its own tokens only).
    this.OPTION(this.actions['fieldDecl.OPTION'] ??= {
      GATE: () => this.LA(2).tokenType !== t.Colon,
      DEF: () => this.CONSUME(t.Signed),
    });
    this.CONSUME(t.AnyName, label.name);
    this.CONSUME(t.Colon);
    this.SUBRULE(this.typeExpr, label.type);
  });

  // ---------------------------------------------------------------- nodes

  readonly nodeDecl = this.RULE('nodeDecl', () => {
    this.SUBRULE(this.nodeHead, label.head);
    this.CONSUME(t.LCurly);
    this.MANY(this.actions['nodeDecl.MANY'] ??= () =>
      this.OR(this.alternatives['nodeDecl'] ??= [{ ALT: () => this.SUBRULE(this.member, label.members) }, { ALT: () => this.CONSUME(t.Semicolon) }]),
    );
    this.CONSUME(t.RCurly);
  });

  /** `node NAME [COUNT]`, up to (not including) the body's `{`. */
  readonly nodeHead = this.RULE('nodeHead', () => {
    this.CONSUME(t.Node);
    this.CONSUME(t.Identifier, label.name);
    this.OPTION(this.actions['nodeHead.OPTION'] ??= () => {
      this.CONSUME(t.LBracket);
      this.SUBRULE(this.expression, label.count);
      this.CONSUME(t.RBracket);
    });
  });

  readonly member = this.RULE('member', () => {
    this.OR(this.alternatives['member'] ??= [{ ALT: () => this.SUBRULE(this.stateDecl) }, { ALT: () => this.SUBRULE(this.handler) }]);
  });

  readonly stateDecl = this.RULE('stateDecl', () => {
    this.OPTION(this.actions['stateDecl.OPTION'] ??= () => this.CONSUME(t.Stable));
    this.CONSUME(t.State);
    this.CONSUME(t.Identifier, label.name);
    this.CONSUME(t.Colon);
    this.SUBRULE(this.typeExpr, label.type);
    this.OPTION2(this.actions['stateDecl.OPTION2'] ??= () => {
      this.CONSUME(t.Equals);
      this.OR(this.alternatives['stateDecl'] ??= [
        { ALT: () => this.CONSUME(t.Any) },
        { ALT: () => this.SUBRULE(this.expression, label.init) },
      ]);
    });
  });

  readonly handler = this.RULE('handler', () => {
    this.CONSUME(t.On);
    this.SUBRULE(this.trigger);
    this.OPTION(this.actions['handler.OPTION'] ??= () => {
      this.CONSUME(t.When);
      this.SUBRULE(this.expression, label.guard);
    });
    this.SUBRULE(this.block, label.body);
  });

  readonly trigger = this.RULE('trigger', () => {
    this.OR(this.alternatives['trigger'] ??= [
      { ALT: () => this.CONSUME(t.Start) },
      { ALT: () => this.CONSUME(t.Recover) },
      {
        ALT: () => {
          this.CONSUME(t.Timeout);
          this.CONSUME(t.Identifier, label.timer);
        },
      },
      {
        ALT: () => {
          this.CONSUME2(t.Identifier, label.message);
          this.OPTION(this.actions['trigger.OPTION'] ??= () => {
            this.CONSUME(t.LParen);
            this.OPTION2(this.actions['trigger.OPTION2'] ??= () => {
              this.CONSUME3(t.Identifier, label.params);
              this.MANY(this.actions['trigger.MANY'] ??= () => {
                this.CONSUME(t.Comma);
                this.CONSUME4(t.Identifier, label.params);
              });
            });
            this.CONSUME(t.RParen);
          });
          this.OPTION3(this.actions['trigger.OPTION3'] ??= () => {
            this.CONSUME(t.From);
            this.CONSUME5(t.Identifier, label.from);
          });
        },
      },
    ]);
  });

  // ---------------------------------------------------------------- statements

  readonly block = this.RULE('block', () => {
    this.CONSUME(t.LCurly);
    // Statements go straight into `stmts` (no wrapper node per statement: the
    // CST stays small); each CstNode's `name` says which statement it is.
    this.MANY(this.actions['block.MANY'] ??= () =>
      this.OR(this.alternatives['block'] ??= [
        { ALT: () => this.SUBRULE(this.assignStmt, label.stmts) },
        { ALT: () => this.SUBRULE(this.letStmt, label.stmts) },
        { ALT: () => this.SUBRULE(this.ifStmt, label.stmts) },
        { ALT: () => this.SUBRULE(this.sendStmt, label.stmts) },
        { ALT: () => this.SUBRULE(this.setTimerStmt, label.stmts) },
        { ALT: () => this.SUBRULE(this.cancelTimerStmt, label.stmts) },
        { ALT: () => this.SUBRULE(this.chooseStmt, label.stmts) },
        { ALT: () => this.SUBRULE(this.recordStmt, label.stmts) },
        { ALT: () => this.CONSUME(t.Semicolon) },
      ]),
    );
    this.CONSUME(t.RCurly);
  });

  readonly assignStmt = this.RULE('assignStmt', () => {
    this.CONSUME(t.Identifier, label.target);
    this.MANY(this.actions['assignStmt.MANY'] ??= () => {
      this.CONSUME(t.LBracket);
      this.SUBRULE(this.expression, label.indices);
      this.CONSUME(t.RBracket);
    });
    this.OR(this.alternatives['assignStmt'] ??= [
      { ALT: () => this.CONSUME(t.Equals, label.op) },
      { ALT: () => this.CONSUME(t.PlusEq, label.op) },
      { ALT: () => this.CONSUME(t.MinusEq, label.op) },
    ]);
    this.SUBRULE2(this.expression, label.value);
  });

  readonly letStmt = this.RULE('letStmt', () => {
    this.CONSUME(t.Let);
    this.CONSUME(t.Identifier, label.name);
    this.CONSUME(t.Equals);
    this.SUBRULE(this.expression, label.value);
  });

  readonly ifStmt = this.RULE('ifStmt', () => {
    this.CONSUME(t.If);
    this.SUBRULE(this.expression, label.condition);
    this.SUBRULE(this.block, label.then);
    this.OPTION(this.actions['ifStmt.OPTION'] ??= () => {
      this.CONSUME(t.Else);
      this.OR(this.alternatives['ifStmt'] ??= [
        { ALT: () => this.SUBRULE(this.ifStmt, label.elseIf) },
        { ALT: () => this.SUBRULE2(this.block, label.else) },
      ]);
    });
  });

  /** `send M(..) to p` and `broadcast M(..) to S`. */
  readonly sendStmt = this.RULE('sendStmt', () => {
    this.OR(this.alternatives['sendStmt'] ??= [
      { ALT: () => this.CONSUME(t.Send, label.verb) },
      { ALT: () => this.CONSUME(t.Broadcast, label.verb) },
    ]);
    this.CONSUME(t.Identifier, label.message);
    this.OPTION(this.actions['sendStmt.OPTION'] ??= () => this.SUBRULE(this.messageArgs, label.args));
    this.CONSUME(t.To);
    this.SUBRULE(this.expression, label.to);
  });

  readonly messageArgs = this.RULE('messageArgs', () => {
    this.CONSUME(t.LParen);
    this.OPTION(this.actions['messageArgs.OPTION'] ??= () => {
      this.SUBRULE(this.messageArg, label.args);
      this.MANY(this.actions['messageArgs.MANY'] ??= () => {
        this.CONSUME(t.Comma);
        this.OPTION2(this.actions['messageArgs.OPTION2'] ??= () => this.SUBRULE2(this.messageArg, label.args));
      });
    });
    this.CONSUME(t.RParen);
  });

  readonly messageArg = this.RULE('messageArg', () => {
    this.OPTION(this.actions['messageArg.OPTION'] ??= {
      GATE: () => this.LA(2).tokenType === t.Colon,
      DEF: () => {
        this.CONSUME(t.AnyName, label.name);
        this.CONSUME(t.Colon);
      },
    });
    this.SUBRULE(this.expression, label.value);
  });

  readonly setTimerStmt = this.RULE('setTimerStmt', () => {
    this.CONSUME(t.Set);
    this.CONSUME(t.Timer);
    this.CONSUME(t.Identifier, label.timer);
    this.CONSUME(t.After);
    this.SUBRULE(this.expression, label.after);
  });

  readonly cancelTimerStmt = this.RULE('cancelTimerStmt', () => {
    this.CONSUME(t.Cancel);
    this.CONSUME(t.Timer);
    this.CONSUME(t.Identifier, label.timer);
  });

  readonly chooseStmt = this.RULE('chooseStmt', () => {
    this.CONSUME(t.Choose);
    this.OR(this.alternatives['chooseStmt'] ??= [
      {
        ALT: () => {
          this.SUBRULE(this.block, label.branches);
          this.MANY(this.actions['chooseStmt.MANY'] ??= () => {
            this.CONSUME(t.Or);
            this.SUBRULE2(this.block, label.branches);
          });
        },
      },
      {
        ALT: () => {
          this.CONSUME(t.Identifier, label.name);
          this.CONSUME(t.In);
          this.SUBRULE(this.domain, label.domain);
          this.SUBRULE3(this.block, label.body);
        },
      },
    ]);
  });

  /** `decide e` and `deliver e`. */
  readonly recordStmt = this.RULE('recordStmt', () => {
    this.OR(this.alternatives['recordStmt'] ??= [
      { ALT: () => this.CONSUME(t.Decide, label.verb) },
      { ALT: () => this.CONSUME(t.Deliver, label.verb) },
    ]);
    this.SUBRULE(this.expression, label.value);
  });

  // ---------------------------------------------------------------- other declarations

  readonly networkDecl = this.RULE('networkDecl', () => {
    this.CONSUME(t.Network);
    this.OPTION(this.actions['networkDecl.OPTION'] ??= () =>
      this.OR(this.alternatives['networkDecl'] ??= [
        { ALT: () => this.CONSUME(t.Async, label.timing) },
        {
          ALT: () => {
            this.CONSUME(t.Sync, label.timing);
            this.CONSUME(t.LParen);
            this.SUBRULE(this.expression, label.delta);
            this.CONSUME(t.RParen);
          },
        },
      ]),
    );
    this.OPTION2(this.actions['networkDecl.OPTION2'] ??= () =>
      this.OR2(this.alternatives['networkDecl2'] ??= [
        { ALT: () => this.CONSUME(t.Fifo, label.ordering) },
        { ALT: () => this.CONSUME(t.Unordered, label.ordering) },
      ]),
    );
    this.OPTION3(this.actions['networkDecl.OPTION3'] ??= () =>
      this.OR3(this.alternatives['networkDecl3'] ??= [
        { ALT: () => this.CONSUME(t.Reliable, label.reliability) },
        { ALT: () => this.CONSUME(t.Lossy, label.reliability) },
      ]),
    );
  });

  readonly quorumDecl = this.RULE('quorumDecl', () => {
    this.CONSUME(t.Quorum);
    this.OR(this.alternatives['quorumDecl'] ??= [
      { ALT: () => this.CONSUME(t.Read, label.access) },
      { ALT: () => this.CONSUME(t.Write, label.access) },
    ]);
    this.CONSUME(t.Identifier, label.name);
    this.CONSUME(t.Equals);
    this.SUBRULE(this.arith, label.size);
    this.CONSUME(t.Of);
    this.CONSUME2(t.Identifier, label.role);
  });

  /** `invariant NAME: e`, `eventually NAME [within K]: e` (`within` also accepted after the body). */
  readonly propertyDecl = this.RULE('propertyDecl', () => {
    this.OR(this.alternatives['propertyDecl'] ??= [
      { ALT: () => this.CONSUME(t.Invariant, label.property) },
      { ALT: () => this.CONSUME(t.Eventually, label.property) },
    ]);
    this.CONSUME(t.Identifier, label.name);
    this.OPTION(this.actions['propertyDecl.OPTION'] ??= () => {
      this.CONSUME(t.Within);
      this.SUBRULE(this.arith, label.within);
    });
    this.CONSUME(t.Colon);
    this.SUBRULE(this.expression, label.body);
    this.OPTION2(this.actions['propertyDecl.OPTION2'] ??= () => {
      this.CONSUME2(t.Within, label.lateWithin);
      this.SUBRULE2(this.arith, label.within);
    });
  });

  readonly checkDecl = this.RULE('checkDecl', () => {
    this.CONSUME(t.Check);
    this.OPTION(this.actions['checkDecl.OPTION'] ??= () => this.CONSUME(t.Identifier, label.name));
    this.OR(this.alternatives['checkDecl'] ??= [
      { ALT: () => this.CONSUME(t.Explore, label.mode) },
      { ALT: () => this.CONSUME(t.Simulate, label.mode) },
    ]);
    this.SUBRULE(this.runBody, label.body);
  });

  readonly scenarioDecl = this.RULE('scenarioDecl', () => {
    this.CONSUME(t.Scenario);
    this.CONSUME(t.Identifier, label.name);
    this.SUBRULE(this.runBody, label.body);
  });

  /** Settings, budgets and scripted faults go straight into `items`, in order. */
  readonly runBody = this.RULE('runBody', () => {
    this.CONSUME(t.LCurly);
    this.MANY(this.actions['runBody.MANY'] ??= () =>
      this.OR(this.alternatives['runBody'] ??= [
        { ALT: () => this.SUBRULE(this.withSetting, label.items) },
        { ALT: () => this.SUBRULE(this.crashItem, label.items) },
        { ALT: () => this.SUBRULE(this.recoverItem, label.items) },
        { ALT: () => this.SUBRULE(this.dropItem, label.items) },
        { ALT: () => this.SUBRULE(this.messageBudget, label.items) },
        { ALT: () => this.SUBRULE(this.partitionItem, label.items) },
        { ALT: () => this.SUBRULE(this.byzantineItem, label.items) },
        { ALT: () => this.SUBRULE(this.boundSetting, label.items) },
        { ALT: () => this.SUBRULE(this.expectSetting, label.items) },
        { ALT: () => this.CONSUME(t.Semicolon) },
      ]),
    );
    this.CONSUME(t.RCurly);
  });

  readonly withSetting = this.RULE('withSetting', () => {
    this.CONSUME(t.With);
    this.SUBRULE(this.paramOverride, label.overrides);
    this.MANY(this.actions['withSetting.MANY'] ??= () => {
      this.CONSUME(t.Comma);
      this.SUBRULE2(this.paramOverride, label.overrides);
    });
  });

  readonly paramOverride = this.RULE('paramOverride', () => {
    this.CONSUME(t.Identifier, label.name);
    this.CONSUME(t.Equals);
    this.SUBRULE(this.arith, label.value);
  });

  /** `up to E` of every budget. */
  readonly budgetLimit = this.RULE('budgetLimit', () => {
    this.CONSUME(t.Up);
    this.CONSUME(t.To);
    this.SUBRULE(this.arith, label.limit);
  });

  /** `crash up to E [of Role] [and recover] [while sending]` or `crash X TRIGGER`. */
  readonly crashItem = this.RULE('crashItem', () => {
    this.CONSUME(t.Crash);
    // One token decides: `up` always starts a budget, so `crash up 1` reads as
    // "expected `to` after `up`" and a bad trigger is reported after the node.
    this.OR(this.alternatives['crashItem'] ??= {
      MAX_LOOKAHEAD: 1,
      IGNORE_AMBIGUITIES: true,
      DEF: [
        {
          ALT: () => {
            this.SUBRULE(this.budgetLimit, label.budget);
            this.OPTION(this.actions['crashItem.OPTION'] ??= () => {
              this.CONSUME(t.Of);
              this.CONSUME(t.Identifier, label.role);
            });
            this.OPTION2(this.actions['crashItem.OPTION2'] ??= () => {
              this.CONSUME(t.And);
              this.CONSUME(t.Recover);
            });
            this.OPTION3(this.actions['crashItem.OPTION3'] ??= () => {
              this.CONSUME(t.While);
              this.CONSUME(t.Sending);
            });
          },
        },
        {
          ALT: () => {
            this.SUBRULE(this.arith, label.node);
            this.SUBRULE(this.faultTrigger, label.trigger);
          },
        },
      ],
    });
  });

  readonly recoverItem = this.RULE('recoverItem', () => {
    this.CONSUME(t.Recover);
    this.SUBRULE(this.arith, label.node);
    this.SUBRULE(this.faultTrigger, label.trigger);
  });

  /** `drop up to E [of Msg]` or `drop Msg [from X] [to Y] [times E]`. */
  readonly dropItem = this.RULE('dropItem', () => {
    this.CONSUME(t.Drop);
    this.OR(this.alternatives['dropItem'] ??= {
      MAX_LOOKAHEAD: 1,
      IGNORE_AMBIGUITIES: true,
      DEF: [
        {
          ALT: () => {
            this.SUBRULE(this.budgetLimit, label.budget);
            this.OPTION(this.actions['dropItem.OPTION'] ??= () => {
              this.CONSUME(t.Of);
              this.CONSUME(t.Identifier, label.ofMessage);
            });
          },
        },
        {
          ALT: () => {
            this.CONSUME2(t.Identifier, label.message);
            this.OPTION2(this.actions['dropItem.OPTION2'] ??= () => {
              this.CONSUME(t.From);
              this.SUBRULE(this.arith, label.from);
            });
            this.OPTION3(this.actions['dropItem.OPTION3'] ??= () => {
              this.CONSUME(t.To);
              this.SUBRULE2(this.arith, label.to);
            });
            this.OPTION4(this.actions['dropItem.OPTION4'] ??= () => {
              this.CONSUME(t.Times);
              this.SUBRULE3(this.arith, label.count);
            });
          },
        },
      ],
    });
  });

  /** `duplicate up to E [of Msg]`, `delay up to E [of Msg]`. */
  readonly messageBudget = this.RULE('messageBudget', () => {
    this.OR(this.alternatives['messageBudget'] ??= [
      { ALT: () => this.CONSUME(t.Duplicate, label.fault) },
      { ALT: () => this.CONSUME(t.Delay, label.fault) },
    ]);
    this.SUBRULE(this.budgetLimit, label.budget);
    this.OPTION(this.actions['messageBudget.OPTION'] ??= () => {
      this.CONSUME(t.Of);
      this.CONSUME(t.Identifier, label.message);
    });
  });

  /** `partition up to E` or `partition {A} | {B} from step E [to step E]`. */
  readonly partitionItem = this.RULE('partitionItem', () => {
    this.CONSUME(t.Partition);
    this.OR(this.alternatives['partitionItem'] ??= {
      MAX_LOOKAHEAD: 1,
      IGNORE_AMBIGUITIES: true,
      DEF: [
        { ALT: () => this.SUBRULE(this.budgetLimit, label.budget) },
        {
          ALT: () => {
            this.SUBRULE(this.arith, label.groups);
            this.MANY(this.actions['partitionItem.MANY'] ??= () => {
              this.CONSUME(t.Pipe);
              this.SUBRULE2(this.arith, label.groups);
            });
            this.CONSUME(t.From);
            this.CONSUME(t.Step);
            this.SUBRULE3(this.arith, label.from);
            this.OPTION(this.actions['partitionItem.OPTION'] ??= () => {
              this.CONSUME(t.To);
              this.CONSUME2(t.Step);
              this.SUBRULE4(this.arith, label.to);
            });
          },
        },
      ],
    });
  });

  /** `byzantine up to E [of Role]` or `byzantine X`. */
  readonly byzantineItem = this.RULE('byzantineItem', () => {
    this.CONSUME(t.Byzantine);
    this.OR(this.alternatives['byzantineItem'] ??= {
      MAX_LOOKAHEAD: 1,
      IGNORE_AMBIGUITIES: true,
      DEF: [
        {
          ALT: () => {
            this.SUBRULE(this.budgetLimit, label.budget);
            this.OPTION(this.actions['byzantineItem.OPTION'] ??= () => {
              this.CONSUME(t.Of);
              this.CONSUME(t.Identifier, label.role);
            });
          },
        },
        { ALT: () => this.SUBRULE(this.arith, label.node) },
      ],
    });
  });

  readonly boundSetting = this.RULE('boundSetting', () => {
    this.OR(this.alternatives['boundSetting'] ??= [
      { ALT: () => this.CONSUME(t.Depth, label.setting) },
      { ALT: () => this.CONSUME(t.States, label.setting) },
      { ALT: () => this.CONSUME(t.Runs, label.setting) },
      { ALT: () => this.CONSUME(t.Steps, label.setting) },
      { ALT: () => this.CONSUME(t.Seed, label.setting) },
    ]);
    this.SUBRULE(this.arith, label.value);
  });

  readonly expectSetting = this.RULE('expectSetting', () => {
    this.CONSUME(t.Expect);
    this.CONSUME(t.Identifier, label.property);
    this.OR(this.alternatives['expectSetting'] ??= [
      { ALT: () => this.CONSUME(t.Holds, label.outcome) },
      { ALT: () => this.CONSUME(t.Violated, label.outcome) },
    ]);
  });

  /** `at step E`, `after receive M [from X]`, `after send M [to X]`, `when E`. */
  readonly faultTrigger = this.RULE('faultTrigger', () => {
    this.OR(this.alternatives['faultTrigger'] ??= [
      {
        ALT: () => {
          this.CONSUME(t.At);
          this.CONSUME(t.Step);
          this.SUBRULE(this.arith, label.step);
        },
      },
      {
        ALT: () => {
          this.CONSUME(t.After);
          this.OR2(this.alternatives['faultTriggerAfter'] ??= [
            {
              ALT: () => {
                this.CONSUME(t.Receive);
                this.CONSUME(t.Identifier, label.message);
                this.OPTION(this.actions['faultTrigger.OPTION'] ??= () => {
                  this.CONSUME(t.From);
                  this.SUBRULE2(this.arith, label.peer);
                });
              },
            },
            {
              ALT: () => {
                this.CONSUME(t.Send);
                this.CONSUME2(t.Identifier, label.message);
                this.OPTION2(this.actions['faultTrigger.OPTION2'] ??= () => {
                  this.CONSUME(t.To);
                  this.SUBRULE3(this.arith, label.peer);
                });
              },
            },
          ]);
        },
      },
      {
        ALT: () => {
          this.CONSUME(t.When);
          this.SUBRULE(this.expression, label.condition);
        },
      },
    ]);
  });

  // ---------------------------------------------------------------- types

  readonly typeExpr = this.RULE('typeExpr', () => {
    this.OR(this.alternatives['typeExpr'] ??= [
      { ALT: () => this.CONSUME(t.Bool) },
      { ALT: () => this.CONSUME(t.Int) },
      { ALT: () => this.CONSUME(t.Node) },
      {
        ALT: () => {
          this.CONSUME(t.Set);
          this.CONSUME(t.Lt);
          this.SUBRULE(this.typeExpr, label.element);
          this.CONSUME(t.Gt);
        },
      },
      {
        ALT: () => {
          this.CONSUME(t.Map);
          this.CONSUME2(t.Lt);
          this.SUBRULE2(this.typeExpr, label.key);
          this.CONSUME(t.Comma);
          this.SUBRULE3(this.typeExpr, label.value);
          this.CONSUME2(t.Gt);
        },
      },
      {
        ALT: () => {
          this.CONSUME(t.Seq);
          this.CONSUME3(t.Lt);
          this.SUBRULE4(this.typeExpr, label.element);
          this.CONSUME3(t.Gt);
        },
      },
      {
        // A name, an enum `A | B | C`, or a range `lo..hi`.
        ALT: () => {
          this.SUBRULE(this.arith, label.low);
          this.OPTION(this.actions['typeExpr.OPTION'] ??= () =>
            this.OR2(this.alternatives['typeExprTail'] ??= [
              {
                ALT: () => {
                  this.CONSUME(t.DotDot);
                  this.SUBRULE2(this.arith, label.high);
                },
              },
              {
                ALT: () =>
                  this.AT_LEAST_ONE(this.actions['typeExpr.AT_LEAST_ONE'] ??= () => {
                    this.CONSUME(t.Pipe);
                    this.CONSUME(t.Identifier, label.labels);
                  }),
              },
            ]),
          );
        },
      },
    ]);
  });

  // ---------------------------------------------------------------- expressions

  /** A full expression: operands joined by any binary operator. */
  readonly expression = this.RULE('expression', () => {
    this.SUBRULE(this.operand, label.operands);
    this.MANY(this.actions['expression.MANY'] ??= () => {
      this.CONSUME(t.BinaryOperator, label.ops);
      this.SUBRULE2(this.operand, label.operands);
    });
  });

  /**
   * Operands joined by arithmetic and set operators only: range bounds, domains,
   * budgets and node references, where `<`, `>`, `and` and `in` mean something else.
   */
  readonly arith = this.RULE('arith', () => {
    this.SUBRULE(this.operand, label.operands);
    this.MANY(this.actions['arith.MANY'] ??= () => {
      this.CONSUME(t.ArithOperator, label.ops);
      this.SUBRULE2(this.operand, label.operands);
    });
  });

  /** `D` or `lo..hi` after `in`. */
  readonly domain = this.RULE('domain', () => {
    this.SUBRULE(this.arith, label.low);
    this.OPTION(this.actions['domain.OPTION'] ??= () => {
      this.CONSUME(t.DotDot);
      this.SUBRULE2(this.arith, label.high);
    });
  });

  /**
   * Prefix operators, one primary, then `.field` / `[index]` accesses. The
   * primary is inlined (no node of its own) and every alternative is chosen by
   * one token, so the hottest decision of the grammar is a table lookup.
   */
  readonly operand = this.RULE('operand', () => {
    this.MANY(this.actions['operand.MANY'] ??= () => this.CONSUME(t.PrefixOperator, label.prefix));
    this.OR(this.alternatives['operand'] ??= [
      { ALT: () => this.CONSUME(t.IntLiteral) },
      { ALT: () => this.CONSUME(t.True) },
      { ALT: () => this.CONSUME(t.False) },
      { ALT: () => this.CONSUME(t.Self) },
      {
        ALT: () => {
          this.CONSUME(t.Identifier, label.name);
          this.OPTION(this.actions['operand.OPTION'] ??= () => this.SUBRULE(this.callArgs, label.call));
          // `count x in D [where c]`; `count` not followed by `x in` is a plain name.
          this.OPTION2(this.actions['operand.OPTION2'] ??= {
            GATE: () => this.LA(0).tokenType === t.Count && this.LA(2).tokenType === t.In,
            DEF: () => {
              this.CONSUME2(t.Identifier, label.variable);
              this.CONSUME(t.In);
              this.SUBRULE(this.domain, label.domain);
              this.OPTION3(this.actions['operand.OPTION3'] ??= () => {
                this.CONSUME(t.Where);
                this.SUBRULE(this.expression, label.where);
              });
            },
          });
        },
      },
      {
        ALT: () => {
          this.CONSUME(t.LParen);
          this.SUBRULE2(this.expression, label.inner);
          this.CONSUME(t.RParen);
        },
      },
      { ALT: () => this.SUBRULE(this.setLit) },
      { ALT: () => this.SUBRULE(this.seqLit) },
      {
        ALT: () => {
          this.CONSUME(t.Pipe, label.open);
          this.SUBRULE3(this.expression, label.size);
          this.CONSUME2(t.Pipe, label.close);
        },
      },
      { ALT: () => this.SUBRULE(this.condExpr) },
      { ALT: () => this.SUBRULE(this.quantExpr) },
    ]);
    this.MANY2(this.actions['operand.MANY2'] ??= () => this.SUBRULE(this.postfix, label.postfix));
  });

  readonly postfix = this.RULE('postfix', () => {
    this.OR(this.alternatives['postfix'] ??= [
      {
        ALT: () => {
          this.CONSUME(t.Dot);
          this.CONSUME(t.AnyName, label.field);
        },
      },
      {
        ALT: () => {
          this.CONSUME(t.LBracket);
          this.SUBRULE(this.expression, label.index);
          this.CONSUME(t.RBracket);
        },
      },
    ]);
  });

  readonly callArgs = this.RULE('callArgs', () => {
    this.CONSUME(t.LParen);
    this.OPTION(this.actions['callArgs.OPTION'] ??= () => {
      this.SUBRULE(this.expression, label.args);
      this.MANY(this.actions['callArgs.MANY'] ??= () => {
        this.CONSUME(t.Comma);
        this.SUBRULE2(this.expression, label.args);
      });
    });
    this.CONSUME(t.RParen);
  });

  readonly setLit = this.RULE('setLit', () => {
    this.CONSUME(t.LCurly);
    this.OPTION(this.actions['setLit.OPTION'] ??= () => {
      this.SUBRULE(this.expression, label.elements);
      this.MANY(this.actions['setLit.MANY'] ??= () => {
        this.CONSUME(t.Comma);
        this.OPTION2(this.actions['setLit.OPTION2'] ??= () => this.SUBRULE2(this.expression, label.elements));
      });
    });
    this.CONSUME(t.RCurly);
  });

  readonly seqLit = this.RULE('seqLit', () => {
    this.CONSUME(t.LBracket);
    this.OPTION(this.actions['seqLit.OPTION'] ??= () => {
      this.SUBRULE(this.expression, label.elements);
      this.MANY(this.actions['seqLit.MANY'] ??= () => {
        this.CONSUME(t.Comma);
        this.OPTION2(this.actions['seqLit.OPTION2'] ??= () => this.SUBRULE2(this.expression, label.elements));
      });
    });
    this.CONSUME(t.RBracket);
  });

  readonly condExpr = this.RULE('condExpr', () => {
    this.CONSUME(t.If);
    this.SUBRULE(this.expression, label.condition);
    this.CONSUME(t.Then);
    this.SUBRULE2(this.expression, label.then);
    this.CONSUME(t.Else);
    this.SUBRULE3(this.expression, label.else);
  });

  readonly quantExpr = this.RULE('quantExpr', () => {
    this.OR(this.alternatives['quantExpr'] ??= [
      { ALT: () => this.CONSUME(t.Forall, label.quantifier) },
      { ALT: () => this.CONSUME(t.Exists, label.quantifier) },
    ]);
    this.CONSUME(t.Identifier, label.variable);
    this.CONSUME(t.In);
    this.SUBRULE(this.domain, label.domain);
    this.CONSUME(t.Colon);
    this.SUBRULE(this.expression, label.body);
  });
}

/** The one parser instance: building the grammar is the slow part, parsing is not. */
export const ftpParser = new FtpParser();

