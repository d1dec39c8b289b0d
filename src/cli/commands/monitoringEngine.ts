import type { Command } from 'commander';
import type { EngineClient } from '../../core/engine/engineClient';
import { CliError, resolveStoreDir, type CliGlobalOptions } from '../cliContext';
import { noteLocalOnly, withCliStore, type CliStore } from '../cliStore';

/**
 * For monitor, retrain, feedback and eval: the workspace store's engine, in this process or, while
 * VS Code (or mlops server) holds the store, in that process through its server, so the command
 * gives the same result either way. Errors the holder reports become one-line CliErrors.
 */
export async function withWorkspaceEngine<T>(
  program: Command,
  action: (engine: EngineClient, store: CliStore, globals: CliGlobalOptions) => Promise<T>,
  /** viaEngine: a command that works for minutes (retraining) is a client of the engine, started if none runs */
  options: { create?: boolean; viaEngine?: boolean } = {},
): Promise<T> {
  const globals = program.opts<CliGlobalOptions>();
  const dir = resolveStoreDir(globals);
  noteLocalOnly(globals, dir, options);
  const { EngineCallError } = await import('../../core/engine/engineWire');
  return withCliStore(
    { ...globals, local: true, trackingUri: undefined },
    async (store) => {
      const engine = store.engine;
      if (!engine) throw new CliError(`${store.where} answers no workspace requests (monitors, retraining, feedback)`);
      try {
        return await action(engine, store, globals);
      } catch (error) {
        // the holder already turned its failure into a message for the user; its stack is not ours
        if (error instanceof EngineCallError) throw new CliError(error.message);
        throw error;
      }
    },
    options,
  );
}
