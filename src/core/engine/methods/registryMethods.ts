import type { EngineMethodTable } from '../engineMethod';

/** Registry requests a client makes of the store's holder (see engineMethods.ts). */
export const registryMethods = {} satisfies EngineMethodTable;
