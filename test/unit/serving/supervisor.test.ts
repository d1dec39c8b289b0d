import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EndpointSupervisor } from '../../../src/core/serving/endpointSupervisor';
import { DEFAULT_LIMITS } from '../../../src/core/serving/endpointTypes';

describe('endpoint supervisor', () => {
  it('reports a model that cannot load at once, names the folder, and frees the port', async () => {
    const statuses: string[] = [];
    const supervisor = new EndpointSupervisor({ model: { name: 'ghost', version: 1, uri: 'models:/ghost/1', packageDir: '/no/such/package' }, port: 0, limits: DEFAULT_LIMITS, onStatus: (s) => statuses.push(s) });
    await assert.rejects(supervisor.start(), /models:\/ghost\/1 could not start: .*\/no\/such\/package/);
    assert.equal(supervisor.status, 'failed');
    assert.deepEqual(statuses, ['starting', 'failed']);
    await assert.rejects(fetch(`${supervisor.url}/health`));
    await supervisor.stop();
  });
});
