import { InvalidArgumentError } from '../tracking/trackingErrors';

const MODEL_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const MODEL_NAME_MAX = 128;
const ALIAS = /^[A-Za-z_][A-Za-z0-9_-]*$/;
const ALIAS_MAX = 64;
/** `latest` already means "the newest version" in a model URI; `v3` would read as a version. */
const RESERVED_ALIAS = /^(latest|v\d+)$/i;

/** Checks a registered model name (it must fit in `models:/NAME/…` URIs and CLI arguments). */
export function checkModelName(name: string): string {
  if (typeof name !== 'string' || name.trim() === '') throw new InvalidArgumentError('A registered model needs a non-empty name.');
  if (name.length > MODEL_NAME_MAX) throw new InvalidArgumentError(`Model name "${name.slice(0, 40)}…" is ${name.length} characters long; at most ${MODEL_NAME_MAX} are allowed.`);
  if (!MODEL_NAME.test(name)) {
    throw new InvalidArgumentError(
      `Model name "${name}" is not valid: use letters, digits, ".", "_" and "-", starting with a letter or digit (no spaces, "/", "@" or ":", which model URIs use), e.g. "churn-classifier".`,
    );
  }
  return name;
}

/** Checks an alias name such as champion or challenger. */
export function checkAlias(alias: string): string {
  if (typeof alias !== 'string' || alias === '') throw new InvalidArgumentError('An alias needs a non-empty name, e.g. "champion".');
  if (alias.length > ALIAS_MAX) throw new InvalidArgumentError(`Alias "${alias.slice(0, 40)}…" is ${alias.length} characters long; at most ${ALIAS_MAX} are allowed.`);
  if (!ALIAS.test(alias)) {
    throw new InvalidArgumentError(`Alias "${alias}" is not valid: use letters, digits, "_" and "-", starting with a letter or "_" (e.g. champion, challenger, prod-eu).`);
  }
  if (RESERVED_ALIAS.test(alias)) {
    throw new InvalidArgumentError(`Alias "${alias}" is reserved: "latest" means the newest version and "v<number>" reads as a version number; pick another name.`);
  }
  return alias;
}

/** Checks a version number given by a user ("3", 3). */
export function checkVersionNumber(version: number | string, where: string): number {
  const n = typeof version === 'number' ? version : /^\d+$/.test(version.trim()) ? Number(version) : NaN;
  if (!Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError(`${where}: "${String(version)}" is not a version number (versions are 1, 2, 3, …).`);
  return n;
}
