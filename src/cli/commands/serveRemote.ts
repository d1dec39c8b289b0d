import { CliError, type CliGlobalOptions } from '../cliContext';
import { withCliStore } from '../cliStore';
import { waitForStopSignal } from '../foregroundServer';
import { printJson } from './trackingCliSupport';

/**
 * `mlops serve models:/…` with a tracking URI: the version is looked up in the team's registry,
 * its files come through the server's artifact API (once; cached), and one endpoint serves it.
 * What an endpoint keeps in the workspace store — its request log, feedback, following the alias
 * — is not kept here, and the banner says so.
 */
export async function serveFromServer(globals: CliGlobalOptions, uri: string, port: number, logSampleRate: number): Promise<void> {
  await withCliStore(globals, async (store) => {
    const registry = await store.registry();
    const version = await registry.resolveUri(uri);
    if (!globals.json) process.stderr.write(`mlops: ${uri} is version ${version.version} on ${store.where}; downloading its files\n`);
    const [{ downloadVersionFiles }, { EndpointSupervisor }, { DEFAULT_LIMITS }, { loadModelPackage }, { buildSampleRequest, trainingDataCandidates }] = await Promise.all([
      import('../../core/remote/remoteModelFiles'),
      import('../../core/serving/endpointSupervisor'),
      import('../../core/serving/endpointTypes'),
      import('../../core/modelPackage/modelPackageLoader'),
      import('../../core/serving/sampleRequest'),
    ]);
    const packageDir = await downloadVersionFiles(store.tracking, store.url as string, version);
    const supervisor = new EndpointSupervisor({ model: { name: version.name, version: version.version, uri, packageDir }, port, limits: { ...DEFAULT_LIMITS, logSampleRate } });
    try {
      await supervisor.start();
    } catch (error) {
      await supervisor.stop().catch(() => undefined);
      throw new CliError(`${uri} (version ${version.version} from ${store.where}) could not be served: ${(error as Error).message}`, 1);
    }
    const kept = `Not kept (they need the workspace store; copy the version there with mlops copy model ${version.name} ${version.version} --from ${store.url ?? ''}): its request log, feedback, and following ${uri.includes('@') ? 'the alias' : 'later versions'}.`;
    if (globals.json) printJson({ url: supervisor.url, model: uri, version: version.version, server: store.url, requestLog: false });
    else {
      const model = await loadModelPackage(packageDir);
      const example = buildSampleRequest(model.signature, trainingDataCandidates(model.manifest.dataset, undefined, process.cwd()), 1);
      const lines = [
        `Serving ${uri} (version ${version.version} from ${store.where}) at ${supervisor.url}`,
        kept,
        '',
        'Try it:',
        `  curl -si ${supervisor.url}/invocations -H 'Content-Type: application/json' \\`,
        `    -d '${JSON.stringify(example)}'`,
        '',
        `Also: GET ${supervisor.url}/ping, /health, /version, /metadata. Ctrl+C stops it.`,
      ];
      process.stdout.write(`${lines.join('\n')}\n`);
    }
    const signal = await waitForStopSignal();
    process.stderr.write(`mlops: ${signal}: stopping the endpoint\n`);
    await supervisor.stop();
  });
}
