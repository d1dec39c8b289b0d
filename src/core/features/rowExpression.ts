/**
 * A small, safe expression language for feature transformations (no eval): numbers, "strings",
 * true/false/null, column names, + - * / %, comparisons (== != < <= > >=), and/or/not, parentheses,
 * and the functions abs, sqrt, log, exp, floor, ceil, round, min, max, pow, coalesce, if, lower,
 * upper, len, concat. Missing inputs (null) make arithmetic null.
 */

export type ExprValue = number | string | boolean | null;

export type ExprNode =
  | { kind: 'literal'; value: ExprValue }
  | { kind: 'column'; name: string }
  | { kind: 'unary'; op: '-' | 'not'; operand: ExprNode }
  | { kind: 'binary'; op: string; left: ExprNode; right: ExprNode }
  | { kind: 'call'; name: string; args: ExprNode[] };

export class ExpressionError extends Error {
  constructor(
    message: string,
    /** 0-based character offset in the expression */
    readonly offset: number,
  ) {
    super(message);
    this.name = 'ExpressionError';
  }
}

interface Token {
  type: 'num' | 'str' | 'id' | 'op' | 'end';
  text: string;
  at: number;
}

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const ch = source[i]!;
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    const at = i;
    const num = /^(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?/.exec(source.slice(i));
    if (num) {
      tokens.push({ type: 'num', text: num[0], at });
      i += num[0].length;
      continue;
    }
    const id = /^[A-Za-z_][A-Za-z0-9_]*/.exec(source.slice(i));
    if (id) {
      tokens.push({ type: 'id', text: id[0], at });
      i += id[0].length;
      continue;
    }
    if (ch === '"' || ch === "'") {
      let j = i + 1;
      let text = '';
      while (j < source.length && source[j] !== ch) {
        if (source[j] === '\\' && j + 1 < source.length) j++;
        text += source[j];
        j++;
      }
      if (j >= source.length) throw new ExpressionError(`the string starting at character ${at + 1} is never closed`, at);
      tokens.push({ type: 'str', text, at });
      i = j + 1;
      continue;
    }
    const two = source.slice(i, i + 2);
    if (['==', '!=', '<=', '>=', '&&', '||'].includes(two)) {
      tokens.push({ type: 'op', text: two, at });
      i += 2;
      continue;
    }
    if ('+-*/%<>(),!'.includes(ch)) {
      tokens.push({ type: 'op', text: ch, at });
      i++;
      continue;
    }
    throw new ExpressionError(`unexpected character "${ch}" at character ${at + 1}`, at);
  }
  tokens.push({ type: 'end', text: '', at: source.length });
  return tokens;
}

const FUNCTIONS: Record<string, [number, number]> = {
  abs: [1, 1], sqrt: [1, 1], log: [1, 1], exp: [1, 1], floor: [1, 1], ceil: [1, 1], round: [1, 2],
  min: [1, 99], max: [1, 99], pow: [2, 2], coalesce: [1, 99], if: [3, 3], lower: [1, 1], upper: [1, 1], len: [1, 1], concat: [1, 99],
};

const PRECEDENCE: Record<string, number> = { or: 1, '||': 1, and: 2, '&&': 2, '==': 3, '!=': 3, '<': 4, '<=': 4, '>': 4, '>=': 4, '+': 5, '-': 5, '*': 6, '/': 6, '%': 6 };

/** Parses an expression; errors say what and at which character. */
export function parseExpression(source: string): ExprNode {
  const tokens = tokenize(source);
  let pos = 0;
  const peek = (): Token => tokens[pos]!;
  const next = (): Token => tokens[pos++]!;
  const expect = (text: string): void => {
    const t = next();
    if (t.text !== text) throw new ExpressionError(`expected "${text}" at character ${t.at + 1}, found ${t.type === 'end' ? 'the end' : `"${t.text}"`}`, t.at);
  };
  const primary = (): ExprNode => {
    const t = next();
    if (t.type === 'num') return { kind: 'literal', value: Number(t.text) };
    if (t.type === 'str') return { kind: 'literal', value: t.text };
    if (t.type === 'op' && t.text === '(') {
      const inner = expression(0);
      expect(')');
      return inner;
    }
    if (t.type === 'op' && t.text === '-') return { kind: 'unary', op: '-', operand: unary() };
    if (t.type === 'id') {
      if (t.text === 'true' || t.text === 'false') return { kind: 'literal', value: t.text === 'true' };
      if (t.text === 'null') return { kind: 'literal', value: null };
      if (peek().text === '(') {
        const arity = FUNCTIONS[t.text];
        if (!arity) throw new ExpressionError(`unknown function "${t.text}" at character ${t.at + 1} (known: ${Object.keys(FUNCTIONS).join(', ')})`, t.at);
        next();
        const args: ExprNode[] = [];
        if (peek().text !== ')') {
          args.push(expression(0));
          while (peek().text === ',') {
            next();
            args.push(expression(0));
          }
        }
        expect(')');
        if (args.length < arity[0] || args.length > arity[1]) throw new ExpressionError(`${t.text}() takes ${arity[0] === arity[1] ? arity[0] : `${arity[0]}–${arity[1]}`} argument(s), got ${args.length}`, t.at);
        return { kind: 'call', name: t.text, args };
      }
      return { kind: 'column', name: t.text };
    }
    throw new ExpressionError(`unexpected ${t.type === 'end' ? 'end of expression' : `"${t.text}"`} at character ${t.at + 1}`, t.at);
  };
  const unary = (): ExprNode => {
    const t = peek();
    if ((t.type === 'id' && t.text === 'not') || (t.type === 'op' && t.text === '!')) {
      next();
      return { kind: 'unary', op: 'not', operand: unary() };
    }
    return primary();
  };
  const expression = (minPrecedence: number): ExprNode => {
    let left = unary();
    for (;;) {
      const t = peek();
      const op = t.text;
      const precedence = (t.type === 'op' || t.type === 'id') ? PRECEDENCE[op] : undefined;
      if (precedence === undefined || precedence <= minPrecedence) break;
      next();
      const right = expression(precedence);
      left = { kind: 'binary', op: op === '&&' ? 'and' : op === '||' ? 'or' : op, left, right };
    }
    return left;
  };
  const tree = expression(0);
  const rest = peek();
  if (rest.type !== 'end') throw new ExpressionError(`unexpected "${rest.text}" at character ${rest.at + 1}`, rest.at);
  return tree;
}

