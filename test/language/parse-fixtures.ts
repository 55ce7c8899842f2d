import type { AstNode, Expr } from '../../language/ast.js';

/**
 * Shared by the parser tests (not a test file itself): a reference protocol that
 * uses every construct of docs/language.md, a generic AST walker and an
 * S-expression printer for expressions.
 */

export const REFERENCE = `protocol Reference
param N = 3
param f = 1
param Q = 2 * f + 1
type Value = 0..1
type Phase = INIT | READY | COMMIT | ABORT
type Slots = set<0..N-1>
type Anyone = node

message Ping
message Vote { value: bool, round: 0..3 }
message Order { signed value: Value, from: General }

network sync(2) fifo lossy
quorum read Qr = 2 of Participant
quorum write Qw = 2 of Participant

node Coordinator {
  state phase: INIT | WAIT | COMMIT | ABORT = INIT
  state yes: set<Participant> = {}
  stable state log: seq<0..3> = []
  state input: bool = any
  state acked: map<Participant, bool>
  state count: int = 0;
  on start { broadcast Ping to Participant; phase = WAIT; set timer t after 5 }
  on recover { cancel timer t }
  on timeout t when phase == WAIT { phase = ABORT }
  on Vote(v, r) from p when r == count {
    if v { yes += p } else if r > 2 { phase = ABORT } else { count -= 1 }
    acked[p] = true
    let n = |yes|
    send Vote(value: true, round: 1) to p
    choose { decide 1 } or { deliver n }
    choose x in 0..3 { count = x }
  }
}

node Participant[N] {
  stable state phase: Phase = INIT
  on Ping from c { send Vote(true, 1) to c }
}

invariant Agreement: forall p in Participant: forall q in Participant: p.decided and q.decided implies p.decision == q.decision
eventually Termination: forall p in Participant: correct(p) implies p.decided
eventually Delivery within 20: forall p in Participant: |p.delivered| == 1
invariant Counting: count p in Participant where p.phase == COMMIT <= N
invariant Misc: not (Participant[1].phase in {COMMIT, ABORT}) or (if self == self then -1 else 2) != min({1, 2}) and [1, 2][1] not in {3}

check explore {
  crash up to 1 of Coordinator
  crash up to 1 of Participant and recover
  crash up to 1 of Coordinator while sending
  drop up to 1 of Vote
  duplicate up to 1
  delay up to 1
  partition up to 1
  byzantine up to f of Participant
  depth 40
  states 1000000
  expect Termination violated
}
check Random simulate { with N = 5, f = 1; runs 500; steps 200; seed 7 }

scenario CoordinatorCrash {
  crash Coordinator after receive Vote from Participant[3]
  crash Coordinator after send Vote to Participant[1]
  crash Participant[2] at step 3
  crash Coordinator when Coordinator.phase == WAIT
  recover Coordinator at step 10
  drop Vote from Participant[1] to Coordinator times 2
  partition {Coordinator} | {Participant} from step 3 to step 8
  byzantine Participant[1]
  expect Agreement holds
}
`;

function isAstNode(value: unknown): value is AstNode {
  return typeof value === 'object' && value !== null && 'kind' in value && 'span' in value;
}

/** Direct children of a node: every field that holds a node or a list of nodes. */
export function childNodes(node: AstNode): AstNode[] {
  const out: AstNode[] = [];
  for (const [key, value] of Object.entries(node)) {
    if (key === 'span') continue;
    if (Array.isArray(value)) {
      for (const item of value) if (isAstNode(item)) out.push(item);
    } else if (isAstNode(value)) {
      out.push(value);
    }
  }
  return out;
}

/** Calls `visit` on every node below `root` (root included), parents first. */
export function forEachNode(root: AstNode, visit: (node: AstNode, parent: AstNode | null) => void): void {
  const stack: [AstNode, AstNode | null][] = [[root, null]];
  while (stack.length > 0) {
    const [node, parent] = stack.pop()!;
    visit(node, parent);
    for (const child of childNodes(node)) stack.push([child, node]);
  }
}

