import type { EngineMethodTable } from '../engineMethod';

/** Workspace requests a client makes of the store's holder (see engineMethods.ts). */
export const workspaceMethods = {} satisfies EngineMethodTable;
