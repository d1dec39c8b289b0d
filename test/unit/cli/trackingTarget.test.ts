import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CliError } from '../../../src/cli/cliContext';
import { trackingTarget } from '../../../src/cli/cliStore';

// Which store a CLI invocation works on: one rule for every command (issue #18).

const globals = { workspace: '/w' };

test('without a tracking URI the workspace store is used', () => {
  assert.deepEqual(trackingTarget(globals, {}), { kind: 'local', dir: '/w/.mlops' });
  assert.deepEqual(trackingTarget(globals, { MLFLOW_TRACKING_URI: '  ' }), { kind: 'local', dir: '/w/.mlops' }, 'an empty variable is no URI');
});

test('MLFLOW_TRACKING_URI and its credentials are read as MLflow reads them; --tracking-uri beats the variable; --local beats both', () => {
  const env = { MLFLOW_TRACKING_URI: 'https://mlflow.example.com/', MLFLOW_TRACKING_TOKEN: 't0ken', MLFLOW_TRACKING_USERNAME: 'ana', MLFLOW_TRACKING_PASSWORD: 'pw' };
  assert.deepEqual(trackingTarget(globals, env), { kind: 'remote', url: 'https://mlflow.example.com', via: 'MLFLOW_TRACKING_URI', credentials: { token: 't0ken', username: 'ana', password: 'pw' } });
  const flag = trackingTarget({ ...globals, trackingUri: 'http://other:5000' }, env);
  assert.equal(flag.kind === 'remote' && `${flag.via} ${flag.url}`, '--tracking-uri http://other:5000');
  assert.deepEqual(trackingTarget({ ...globals, local: true }, env), { kind: 'local', dir: '/w/.mlops' });
  assert.throws(() => trackingTarget({ ...globals, local: true, trackingUri: 'http://other:5000' }, env), /--local and --tracking-uri say different things/);
});

test('a tracking URI mlops cannot reach is refused with how to get back to the workspace store', () => {
  assert.throws(
    () => trackingTarget(globals, { MLFLOW_TRACKING_URI: 'databricks' }),
    (error: unknown) => error instanceof CliError && error.exitCode === 2 && /MLFLOW_TRACKING_URI=databricks is not an MLflow server's http\(s\) address.*Unset MLFLOW_TRACKING_URI, or pass --local/.test(error.message),
  );
  assert.throws(() => trackingTarget({ ...globals, trackingUri: 'file:///tmp/mlruns' }, {}), /--tracking-uri=file:\/\/\/tmp\/mlruns is not .*Pass --local/);
});
