import type { Command } from 'commander';
import type { EngineClient } from '../../core/engine/engineClient';
import { CliError, resolveStoreDir, type CliGlobalOptions } from '../cliContext';
import { noteLocalOnly, withCliStore, type CliStore } from '../cliStore';

/** Errors the store's own checks raise (bad names, unknown versions …): usage errors, as when the command held the store itself. */
const USAGE_ERRORS = new Set(['TrackingError', 'NotFoundError', 'InvalidArgumentError', 'ParamConflictError', 'ArtifactPathError', 'ReviewRequiredError']);

/**
 * For commands that work on the workspace store only (lineage, features …): its engine, in this
 * process or in the process holding the store (through its server), so the command gives the same
 * result whether or not VS Code is open. A tracking URI in force is noted, not used (noteLocalOnly).
 */
export async function withWorkspaceEngine<T>(
  program: Command,
  action: (engine: EngineClient, store: CliStore, globals: CliGlobalOptions) => Promise<T>,
  options: { create?: boolean } = {},
): Promise<T> {
  const globals = program.opts<CliGlobalOptions>();
  noteLocalOnly(globals, resolveStoreDir(globals), options);
  const { EngineCallError } = await import('../../core/engine/engineWire');
  try {
    return await withCliStore(
      { ...globals, local: true, trackingUri: undefined },
      (store) => {
        // a local store always has one; only a team's MLflow server has none
        if (!store.engine) throw new CliError(`${store.where} answers tracking only.`, 1);
        return action(store.engine, store, globals);
      },
      options,
    );
  } catch (error) {
    if (error instanceof EngineCallError) throw new CliError(error.message, USAGE_ERRORS.has(error.code) ? 2 : 1);
    throw error;
  }
}
