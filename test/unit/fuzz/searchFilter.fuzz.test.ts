import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import type { Comparator, FilterClause } from '../../../src/core/tracking/searchFilter';
import { DATASET_KEYS, FilterSyntaxError, NUMERIC_ATTRIBUTES, parseFilter, parseOrderBy, STRING_ATTRIBUTES } from '../../../src/core/tracking/searchFilter';
import { fuzzParameters } from './fuzzSettings';

/** A clause written the way a user may write it: any key backticked, any string single-quoted. */
function writeKey(key: string): string {
  return `\`${key.replace(/\\/g, '\\\\').replace(/`/g, '``')}\``;
}

function writeString(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;
}

function writeClause(clause: Omit<FilterClause, 'column'>): string {
  const value = Array.isArray(clause.value) ? `(${clause.value.map(writeString).join(', ')})` : typeof clause.value === 'number' ? String(clause.value) : writeString(clause.value as string);
  return `${clause.entity}.${writeKey(clause.key)} ${clause.comparator} ${value}`;
}

const anyKey = fc.string({ minLength: 1, maxLength: 12, unit: 'grapheme' });
const anyText = fc.string({ maxLength: 12, unit: 'grapheme' });
// -0 prints as "0": the filter cannot tell them apart, and neither can a comparison
const finite = fc.double({ noNaN: true, noDefaultInfinity: true }).map((n) => (Object.is(n, -0) ? 0 : n));
const numericComparator = fc.constantFrom<Comparator>('=', '!=', '<', '<=', '>', '>=');
const stringComparator = fc.constantFrom<Comparator>('=', '!=', 'LIKE', 'ILIKE');
const listComparator = fc.constantFrom<Comparator>('IN', 'NOT IN');

const clause: fc.Arbitrary<Omit<FilterClause, 'column'>> = fc.oneof(
  fc.record({ entity: fc.constant('metrics' as const), key: anyKey, comparator: numericComparator, value: finite }),
  fc.record({ entity: fc.constantFrom('params' as const, 'tags' as const), key: anyKey, comparator: stringComparator, value: anyText }),
  fc.record({ entity: fc.constant('attributes' as const), key: fc.constantFrom(...NUMERIC_ATTRIBUTES), comparator: numericComparator, value: finite }),
  fc.record({ entity: fc.constant('attributes' as const), key: fc.constantFrom(...STRING_ATTRIBUTES), comparator: stringComparator, value: anyText }),
  // as in MLflow, only run_id takes a list
  fc.record({ entity: fc.constantFrom('attributes' as const), key: fc.constant('run_id'), comparator: listComparator, value: fc.array(anyText, { minLength: 1, maxLength: 4 }) }),
  fc.record({ entity: fc.constantFrom('datasets' as const), key: fc.constantFrom(...DATASET_KEYS), comparator: fc.oneof(stringComparator, listComparator), value: anyText }).map((c) =>
    c.comparator === 'IN' || c.comparator === 'NOT IN' ? { ...c, value: [c.value] } : c,
  ),
);

test('fuzz: any filter written from clauses parses back to exactly those clauses, with each clause\'s column', () => {
  fc.assert(
    fc.property(fc.array(clause, { minLength: 1, maxLength: 5 }), fc.constantFrom(' AND ', ' and ', '  And\t'), (clauses, and) => {
      let text = '';
      const expected: FilterClause[] = [];
      for (const [i, c] of clauses.entries()) {
        if (i > 0) text += and;
        expected.push({ ...c, column: text.length + 1 });
        text += writeClause(c);
      }
      assert.deepEqual(parseFilter(text), expected, text);
    }),
    fuzzParameters(2_000, 1_500),
  );
});

test('fuzz: a written filter with one character cut or inserted parses or fails with FilterSyntaxError inside the text, nothing else', () => {
  const edit = fc.record({ at: fc.nat(), cut: fc.boolean(), insert: fc.constantFrom("'", '"', '`', '\\', '(', ')', ',', '.', '!', '<', 'x', ' ', '-', 'é', '\u0000') });
  fc.assert(
    fc.property(fc.array(clause, { minLength: 1, maxLength: 3 }), edit, (clauses, { at, cut, insert }) => {
      const whole = clauses.map(writeClause).join(' AND ');
      const i = at % (whole.length + 1);
      const text = cut ? whole.slice(0, i) + whole.slice(i + 1) : whole.slice(0, i) + insert + whole.slice(i);
      try {
        parseFilter(text);
      } catch (error) {
        if (!(error instanceof FilterSyntaxError)) throw error;
        assert.ok(error.column >= 1 && error.column <= text.length + 1, `column ${error.column} outside ${JSON.stringify(text)}`);
      }
    }),
    fuzzParameters(3_000, 1_500),
  );
});

test('fuzz: order_by terms written from any key parse back; random ones parse or fail with FilterSyntaxError', () => {
  fc.assert(
    fc.property(fc.constantFrom('metrics', 'params', 'tags'), anyKey, fc.constantFrom('', ' ASC', ' DESC', ' asc', ' desc'), (entity, key, direction) => {
      assert.deepEqual(parseOrderBy(`${entity}.${writeKey(key)}${direction}`), { entity, key, ascending: !/desc/i.test(direction) });
    }),
    fuzzParameters(1_000, 1_000),
  );
  fc.assert(
    fc.property(fc.string({ maxLength: 40 }), (text) => {
      try {
        parseOrderBy(text);
      } catch (error) {
        if (!(error instanceof FilterSyntaxError)) throw error;
      }
    }),
    fuzzParameters(2_000, 1_000),
  );
});
