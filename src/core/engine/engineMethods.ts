import { lineageMethods } from './methods/lineageMethods';
import { runsMethods } from './methods/runsMethods';
import { registryMethods } from './methods/registryMethods';
import { monitoringMethods } from './methods/monitoringMethods';
import { endpointsMethods } from './methods/endpointsMethods';
import { trainingMethods } from './methods/trainingMethods';
import { featuresMethods } from './methods/featuresMethods';
import { feedbackMethods } from './methods/feedbackMethods';
import { workspaceMethods } from './methods/workspaceMethods';
import { jobsMethods } from './methods/jobsMethods';

/**
 * Every request the store's holder answers for its clients, by name. Each domain keeps its
 * methods in `methods/<domain>Methods.ts`; params and results are typed from there, so a client's
 * `call('lineage.graph', …)` is checked against the method itself.
 */
export const ENGINE_METHODS = {
  ...lineageMethods,
  ...runsMethods,
  ...registryMethods,
  ...monitoringMethods,
  ...endpointsMethods,
  ...trainingMethods,
  ...featuresMethods,
  ...feedbackMethods,
  ...workspaceMethods,
  ...jobsMethods,
} as const;

export type EngineMethods = typeof ENGINE_METHODS;
export type EngineMethodName = keyof EngineMethods;
export type EngineParams<M extends EngineMethodName> = Parameters<EngineMethods[M]>[1];
export type EngineResult<M extends EngineMethodName> = Awaited<ReturnType<EngineMethods[M]>>;

export function isEngineMethodName(name: string): name is EngineMethodName {
  return Object.prototype.hasOwnProperty.call(ENGINE_METHODS, name);
}
