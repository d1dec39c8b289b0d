import { join } from 'node:path';
import { after, before } from 'node:test';
import { EndpointManager, type EndpointInfo } from '../../../src/core/serving/endpointManager';
import { modelRegistryFor } from '../../../src/core/registry/registryAccess';
import type { ModelRegistry } from '../../../src/core/registry/modelRegistry';
import type { ModelVersion } from '../../../src/core/registry/registryTypes';
import { openWorkspaceStore, type WorkspaceStore } from '../../../src/core/store/workspaceStore';
import { runTraining } from '../../../src/core/training/trainingRunner';
import { tempStoreDir } from '../store/testSupport';

export const ROOT = join(__dirname, '..', '..', '..');
export const PENGUINS_SPEC = join(ROOT, 'examples', 'penguins.train.yaml');
export const PENGUINS_CSV = join(ROOT, 'examples', 'data', 'penguins.csv');

export interface ServingFixture {
  readonly store: WorkspaceStore;
  readonly registry: ModelRegistry;
  readonly dir: string;
  readonly v1: ModelVersion;
  readonly v2: ModelVersion;
  cleanup(): Promise<void>;
}

/** A temp store with the penguins MLP trained twice (different seeds) and registered as v1 and v2; @champion → v1. */
export async function penguinsFixture(): Promise<ServingFixture> {
  const { dir, cleanup } = tempStoreDir('mlops-serving-');
  const store = await openWorkspaceStore({ dir, writerName: 'serving test' });
  const registry = modelRegistryFor(store, { actor: 'tester' });
  const train = (seed: number): Promise<string> =>
    runTraining({ store: store.tracking, specPath: PENGUINS_SPEC, backend: 'js', overrides: { epochs: 8, seed } }).then((r) => r.runId);
  const [run1, run2] = [await train(7), await train(11)];
  const v1 = await registry.registerVersion(run1, 'penguins');
  const v2 = await registry.registerVersion(run2, 'penguins');
  await registry.setAlias('penguins', 'champion', 1);
  return {
    store,
    registry,
    dir,
    v1,
    v2,
    cleanup: async () => {
      await store.close().catch(() => undefined);
      cleanup();
    },
  };
}

export interface ServedPenguins {
  fixture: ServingFixture;
  manager: EndpointManager;
  endpoint: EndpointInfo;
}

/**
 * Serves models:/penguins/1 for the enclosing describe block: the returned holder is filled by a
 * `before` hook and everything is stopped and removed by an `after` hook.
 */
export function servedPenguins(): ServedPenguins {
  const served = {} as ServedPenguins;
  before(async () => {
    served.fixture = await penguinsFixture();
    served.manager = new EndpointManager(served.fixture.store);
    served.endpoint = await served.manager.start({ uri: 'models:/penguins/1' });
  });
  after(async () => {
    await served.manager?.stopAll();
    await served.fixture?.cleanup();
  });
  return served;
}
