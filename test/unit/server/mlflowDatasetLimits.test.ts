import assert from 'node:assert/strict';
import { test } from 'node:test';
import { datasetForMlflow, datasetFromMlflow, MAX_DATASET_DIGEST, MAX_DATASET_NAME, MAX_DATASET_SCHEMA, MAX_DATASET_SOURCE } from '../../../src/core/remote/mlflowDatasetLimits';
import type { DatasetInput } from '../../../src/core/tracking/trackingTypes';

const sha = `sha256:${'0123456789abcdef'.repeat(4)}`;

test('a sha256 digest is sent to MLflow as its first 36 hex characters and comes back whole', () => {
  const input: DatasetInput = { name: 'penguins', digest: sha, sourceType: 'local', source: '{"uri":"data/penguins.csv"}', profile: '{"num_rows": 344}', context: 'training' };
  const sent = datasetForMlflow(input);
  assert.equal(sent.digest, '0123456789abcdef'.repeat(4).slice(0, 36));
  assert.ok(sent.digest.length <= MAX_DATASET_DIGEST);
  assert.equal(sent.name, 'penguins');
  assert.equal(sent.context, 'training');
  assert.ok(sent.profile?.includes(sha), 'the whole digest travels in the profile');
  assert.deepEqual(datasetFromMlflow(sent), input);
});

test('every field over MLflow’s limits is fitted and restored; a dataset within them is sent as is', () => {
  const input: DatasetInput = { name: 'n'.repeat(MAX_DATASET_NAME + 1), digest: 'd'.repeat(40), sourceType: 'local', source: 's'.repeat(MAX_DATASET_SOURCE + 5), schema: 'x'.repeat(MAX_DATASET_SCHEMA + 1) };
  const sent = datasetForMlflow(input);
  assert.equal(sent.name.length, MAX_DATASET_NAME);
  assert.equal(sent.digest.length, MAX_DATASET_DIGEST);
  assert.equal(sent.source.length, MAX_DATASET_SOURCE);
  assert.equal(sent.schema, undefined);
  assert.deepEqual(datasetFromMlflow(sent), input);
  const small: DatasetInput = { name: 'toy', digest: 'abc', sourceType: 'local', source: '{}' };
  assert.equal(datasetForMlflow(small), small);
  assert.deepEqual(datasetFromMlflow({ ...small, profile: '{"rows": 3}' }), { ...small, profile: '{"rows": 3}' });
});
