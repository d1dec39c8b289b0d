import type { RegistryBackend } from '../registry/registryBackend';
import type { TrainSpec } from './trainSpec';

export type TrainingRegistration =
  | { readonly name: string; readonly version: number; readonly alias?: string; readonly reviewId?: number }
  | { readonly error: string };

/** A registration that happened (not the reason it did not). */
export type TrainingRegistered = Exclude<TrainingRegistration, { readonly error: string }>;

/**
 * The spec's `register:` on a registry: the run's model as the next version, then the alias on
 * it, or a review asking for it when the model requires reviews. Throws what the registry throws.
 * `actor` is who the audit log names: the process that trained, wherever the registry is.
 */
export async function registerFromSpec(
  registry: RegistryBackend,
  register: NonNullable<TrainSpec['register']>,
  runId: string,
  reviewComment: string,
  actor?: string,
): Promise<TrainingRegistered> {
  const as = actor === undefined ? {} : { actor };
  const version = await registry.registerVersion(runId, register.model, as);
  if (!register.alias) return { name: version.name, version: version.version };
  if ((await registry.getModel(version.name)).requireReview) {
    const review = await registry.requestReview(version.name, register.alias, version.version, reviewComment, as);
    return { name: version.name, version: version.version, alias: register.alias, reviewId: review.reviewId };
  }
  await registry.setAlias(version.name, register.alias, version.version, as);
  return { name: version.name, version: version.version, alias: register.alias };
}
