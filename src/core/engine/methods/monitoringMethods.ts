import type { EngineMethodTable } from '../engineMethod';

/** Monitoring requests a client makes of the store's holder (see engineMethods.ts). */
export const monitoringMethods = {} satisfies EngineMethodTable;
