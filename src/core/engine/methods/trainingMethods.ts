import type { EngineMethodTable } from '../engineMethod';

/** Training requests a client makes of the store's holder (see engineMethods.ts). */
export const trainingMethods = {} satisfies EngineMethodTable;