/** Column names an expression reads. */
export function expressionColumns(node: ExprNode, out: Set<string> = new Set()): Set<string> {
  if (node.kind === 'column') out.add(node.name);
  else if (node.kind === 'unary') expressionColumns(node.operand, out);
  else if (node.kind === 'binary') {
    expressionColumns(node.left, out);
    expressionColumns(node.right, out);
  } else if (node.kind === 'call') node.args.forEach((a) => expressionColumns(a, out));
  return out;
}

function num(v: ExprValue): number | null {
  if (v === null) return null;
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  const n = Number(v);
  return v.trim() !== '' && Number.isFinite(n) ? n : null;
}

function truthy(v: ExprValue): boolean {
  return v !== null && v !== false && v !== 0 && v !== '';
}

/** Evaluates against one row; `column(name)` gives a cell (null = missing). */
export function evaluateExpression(node: ExprNode, column: (name: string) => ExprValue): ExprValue {
  switch (node.kind) {
    case 'literal':
      return node.value;
    case 'column':
      return column(node.name);
    case 'unary': {
      const v = evaluateExpression(node.operand, column);
      if (node.op === 'not') return !truthy(v);
      const n = num(v);
      return n === null ? null : -n;
    }
    case 'binary': {
      if (node.op === 'and') return truthy(evaluateExpression(node.left, column)) && truthy(evaluateExpression(node.right, column));
      if (node.op === 'or') return truthy(evaluateExpression(node.left, column)) || truthy(evaluateExpression(node.right, column));
      const a = evaluateExpression(node.left, column);
      const b = evaluateExpression(node.right, column);
      if (node.op === '==') return a === b || (num(a) !== null && num(a) === num(b));
      if (node.op === '!=') return !(a === b || (num(a) !== null && num(a) === num(b)));
      if (a === null || b === null) return null;
      if (node.op === '+' && (typeof a === 'string' || typeof b === 'string') && (num(a) === null || num(b) === null)) return String(a) + String(b);
      if (['<', '<=', '>', '>='].includes(node.op) && typeof a === 'string' && typeof b === 'string' && (num(a) === null || num(b) === null)) {
        return node.op === '<' ? a < b : node.op === '<=' ? a <= b : node.op === '>' ? a > b : a >= b;
      }
      const x = num(a);
      const y = num(b);
      if (x === null || y === null) return null;
      switch (node.op) {
        case '+': return x + y;
        case '-': return x - y;
        case '*': return x * y;
        case '/': return y === 0 ? null : x / y;
        case '%': return y === 0 ? null : x % y;
        case '<': return x < y;
        case '<=': return x <= y;
        case '>': return x > y;
        case '>=': return x >= y;
      }
      return null;
    }
    case 'call': {
      const args = node.args;
      if (node.name === 'if') return truthy(evaluateExpression(args[0]!, column)) ? evaluateExpression(args[1]!, column) : evaluateExpression(args[2]!, column);
      const values = args.map((a) => evaluateExpression(a, column));
      if (node.name === 'coalesce') return values.find((v) => v !== null) ?? null;
      if (node.name === 'concat') return values.map((v) => (v === null ? '' : String(v))).join('');
      if (node.name === 'lower' || node.name === 'upper' || node.name === 'len') {
        const s = values[0];
        if (s === null || s === undefined) return null;
        return node.name === 'len' ? String(s).length : node.name === 'lower' ? String(s).toLowerCase() : String(s).toUpperCase();
      }
      const ns = values.map(num);
      if (ns.some((v) => v === null)) return null;
      const n = ns as number[];
      const r = ((): number => {
        switch (node.name) {
          case 'abs': return Math.abs(n[0]!);
          case 'sqrt': return Math.sqrt(n[0]!);
          case 'log': return Math.log(n[0]!);
          case 'exp': return Math.exp(n[0]!);
          case 'floor': return Math.floor(n[0]!);
          case 'ceil': return Math.ceil(n[0]!);
          case 'round': { const f = 10 ** (n[1] ?? 0); return Math.round(n[0]! * f) / f; }
          case 'min': return Math.min(...n);
          case 'max': return Math.max(...n);
          case 'pow': return n[0]! ** n[1]!;
        }
        return NaN;
      })();
      return Number.isFinite(r) ? r : null;
    }
  }
}
