import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { ModelSignature } from '../../../src/core/modelPackage/modelPackageFormat';
import { buildSampleRequest, trainingDataCandidates } from '../../../src/core/serving/sampleRequest';

const SIGNATURE: ModelSignature = {
  inputs: [
    { name: 'island', type: 'string', categories: ['Biscoe', 'Dream'], optional: false },
    { name: 'mass', type: 'double', optional: true },
  ],
  output: { task: 'classification', target: 'species', classes: ['a', 'b'] },
};

describe('sample request for the Send Sample Request command and the CLI curl example', () => {
  it('takes the head of the training data, typed by the signature, without the target', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mlops-sample-'));
    try {
      writeFileSync(join(dir, 'train.csv'), 'species,island,mass\na,Dream,3700\nb,Biscoe,NA\na,Dream,4000\na,Dream,1\n');
      const candidates = trainingDataCandidates('train.csv', join(dir, 'x.train.yaml'), '/nowhere');
      assert.equal(candidates[0], join(dir, 'train.csv'));
      assert.deepEqual(buildSampleRequest(SIGNATURE, candidates, 2), { dataframe_records: [{ island: 'Dream', mass: 3700 }, { island: 'Biscoe', mass: null }] });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('makes a row up from the signature when the data is gone', () => {
    assert.deepEqual(buildSampleRequest(SIGNATURE, ['/no/such/file.csv']), { dataframe_records: [{ island: 'Biscoe', mass: 0 }] });
    assert.deepEqual(trainingDataCandidates(undefined, undefined, undefined), []);
  });
});
