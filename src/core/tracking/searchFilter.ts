// MLflow's search-filter grammar: clauses joined by AND, each `<type>.<key> <comparator> <constant>`.
// The parser is hand-written so that every failure says where (1-based column) and what was expected.

export type EntityType = 'metrics' | 'params' | 'tags' | 'attributes' | 'datasets';
export type Comparator = '=' | '!=' | '<' | '<=' | '>' | '>=' | 'LIKE' | 'ILIKE' | 'IN' | 'NOT IN';

export interface FilterClause {
  readonly entity: EntityType;
  readonly key: string;
  readonly comparator: Comparator;
  /** a number for numeric comparisons, a string for string ones, a list for IN / NOT IN */
  readonly value: number | string | readonly string[];
  /** 1-based column of the clause's identifier, for semantic errors */
  readonly column: number;
}

/** A filter (or order_by) string that does not parse; `column` is 1-based. */
export class FilterSyntaxError extends Error {
  constructor(
    readonly column: number,
    readonly detail: string,
  ) {
    super(`Invalid filter at column ${column}: ${detail}`);
    this.name = 'FilterSyntaxError';
  }
}

const ENTITY_ALIASES: ReadonlyMap<string, EntityType> = new Map([
  ['metric', 'metrics'],
  ['metrics', 'metrics'],
  ['param', 'params'],
  ['params', 'params'],
  ['parameter', 'params'],
  ['parameters', 'params'],
  ['tag', 'tags'],
  ['tags', 'tags'],
  ['attribute', 'attributes'],
  ['attributes', 'attributes'],
  ['attr', 'attributes'],
  ['run', 'attributes'],
  ['dataset', 'datasets'],
  ['datasets', 'datasets'],
]);

export const NUMERIC_ATTRIBUTES: ReadonlySet<string> = new Set(['start_time', 'end_time', 'created']);
export const STRING_ATTRIBUTES: ReadonlySet<string> = new Set(['run_id', 'run_name', 'status', 'artifact_uri', 'user_id', 'experiment_id', 'parent_run_id']);
export const DATASET_KEYS: ReadonlySet<string> = new Set(['name', 'digest', 'context']);
const NUMERIC_COMPARATORS: readonly Comparator[] = ['=', '!=', '<', '<=', '>', '>='];
const STRING_COMPARATORS: readonly Comparator[] = ['=', '!=', 'LIKE', 'ILIKE'];
const LIST_COMPARATORS: readonly Comparator[] = ['IN', 'NOT IN'];
const ALL_COMPARATORS_TEXT = '=, !=, <, <=, >, >=, LIKE, ILIKE, IN';

type TokenKind = 'word' | 'quoted' | 'backticked' | 'number' | 'op' | '(' | ')' | ',' | '.' | 'end';

interface Token {
  readonly kind: TokenKind;
  readonly text: string;
  /** the value of a quoted string or a number's text */
  readonly value: string;
  /** 0-based offset */
  readonly at: number;
  /** whether whitespace came right before it (a key must follow its dot directly) */
  readonly spaced: boolean;
}

function describe(token: Token): string {
  if (token.kind === 'end') return 'the end of the filter';
  return `"${token.text.length > 30 ? token.text.slice(0, 30) + '…' : token.text}"`;
}

