import type * as ast from '../ast.js';
import { addDefinition, error, makeDefinition, type Checker } from './context.js';
import type { Definition, MessageInfo, ParamInfo, PropertyInfo, QuorumInfo, RoleInfo } from './model.js';

/**
 * Collects the file's top-level declarations into the shared namespace (params,
 * types, messages, roles, quorums, properties, scenarios, checks): one info per
 * declaration, registered in the model's lists and maps unless its name is taken
 * (FTP206). Also gathers every enum label, since labels are values everywhere.
 */

const kindWords: Record<Definition['kind'], string> = {
  param: 'param',
  type: 'type',
  message: 'message',
  field: 'field',
  role: 'node role',
  state: 'state',
  timer: 'timer',
  quorum: 'quorum',
  property: 'property',
  scenario: 'scenario',
  check: 'check',
  local: 'local',
};

export function describeKind(kind: Definition['kind']): string {
  return kindWords[kind];
}

/** Declares a global name; false when it is empty or already taken (reported). */
function defineGlobal(c: Checker, kind: Definition['kind'], ident: ast.Ident): boolean {
  const definition = addDefinition(c, makeDefinition(kind, ident));
  if (ident.name === '') return false;
  const first = c.symbols.globals.get(ident.name);
  if (first !== undefined) {
    error(c, 'FTP206', `'${ident.name}' is already declared as a ${describeKind(first.kind)}`, ident.span, [
      { span: first.nameSpan, message: `'${ident.name}' first declared here` },
    ]);
    return false;
  }
  c.symbols.globals.set(ident.name, definition);
  return true;
}

function collectLabels(type: ast.TypeExpr, labels: Set<string>): void {
  switch (type.kind) {
    case 'EnumType':
      for (const label of type.labels) if (label.name !== '') labels.add(label.name);
      return;
    case 'SetType':
    case 'SeqType':
      collectLabels(type.element, labels);
      return;
    case 'MapType':
      collectLabels(type.key, labels);
      collectLabels(type.value, labels);
      return;
    default:
      return;
  }
}

export function collectDeclarations(c: Checker, file: ast.ProtocolFile): void {
  const { model, items } = c;
  model.name = file.name?.name ?? '';
  for (const decl of file.decls) {
    if (decl.kind === 'TypeDecl') collectLabels(decl.type, model.labels);
    else if (decl.kind === 'MessageDecl') for (const field of decl.fields) collectLabels(field.type, model.labels);
    else if (decl.kind === 'NodeDecl') for (const state of decl.states) collectLabels(state.type, model.labels);
  }

  for (const decl of file.decls) {
    switch (decl.kind) {
      case 'ParamDecl': {
        const info: ParamInfo = { name: decl.name.name, decl, value: Number.NaN };
        items.params.push(info);
        if (defineGlobal(c, 'param', decl.name)) {
          c.symbols.paramOrder.set(info.name, items.params.length - 1);
          model.params.push(info);
          model.paramByName.set(info.name, info);
        }
        break;
      }
      case 'TypeDecl':
        items.types.push(decl);
        if (defineGlobal(c, 'type', decl.name)) c.symbols.typeDecls.set(decl.name.name, decl);
        break;
      case 'MessageDecl': {
        const info: MessageInfo = { name: decl.name.name, decl, index: model.messages.length, fields: [], senders: [] };
        items.messages.push(info);
        c.symbols.fields.set(info, new Map());
        if (defineGlobal(c, 'message', decl.name)) {
          model.messages.push(info);
          model.messageByName.set(info.name, info);
        }
        break;
      }
      case 'NodeDecl': {
        const info: RoleInfo = {
          name: decl.name.name,
          decl,
          index: model.roles.length,
          count: decl.count === null ? 1 : Number.NaN,
          replicated: decl.count !== null,
          states: [],
          handlers: [],
          timers: [],
          decisionType: null,
          deliveryType: null,
        };
        items.roles.push(info);
        c.symbols.states.set(info, new Map());
        c.symbols.timers.set(info, new Map());
        if (defineGlobal(c, 'role', decl.name)) {
          model.roles.push(info);
          model.roleByName.set(info.name, info);
          // Known before any expression is checked, so a stray state name is explained anywhere.
          for (const state of decl.states) {
            const owners = c.symbols.stateOwners.get(state.name.name);
            if (owners === undefined) c.symbols.stateOwners.set(state.name.name, [info.name]);
            else if (!owners.includes(info.name)) owners.push(info.name);
          }
        }
        break;
      }
      case 'NetworkDecl':
        if (model.network.decl === null) {
          model.network = { timing: decl.timing, delta: decl.delta, ordering: decl.ordering, reliability: decl.reliability, decl };
        } else {
          error(c, 'FTP216', 'the network is declared twice; only the first declaration counts', decl.span, [
            { span: model.network.decl.span, message: 'first network declaration' },
          ]);
        }
        break;
      case 'QuorumDecl': {
        const info: QuorumInfo = { name: decl.name.name, decl, access: decl.access, role: decl.role.name, size: Number.NaN };
        items.quorums.push(info);
        if (defineGlobal(c, 'quorum', decl.name)) {
          model.quorums.push(info);
          model.quorumByName.set(info.name, info);
        }
        break;
      }
      case 'PropertyDecl': {
        const info: PropertyInfo = { name: decl.name.name, decl, property: decl.property };
        items.properties.push(info);
        if (defineGlobal(c, 'property', decl.name)) {
          model.properties.push(info);
          model.propertyByName.set(info.name, info);
        }
        break;
      }
      case 'ScenarioDecl':
        if (defineGlobal(c, 'scenario', decl.name)) model.scenarios.push(decl);
        break;
      case 'CheckDecl':
        if (decl.name === null || defineGlobal(c, 'check', decl.name)) model.checks.push(decl);
        break;
    }
  }
}
