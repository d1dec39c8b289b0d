import type { EngineMethodTable } from '../engineMethod';

/** Feedback requests a client makes of the store's holder (see engineMethods.ts). */
export const feedbackMethods = {} satisfies EngineMethodTable;
