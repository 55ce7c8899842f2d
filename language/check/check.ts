import type * as ast from '../ast.js';
import { sortDiagnostics, type Result } from '../diagnostic.js';
import type { Checker } from './context.js';
import { collectDeclarations } from './declarations.js';
import { checkAllHandlers, checkRoleHandlers } from './handlers.js';
import { runLints } from './lints/index.js';
import { checkMessageFields, checkRoleStates, checkStateInits, resolveAliases } from './members.js';
import type { CheckedModel } from './model.js';
import { checkNetwork, checkParams, checkQuorums, checkRoleCounts } from './params.js';
import { checkProperties } from './properties.js';
import { scanHandlers } from './scan.js';
import { checkRunBlocks } from './settings.js';

/**
 * The checker: AST -> CheckedModel + diagnostics. Never throws on any tree,
 * including recovered ones; a part that is missing or already wrong gets the
 * `error` type, so one mistake gives one diagnostic.
 *
 * Phases, in order (each may rely on the ones before):
 *  1. declarations: the shared namespace, infos, enum labels;
 *  2. constants: params (over earlier params), node counts, quorum sizes, network bound;
 *  3. members: type aliases, message fields, role states;
 *  4. a syntactic scan of handlers: senders of each message, timers of each role;
 *  5. handlers (decide/deliver types lazily), state initial values, properties;
 *  6. checks and scenarios;
 *  7. lints (warnings).
 */
export function checkProtocol(file: ast.ProtocolFile): Result<CheckedModel> {
  const model = emptyModel(file);
  const c: Checker = {
    model,
    symbols: {
      globals: new Map(),
      fields: new Map(),
      states: new Map(),
      timers: new Map(),
      typeDecls: new Map(),
      paramOrder: new Map(),
      stateOwners: new Map(),
    },
    items: { params: [], messages: [], roles: [], quorums: [], properties: [], types: [] },
    facts: { sends: [], sendersByMessage: new Map(), useCounts: new Map(), blockEnvs: new Map(), sentBy: new Map() },
    diagnostics: [],
    muted: 0,
    dry: 0,
    env: new Map(),
    resolvingAliases: new Set(),
    declTypes: new Map(),
    eventState: new Map(),
    checkRoleHandlers: (role) => checkRoleHandlers(c, role),
  };

  collectDeclarations(c, file);
  checkParams(c);
  checkRoleCounts(c);
  checkQuorums(c);
  checkNetwork(c, file);
  resolveAliases(c);
  checkMessageFields(c);
  checkRoleStates(c);
  scanHandlers(c);
  checkAllHandlers(c);
  checkStateInits(c);
  checkProperties(c);
  checkRunBlocks(c, file);

  const hasErrors = c.diagnostics.some((d) => d.severity === 'error');
  const warnings = runLints({ model, facts: c.facts, symbols: c.symbols, hasErrors });
  model.hasErrors = hasErrors;
  return { value: model, diagnostics: sortDiagnostics([...c.diagnostics, ...warnings]) };
}

function emptyModel(file: ast.ProtocolFile): CheckedModel {
  return {
    file,
    name: '',
    params: [],
    messages: [],
    roles: [],
    quorums: [],
    properties: [],
    scenarios: [],
    checks: [],
    network: { timing: 'async', delta: null, ordering: 'unordered', reliability: 'reliable', decl: null },
    paramByName: new Map(),
    messageByName: new Map(),
    roleByName: new Map(),
    quorumByName: new Map(),
    propertyByName: new Map(),
    typeAliases: new Map(),
    labels: new Set(),
    refs: new Map(),
    types: new Map(),
    definitions: [],
    references: [],
    hasErrors: false,
  };
}
