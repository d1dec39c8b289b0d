import { existsSync, readFileSync } from 'node:fs';
import type { ModelSignature } from '../modelPackage/modelPackageFormat';
import { InvalidArgumentError } from '../tracking/trackingErrors';
import { checkKey, checkString, MAX_TAG_VALUE_LENGTH } from '../tracking/trackingValidation';
import type { RegistryTag } from './registryTypes';

const MAX_DESCRIPTION = 64 * 1024;

/** A package's signature.json, or null when it has none (e.g. a model logged by MLflow itself). */
export function readSignature(file: string): ModelSignature | null {
  if (!existsSync(file)) return null;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as ModelSignature;
  } catch (error) {
    throw new InvalidArgumentError(`${file}: the model signature is not valid JSON (${(error as Error).message}).`);
  }
}

export function checkDescription(text: string, what: string): string {
  if (typeof text !== 'string') throw new InvalidArgumentError(`The description of ${what} must be text.`);
  if (text.length > MAX_DESCRIPTION) throw new InvalidArgumentError(`The description of ${what} is ${text.length} characters long; at most ${MAX_DESCRIPTION} are allowed.`);
  return text;
}

export function checkTags(tags: readonly RegistryTag[]): RegistryTag[] {
  return tags.map((t) => ({ key: checkKey('tag', t.key), value: checkString('Tag', t.key, t.value, MAX_TAG_VALUE_LENGTH) }));
}

export function describeAliases(aliases: Readonly<Record<string, number>>): string {
  const entries = Object.entries(aliases);
  return entries.length === 0 ? 'it has no aliases' : `its aliases: ${entries.map(([a, v]) => `@${a} → v${v}`).join(', ')}`;
}