function tokenize(input: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  let spaced = false;
  while (i < input.length) {
    const c = input.charAt(i);
    if (/\s/.test(c)) {
      i++;
      spaced = true;
      continue;
    }
    const start = i;
    if (c === "'" || c === '"' || c === '`') {
      let value = '';
      i++;
      let closed = false;
      while (i < input.length) {
        const d = input.charAt(i);
        if (d === c) {
          // SQL style: a doubled quote inside a string is one quote.
          if (input.charAt(i + 1) === c) {
            value += c;
            i += 2;
            continue;
          }
          closed = true;
          i++;
          break;
        }
        if (d === '\\' && i + 1 < input.length) {
          value += input.charAt(i + 1);
          i += 2;
          continue;
        }
        value += d;
        i++;
      }
      if (!closed) throw new FilterSyntaxError(start + 1, `unterminated ${c === '`' ? 'backtick-quoted name' : 'string'} starting here (expected a closing ${c})`);
      tokens.push({ kind: c === '`' ? 'backticked' : 'quoted', text: input.slice(start, i), value, at: start, spaced });
    } else if (/[0-9]/.test(c) || ((c === '-' || c === '+' || c === '.') && /[0-9.]/.test(input.charAt(i + 1)) && !(c === '.' && tokens.at(-1)?.kind === 'word' && !spaced))) {
      const match = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/.exec(input.slice(i));
      const text = match?.[0] ?? c;
      i += text.length;
      // A number glued to letters is a bare key such as 1st_metric, read as a word.
      if (/[A-Za-z_]/.test(input.charAt(i))) {
        while (i < input.length && /[A-Za-z0-9_\-:/]/.test(input.charAt(i))) i++;
        tokens.push({ kind: 'word', text: input.slice(start, i), value: input.slice(start, i), at: start, spaced });
      } else {
        tokens.push({ kind: 'number', text, value: text, at: start, spaced });
      }
    } else if (/[A-Za-z_]/.test(c)) {
      while (i < input.length && /[A-Za-z0-9_\-:/]/.test(input.charAt(i))) i++;
      tokens.push({ kind: 'word', text: input.slice(start, i), value: input.slice(start, i), at: start, spaced });
    } else if (c === '!' || c === '<' || c === '>' || c === '=') {
      const two = input.slice(i, i + 2);
      const op = two === '!=' || two === '<=' || two === '>=' || two === '<>' || two === '==' ? two : c;
      if (op === '!') throw new FilterSyntaxError(start + 1, 'expected "!=" (a lone "!" is not a comparator)');
      i += op.length;
      tokens.push({ kind: 'op', text: op, value: op === '<>' ? '!=' : op === '==' ? '=' : op, at: start, spaced });
    } else if (c === '(' || c === ')' || c === ',' || c === '.') {
      i++;
      tokens.push({ kind: c, text: c, value: c, at: start, spaced });
    } else {
      throw new FilterSyntaxError(start + 1, `unexpected character "${c}"`);
    }
    spaced = false;
  }
  tokens.push({ kind: 'end', text: '', value: '', at: input.length, spaced });
  return tokens;
}

class Parser {
  private position = 0;

  constructor(private readonly tokens: readonly Token[]) {}

  peek(): Token {
    return this.tokens[this.position] ?? (this.tokens[this.tokens.length - 1] as Token);
  }

  next(): Token {
    const token = this.peek();
    if (this.position < this.tokens.length - 1) this.position++;
    return token;
  }

  isWord(word: string): boolean {
    const token = this.peek();
    return token.kind === 'word' && token.text.toUpperCase() === word;
  }

  fail(token: Token, expected: string): never {
    throw new FilterSyntaxError(token.at + 1, `expected ${expected}, found ${describe(token)}`);
  }

  /** `<type>.<key>` where key is bare (dots allowed), `backticked`, "double" or 'single' quoted. */
  identifier(defaultEntity?: EntityType): { entity: EntityType; key: string; column: number; text: string } {
    const head = this.next();
    if (head.kind !== 'word') this.fail(head, 'an identifier such as metrics.<key>, params.<key>, tags.<key> or attributes.<key>');
    const [typeName, ...rest] = head.text.split('.');
    const entity = ENTITY_ALIASES.get((typeName ?? '').toLowerCase());
    if (defaultEntity && (!entity || this.peek().kind !== '.')) {
      // Experiment filters may name attributes bare: `name LIKE 'x%'`.
      return { entity: defaultEntity, key: head.text, column: head.at + 1, text: head.text };
    }
    if (!entity) {
      throw new FilterSyntaxError(head.at + 1, `"${typeName}" is not a known type; expected metrics., params., tags., attributes. or datasets. before the key`);
    }
    let key = rest.join('.');
    // The word tokenizer stops at dots, so rebuild "metrics.a.b" and "metrics.`x`" from the pieces.
    if (key === '') {
      const dot = this.next();
      if (dot.kind !== '.' || dot.spaced) this.fail(dot, `"." and a key after "${head.text}"`);
      key = this.keyPart(head.text + '.');
    }
    while (this.peek().kind === '.' && !this.peek().spaced) {
      this.next();
      key += '.' + this.keyPart(`${head.text}.${key}.`);
    }
    if (key === '') this.fail(this.peek(), `a key after "${head.text}."`);
    return { entity, key, column: head.at + 1, text: `${head.text}.${key}` };
  }

  private keyPart(after: string): string {
    const token = this.next();
    if (token.spaced) this.fail(token, `a key right after "${after}"`);
    if (token.kind === 'word' || token.kind === 'number') return token.text;
    if (token.kind === 'quoted' || token.kind === 'backticked') return token.value;
    return this.fail(token, `a key after "${after}"`);
  }

  comparator(subject: string): Comparator {
    const token = this.peek();
    const expected = `a comparator (${ALL_COMPARATORS_TEXT}) after "${subject}"`;
    if (token.kind === 'op') {
      this.next();
      return token.value as Comparator;
    }
    if (token.kind === 'word') {
      const word = token.text.toUpperCase();
      if (word === 'LIKE' || word === 'ILIKE' || word === 'IN') {
        this.next();
        return word;
      }
      if (word === 'NOT') {
        this.next();
        if (this.isWord('IN')) {
          this.next();
          return 'NOT IN';
        }
        this.fail(this.peek(), `IN after "NOT"`);
      }
    }
    return this.fail(token, expected);
  }

  constant(): { kind: 'number' | 'string'; value: string; token: Token } {
    const token = this.next();
    if (token.kind === 'number') return { kind: 'number', value: token.value, token };
    if (token.kind === 'quoted') return { kind: 'string', value: token.value, token };
    return this.fail(token, 'a number or a quoted string');
  }

  list(): { values: string[]; token: Token } {
    const open = this.next();
    if (open.kind !== '(') this.fail(open, 'a parenthesised list of quoted strings, e.g. (\'a\', \'b\')');
    const values: string[] = [];
    for (;;) {
      const item = this.next();
      if (item.kind !== 'quoted') this.fail(item, 'a quoted string in the list');
      values.push(item.value);
      const separator = this.next();
      if (separator.kind === ')') break;
      if (separator.kind !== ',') this.fail(separator, '"," or ")" in the list');
    }
    return { values, token: open };
  }
}

/** What a filter may say: run search by default, experiment search passes its own attributes. */
export interface FilterDialect {
  readonly numericAttributes: ReadonlySet<string>;
  readonly stringAttributes: ReadonlySet<string>;
  readonly entities: ReadonlySet<EntityType>;
  /** entity of a bare identifier without "<type>." (experiment filters: attributes) */
  readonly defaultEntity?: EntityType;
}

export const RUN_FILTER_DIALECT: FilterDialect = {
  numericAttributes: NUMERIC_ATTRIBUTES,
  stringAttributes: STRING_ATTRIBUTES,
  entities: new Set<EntityType>(['metrics', 'params', 'tags', 'attributes', 'datasets']),
};

export const EXPERIMENT_FILTER_DIALECT: FilterDialect = {
  numericAttributes: new Set(['creation_time', 'last_update_time']),
  stringAttributes: new Set(['name', 'experiment_id']),
  entities: new Set<EntityType>(['tags', 'attributes']),
  defaultEntity: 'attributes',
};

function checkComparator(dialect: FilterDialect, entity: EntityType, key: string, comparator: Comparator, column: number, subject: string): 'number' | 'string' | 'list' {
  let allowed: readonly Comparator[];
  let kind: 'number' | 'string';
  if (!dialect.entities.has(entity)) {
    throw new FilterSyntaxError(column, `${entity}. cannot be used here; expected ${[...dialect.entities].map((e) => e + '.').join(', ')}`);
  }
  if (entity === 'metrics' || (entity === 'attributes' && dialect.numericAttributes.has(key))) {
    allowed = NUMERIC_COMPARATORS;
    kind = 'number';
  } else if (entity === 'attributes') {
    if (!dialect.stringAttributes.has(key)) {
      throw new FilterSyntaxError(column, `"${key}" is not a searchable attribute; expected one of ${[...dialect.stringAttributes, ...dialect.numericAttributes].join(', ')}`);
    }
    if (LIST_COMPARATORS.includes(comparator) && key !== 'run_id') {
      // MLflow's rule (search_utils): lists only for run ids, so a filter that works here works there.
      throw new FilterSyntaxError(column, "Only the 'run_id' attribute supports comparison with a list of quoted string values.");
    }
    allowed = [...STRING_COMPARATORS, ...LIST_COMPARATORS];
    kind = 'string';
  } else if (entity === 'datasets') {
    if (!DATASET_KEYS.has(key)) throw new FilterSyntaxError(column, `"${key}" is not a dataset field; expected name, digest or context`);
    allowed = [...STRING_COMPARATORS, ...LIST_COMPARATORS];
    kind = 'string';
  } else {
    allowed = STRING_COMPARATORS;
    kind = 'string';
  }
  if (!allowed.includes(comparator)) {
    throw new FilterSyntaxError(column, `"${subject}" takes ${kind === 'number' ? 'a numeric' : 'a string'} comparator (${allowed.join(', ')}), not ${comparator}`);
  }
  return comparator === 'IN' || comparator === 'NOT IN' ? 'list' : kind;
}

/** Parses an MLflow filter string; an empty or blank filter matches everything. */
export function parseFilter(filter: string | undefined, dialect: FilterDialect = RUN_FILTER_DIALECT): FilterClause[] {
  if (filter === undefined || filter.trim() === '') return [];
  const parser = new Parser(tokenize(filter));
  const clauses: FilterClause[] = [];
  for (;;) {
    const { entity, key, column, text: subject } = parser.identifier(dialect.defaultEntity);
    const comparator = parser.comparator(subject);
    const kind = checkComparator(dialect, entity, key, comparator, column, subject);
    if (kind === 'list') {
      const { values } = parser.list();
      clauses.push({ entity, key, comparator, value: values, column });
    } else {
      const constant = parser.constant();
      if (kind === 'number') {
        if (constant.kind !== 'number') {
          throw new FilterSyntaxError(constant.token.at + 1, `expected a number after "${subject} ${comparator}", found ${describe(constant.token)}`);
        }
        clauses.push({ entity, key, comparator, value: Number(constant.value), column });
      } else {
        if (constant.kind !== 'string') {
          throw new FilterSyntaxError(constant.token.at + 1, `expected a quoted string after "${subject} ${comparator}", found ${describe(constant.token)} (quote it: '${constant.value}')`);
        }
        clauses.push({ entity, key, comparator, value: constant.value, column });
      }
    }
    const after = parser.next();
    if (after.kind === 'end') return clauses;
    if (after.kind === 'word' && after.text.toUpperCase() === 'AND') continue;
    if (after.kind === 'word' && after.text.toUpperCase() === 'OR') {
      throw new FilterSyntaxError(after.at + 1, 'OR is not supported (MLflow filters join clauses with AND only)');
    }
    parser.fail(after, 'AND or the end of the filter');
  }
}

export interface OrderByTerm {
  readonly entity: EntityType;
  readonly key: string;
  readonly ascending: boolean;
}

/** Parses one order_by entry such as `metrics.acc DESC` or `attributes.start_time`. */
export function parseOrderBy(term: string, dialect: FilterDialect = RUN_FILTER_DIALECT): OrderByTerm {
  const parser = new Parser(tokenize(term));
  const { entity, key, column } = parser.identifier(dialect.defaultEntity);
  if (entity === 'datasets' || !dialect.entities.has(entity)) throw new FilterSyntaxError(column, `cannot order by ${entity}.`);
  if (entity === 'attributes' && !dialect.numericAttributes.has(key) && !dialect.stringAttributes.has(key)) {
    throw new FilterSyntaxError(column, `"${key}" is not an attribute that runs can be ordered by`);
  }
  let ascending = true;
  if (parser.isWord('ASC')) parser.next();
  else if (parser.isWord('DESC')) {
    parser.next();
    ascending = false;
  }
  const end = parser.next();
  if (end.kind !== 'end') parser.fail(end, 'ASC, DESC or the end of the order_by term');
  return { entity, key, ascending };
}

/** SQL LIKE: % any run, _ one character; everything else literal. */
export function likeToRegExp(pattern: string, caseInsensitive: boolean): RegExp {
  let source = '^';
  for (const ch of pattern) {
    if (ch === '%') source += '[\\s\\S]*';
    else if (ch === '_') source += '[\\s\\S]';
    else source += ch.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(source + '$', caseInsensitive ? 'iu' : 'u');
}
