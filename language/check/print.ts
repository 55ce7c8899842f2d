import type * as ast from '../ast.js';

/**
 * Prints an expression back as `.ftp` source, for diagnostics ("0..N", "2 * f + 1").
 * Parenthesises by precedence, so the text reads like what the user wrote.
 */

const binaryPrecedence: Record<ast.BinaryOp, number> = {
  implies: 1,
  or: 2,
  and: 3,
  '==': 5, '!=': 5, '<': 5, '<=': 5, '>': 5, '>=': 5, in: 5, 'not in': 5,
  '+': 6, '-': 6, union: 6, intersect: 6, minus: 6,
  '*': 7, '/': 7, '%': 7,
};

export function printExpr(expr: ast.Expr): string {
  return print(expr, 0);
}

function wrap(text: string, precedence: number, context: number): string {
  return precedence < context ? `(${text})` : text;
}

function list(items: readonly ast.Expr[]): string {
  return items.map((item) => print(item, 0)).join(', ');
}

function print(expr: ast.Expr, context: number): string {
  switch (expr.kind) {
    case 'IntLit':
      return String(expr.value);
    case 'BoolLit':
      return expr.value ? 'true' : 'false';
    case 'NameExpr':
      return expr.name === '' ? '?' : expr.name;
    case 'SelfExpr':
      return 'self';
    case 'FieldExpr':
      return `${print(expr.target, 9)}.${expr.field.name}`;
    case 'IndexExpr':
      return `${print(expr.target, 9)}[${print(expr.index, 0)}]`;
    case 'CallExpr':
      return `${expr.callee.name}(${list(expr.args)})`;
    case 'UnaryExpr':
      return expr.op === 'not'
        ? wrap(`not ${print(expr.operand, 4)}`, 4, context)
        : wrap(`-${print(expr.operand, 8)}`, 8, context);
    case 'BinaryExpr': {
      const p = binaryPrecedence[expr.op];
      const rightAssociative = expr.op === 'implies';
      const comparison = p === 5;
      const left = print(expr.left, rightAssociative || comparison ? p + 1 : p);
      const right = print(expr.right, rightAssociative ? p : p + 1);
      return wrap(`${left} ${expr.op} ${right}`, p, context);
    }
    case 'SetLit':
      return `{${list(expr.elements)}}`;
    case 'SeqLit':
      return `[${list(expr.elements)}]`;
    case 'SizeExpr':
      return `|${print(expr.operand, 0)}|`;
    case 'QuantExpr':
      return wrap(`${expr.quantifier} ${expr.variable.name} in ${print(expr.domain, 0)}: ${print(expr.body, 0)}`, 0, context);
    case 'CountExpr': {
      const where = expr.condition ? ` where ${print(expr.condition, 0)}` : '';
      return wrap(`count ${expr.variable.name} in ${print(expr.domain, 0)}${where}`, 0, context);
    }
    case 'CondExpr':
      return wrap(`if ${print(expr.condition, 0)} then ${print(expr.then, 0)} else ${print(expr.else, 0)}`, 0, context);
    case 'RangeExpr':
      return wrap(`${print(expr.low, 6)}..${print(expr.high, 6)}`, 5, context);
    case 'MissingExpr':
      return '?';
  }
}

/** "3 nodes" or "N = 3 nodes", showing where a count comes from. */
export function printCount(countExpr: ast.Expr | null, value: number): string {
  const nodes = `${value} node${value === 1 ? '' : 's'}`;
  if (countExpr === null || countExpr.kind === 'IntLit') return nodes;
  return `${printExpr(countExpr)} = ${nodes}`;
}