/** Every node of a kind, in source order. */
export function nodesOf<K extends AstNode['kind']>(root: AstNode, kind: K): Extract<AstNode, { kind: K }>[] {
  const out: AstNode[] = [];
  forEachNode(root, (node) => {
    if (node.kind === kind) out.push(node);
  });
  out.sort((a, b) => a.span.start - b.span.start);
  return out as Extract<AstNode, { kind: K }>[];
}

/** `(+ 1 (* 2 3))`: the shape of an expression, for precedence tests. */
export function sexp(e: Expr): string {
  switch (e.kind) {
    case 'IntLit':
      return String(e.value);
    case 'BoolLit':
      return String(e.value);
    case 'NameExpr':
      return e.name;
    case 'SelfExpr':
      return 'self';
    case 'FieldExpr':
      return `(. ${sexp(e.target)} ${e.field.name})`;
    case 'IndexExpr':
      return `([] ${sexp(e.target)} ${sexp(e.index)})`;
    case 'CallExpr':
      return `(${e.callee.name}${e.args.map((a) => ` ${sexp(a)}`).join('')})`;
    case 'UnaryExpr':
      return `(${e.op} ${sexp(e.operand)})`;
    case 'BinaryExpr':
      return `(${e.op} ${sexp(e.left)} ${sexp(e.right)})`;
    case 'SetLit':
      return `{${e.elements.map(sexp).join(' ')}}`;
    case 'SeqLit':
      return `[${e.elements.map(sexp).join(' ')}]`;
    case 'SizeExpr':
      return `|${sexp(e.operand)}|`;
    case 'QuantExpr':
      return `(${e.quantifier} ${e.variable.name} ${sexp(e.domain)} ${sexp(e.body)})`;
    case 'CountExpr':
      return `(count ${e.variable.name} ${sexp(e.domain)}${e.condition ? ` ${sexp(e.condition)}` : ''})`;
    case 'CondExpr':
      return `(if ${sexp(e.condition)} ${sexp(e.then)} ${sexp(e.else)})`;
    case 'RangeExpr':
      return `(.. ${sexp(e.low)} ${sexp(e.high)})`;
    case 'MissingExpr':
      return '?';
  }
}

/**
 * Problems with a tree: a span that is not integral, lies outside the text, runs
 * backwards or leaves its parent's; or anything that is not plain JSON data
 * (undefined, NaN, a class instance). Empty when all is well.
 */
export function spanProblems(root: AstNode, textLength: number): string[] {
  const problems: string[] = [];
  const visit = (value: unknown, parent: AstNode | null, path: string): void => {
    if (value === null || typeof value === 'string' || typeof value === 'boolean') return;
    if (typeof value === 'number') {
      if (!Number.isFinite(value)) problems.push(`${path}: ${value}`);
      return;
    }
    if (Array.isArray(value)) {
      value.forEach((item, i) => visit(item, parent, `${path}[${i}]`));
      return;
    }
    if (typeof value !== 'object' || Object.getPrototypeOf(value) !== Object.prototype) {
      problems.push(`${path}: not plain data (${typeof value})`);
      return;
    }
    let node = parent;
    if (isAstNode(value)) {
      node = value;
      const { start, end } = value.span;
      if (!Number.isInteger(start) || !Number.isInteger(end)) problems.push(`${path} ${value.kind}: non-integer span ${start}..${end}`);
      else if (start < 0 || end > textLength || start > end) problems.push(`${path} ${value.kind}: bad span ${start}..${end} (text ${textLength})`);
      else if (parent && (start < parent.span.start || end > parent.span.end)) {
        problems.push(`${path} ${value.kind} ${start}..${end} is outside its parent ${parent.kind} ${parent.span.start}..${parent.span.end}`);
      }
    }
    for (const [key, child] of Object.entries(value)) {
      if (key === 'span' && node === value) continue;
      visit(child, node, `${path}.${key}`);
    }
  };
  visit(root, null, 'file');
  return problems;
}
