import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { test } from 'node:test';
import { ACTOR_ENV, resolveActor } from '../../../src/core/registry/registryActor';

test('$MLOPS_ACTOR names who acts (a CI job, a service account) ahead of the git user', async () => {
  const before = process.env[ACTOR_ENV];
  try {
    process.env[ACTOR_ENV] = '  nightly-ci  ';
    assert.equal(await resolveActor(tmpdir()), 'nightly-ci');
    process.env[ACTOR_ENV] = '   ';
    assert.notEqual(await resolveActor(tmpdir()), '', 'blank falls back to git or the OS user');
  } finally {
    if (before === undefined) delete process.env[ACTOR_ENV];
    else process.env[ACTOR_ENV] = before;
  }
});
