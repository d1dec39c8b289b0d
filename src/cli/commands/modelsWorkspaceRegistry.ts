import { dirname } from 'node:path';
import type { Command } from 'commander';
import type { WorkspaceRegistry } from '../../core/engine/engineRegistryBackend';
import { CliError, resolveStoreDir, type CliGlobalOptions } from '../cliContext';
import { noteLocalOnly, withCliStore, type CliStore } from '../cliStore';

/**
 * The workspace registry through the engine of whichever process holds the store (this one, or
 * VS Code's engine through its server), with reviews, the audit log and model cards. Changes are
 * made as this command's user: --actor, else $MLOPS_ACTOR, else git user.name in the workspace.
 */
export async function workspaceRegistryOf(store: CliStore, globals: CliGlobalOptions): Promise<WorkspaceRegistry | undefined> {
  if (!store.engine) return undefined;
  const { engineRegistryBackend } = await import('../../core/engine/engineRegistryBackend');
  return engineRegistryBackend(store.engine, store.where, { actorDir: dirname(resolveStoreDir(globals)) });
}

/**
 * The workspace registry, for what only it keeps (reviews, the audit log, model cards): this
 * disk's store even with a tracking URI in force (said on stderr), through its holder while VS
 * Code or another process holds it.
 */
export async function withWorkspaceRegistry<T>(program: Command, action: (registry: WorkspaceRegistry, store: CliStore, globals: CliGlobalOptions) => Promise<T>, options: { create?: boolean } = {}): Promise<T> {
  const globals = program.opts<CliGlobalOptions>();
  noteLocalOnly(globals, resolveStoreDir(globals), options);
  return withCliStore(
    { ...globals, local: true, trackingUri: undefined },
    async (store) => {
      const registry = await workspaceRegistryOf(store, globals);
      if (!registry) throw new CliError(`${store.where} has no engine to ask for the workspace registry.`, 1);
      return action(registry, store, globals);
    },
    options,
  );
}
