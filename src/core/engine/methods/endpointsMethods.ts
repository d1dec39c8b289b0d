import type { EngineMethodTable } from '../engineMethod';

/** Endpoints requests a client makes of the store's holder (see engineMethods.ts). */
export const endpointsMethods = {} satisfies EngineMethodTable;
