import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { dashboardValidators } from '../../../src/protocol/dashboard/dashboardValidators';
import { validateViewMessage } from '../../../src/protocol/rpcValidation';

describe('panel messages are validated before any handler sees them', () => {
  test('a well-formed request passes with its params', () => {
    const r = validateViewMessage({ kind: 'request', id: 7, method: 'getOverview', params: {} }, dashboardValidators);
    assert.deepEqual(r, { ok: true, message: { kind: 'request', id: 7, method: 'getOverview', params: {} } });
  });

  test('a notification with a known action passes', () => {
    const r = validateViewMessage({ kind: 'notify', method: 'runAction', params: { action: 'openSettings' } }, dashboardValidators);
    assert.equal(r.ok, true);
  });

  test('an action the host does not offer is refused with the field named', () => {
    const r = validateViewMessage({ kind: 'notify', method: 'runAction', params: { action: 'rm -rf /' } }, dashboardValidators);
    assert.equal(r.ok, false);
    assert.match(!r.ok ? r.error : '', /Invalid parameters for "runAction": action: expected one of "revealStore", "openSettings"/);
  });

  test('an unknown request method is refused and keeps its id so the view gets an answer', () => {
    const r = validateViewMessage({ kind: 'request', id: 3, method: 'dropTables', params: {} }, dashboardValidators);
    assert.deepEqual(r, { ok: false, id: 3, error: 'Unknown request "dropTables"' });
  });

  test('inherited property names are not methods', () => {
    const r = validateViewMessage({ kind: 'request', id: 4, method: 'constructor', params: {} }, dashboardValidators);
    assert.equal(r.ok, false);
  });

  test('extra parameters are refused rather than silently passed on', () => {
    const r = validateViewMessage({ kind: 'request', id: 5, method: 'getOverview', params: { sql: 'DROP TABLE runs' } }, dashboardValidators);
    assert.equal(r.ok, false);
    assert.match(!r.ok ? r.error : '', /getOverview.*unexpected field "sql"/);
  });

  for (const raw of [null, 42, 'hello', { kind: 'request', method: 'getOverview' }, { kind: 'request', id: -1, method: 'getOverview', params: {} }, { kind: 'bogus' }]) {
    test(`a malformed envelope (${JSON.stringify(raw)}) is refused`, () => {
      const r = validateViewMessage(raw, dashboardValidators);
      assert.equal(r.ok, false);
      assert.match(!r.ok ? r.error : '', /Malformed panel message/);
    });
  }
});
