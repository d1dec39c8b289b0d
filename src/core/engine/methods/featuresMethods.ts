import type { EngineMethodTable } from '../engineMethod';

/** Features requests a client makes of the store's holder (see engineMethods.ts). */
export const featuresMethods = {} satisfies EngineMethodTable;
