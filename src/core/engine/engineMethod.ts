import type { WorkspaceStore } from '../store/workspaceStore';

/** What an engine method works on: the store the engine holds. */
export interface EngineContext {
  readonly store: WorkspaceStore;
}

/**
 * One request a client (a window, the CLI) can make of the process that holds the store. Params
 * and result travel as JSON, so both are plain data: no Dates, Maps, class instances or functions.
 * `params: never` lets tables of methods with different params share this type.
 */
export type EngineMethod = (context: EngineContext, params: never) => unknown;

/** A domain's methods, named `<domain>.<verb>` (e.g. `lineage.graph`). */
export type EngineMethodTable = Readonly<Record<string, EngineMethod>>;
