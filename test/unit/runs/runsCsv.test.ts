import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { csvField, formatRunsCsv } from '../../../src/core/tracking/runsTable/runsCsv';

describe('runs CSV export', () => {
  test('quotes separators, quotes and newlines; empty for missing values', () => {
    assert.equal(csvField('plain'), 'plain');
    assert.equal(csvField('a,b'), '"a,b"');
    assert.equal(csvField('say "hi"'), '"say ""hi"""');
    assert.equal(csvField('two\nlines'), '"two\nlines"');
    assert.equal(csvField(null), '');
    assert.equal(csvField(0.1), '0.1');
    assert.equal(csvField(-2), '-2', 'negative numbers stay numbers');
  });

  test('text that a spreadsheet would run as a formula is neutralised', () => {
    assert.equal(csvField('=HYPERLINK("http://x")'), `"'=HYPERLINK(""http://x"")"`);
    assert.equal(csvField('+1'), "'+1");
    assert.equal(csvField('@SUM(A1)'), "'@SUM(A1)");
  });

  test('a header of column ids, CRLF lines, start time in ISO 8601 UTC', () => {
    const csv = formatRunsCsv(['attributes.run_name', 'attributes.start_time', 'metrics.acc', 'params.note'], [
      ['run-a', Date.UTC(2026, 0, 2, 3, 4, 5), 0.93, 'x,y'],
      ['run-b', 0, null, null],
    ]);
    assert.equal(csv, 'attributes.run_name,attributes.start_time,metrics.acc,params.note\r\nrun-a,2026-01-02T03:04:05.000Z,0.93,"x,y"\r\nrun-b,1970-01-01T00:00:00.000Z,,\r\n');
  });
});
