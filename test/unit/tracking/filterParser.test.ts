import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { FilterSyntaxError, parseFilter, parseOrderBy } from '../../../src/core/tracking/searchFilter';

test('MLflow filter syntax parses into clauses', () => {
  assert.deepEqual(parseFilter(`params.model = 'CNN' and metrics.\`error rate\` <= 0.05 AND tags."mlflow.runName" != "x"`), [
    { entity: 'params', key: 'model', comparator: '=', value: 'CNN', column: 1 },
    { entity: 'metrics', key: 'error rate', comparator: '<=', value: 0.05, column: 26 },
    { entity: 'tags', key: 'mlflow.runName', comparator: '!=', value: 'x', column: 59 },
  ]);
  assert.deepEqual(parseFilter("attributes.run_id IN ('a', 'b') and attribute.status = 'FAILED' and metric.a.b >= -1e3"), [
    { entity: 'attributes', key: 'run_id', comparator: 'IN', value: ['a', 'b'], column: 1 },
    { entity: 'attributes', key: 'status', comparator: '=', value: 'FAILED', column: 37 },
    { entity: 'metrics', key: 'a.b', comparator: '>=', value: -1000, column: 69 },
  ]);
  assert.deepEqual(parseFilter('  '), []);
  assert.deepEqual(parseFilter("params.name ILIKE '%it''s%'")[0]?.value, "%it's%");
});

test('syntax errors name the 1-based column and what was expected', () => {
  const cases: [string, RegExp][] = [
    ['metrics.acc  0.9', /^Invalid filter at column 14: expected a comparator \(=, !=, <, <=, >, >=, LIKE, ILIKE, IN\) after "metrics.acc", found "0.9"$/],
    ['metrics.acc > ', /^Invalid filter at column 15: expected a number or a quoted string, found the end of the filter$/],
    ["params.lr = 0.1", /^Invalid filter at column 13: expected a quoted string after "params.lr =", found "0.1"/],
    ["metrics.acc = 'high'", /^Invalid filter at column 15: expected a number after "metrics.acc =", found "'high'"$/],
    ["metrics.acc LIKE '%'", /^Invalid filter at column 1: "metrics.acc" takes a numeric comparator/],
    ['metrics.a > 1 OR metrics.b < 2', /^Invalid filter at column 15: OR is not supported/],
    ['metrics.a > 1 metrics.b < 2', /^Invalid filter at column 15: expected AND or the end of the filter, found "metrics"$/],
    ["run.colour = 'red'", /^Invalid filter at column 1: "colour" is not a searchable attribute/],
    ["params.x = 'open", /^Invalid filter at column 12: unterminated string/],
    ["attributes.run_id IN ('a' 'b')", /^Invalid filter at column 27: expected "," or "\)" in the list/],
    ['= 3', /^Invalid filter at column 1: expected an identifier/],
  ];
  for (const [filter, expected] of cases) {
    assert.throws(() => parseFilter(filter), (error: unknown) => {
      assert.ok(error instanceof FilterSyntaxError, `${filter}: ${String(error)}`);
      assert.match(error.message, expected, filter);
      return true;
    });
  }
});

test('order_by terms parse, and bad ones say why', () => {
  assert.deepEqual(parseOrderBy('metrics.acc DESC'), { entity: 'metrics', key: 'acc', ascending: false });
  assert.deepEqual(parseOrderBy('attributes.start_time'), { entity: 'attributes', key: 'start_time', ascending: true });
  assert.throws(() => parseOrderBy('metrics.acc DOWN'), /column 13: expected ASC, DESC or the end/);
});

const TOKENS = ['metrics.', 'params.', 'tags.', 'attributes.', 'datasets.', 'acc', '`a b`', '"x.y"', "'s'", '"s"', '=', '!=', '<', '<=', '>', '>=', 'LIKE', 'ILIKE', 'IN', 'NOT', 'AND', 'and', 'OR', '(', ')', ',', '1', '-2.5e3', '.5', 'run_id', 'status', 'start_time', ' ', '  ', '\\', "'", '"', '`', '%', 'é', '\u0000'];

test('random filter strings never crash the parser: they parse or throw FilterSyntaxError', () => {
  const check = (input: string): void => {
    try {
      parseFilter(input);
    } catch (error) {
      if (!(error instanceof FilterSyntaxError)) throw error;
      assert.ok(error.column >= 1 && error.column <= input.length + 1, `column ${error.column} outside "${input}"`);
    }
  };
  fc.assert(fc.property(fc.string({ maxLength: 60 }), check), { numRuns: 3000 });
  fc.assert(fc.property(fc.array(fc.constantFrom(...TOKENS), { maxLength: 14 }).map((parts) => parts.join('')), check), { numRuns: 5000 });
  fc.assert(fc.property(fc.array(fc.constantFrom(...TOKENS), { maxLength: 14 }).map((parts) => parts.join(' ')), check), { numRuns: 5000 });
});
