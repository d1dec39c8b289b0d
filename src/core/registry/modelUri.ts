import { InvalidArgumentError } from '../tracking/trackingErrors';
import { MODEL_STAGES, type ModelStage } from './registryTypes';

/** What a `models:/` URI points at. */
export type ModelReference =
  | { readonly name: string; readonly kind: 'version'; readonly version: number }
  | { readonly name: string; readonly kind: 'alias'; readonly alias: string }
  | { readonly name: string; readonly kind: 'latest' }
  | { readonly name: string; readonly kind: 'stage'; readonly stage: ModelStage };

const USAGE = 'expected models:/NAME/VERSION, models:/NAME@ALIAS, models:/NAME/latest or models:/NAME/STAGE';

/** Parses `models:/name/3`, `models:/name@champion`, `models:/name/latest`, `models:/name/Production`. */
export function parseModelUri(uri: string): ModelReference {
  const match = /^models:\/(?!\/)(.+)$/.exec(uri.trim());
  if (!match) throw new InvalidArgumentError(`"${uri}" is not a model URI: ${USAGE}.`);
  const rest = match[1] as string;
  const at = rest.lastIndexOf('@');
  if (at >= 0) {
    const name = rest.slice(0, at);
    const alias = rest.slice(at + 1);
    if (name === '' || alias === '' || name.includes('/') || alias.includes('/')) throw new InvalidArgumentError(`"${uri}" is not a model URI: ${USAGE}.`);
    return alias === 'latest' ? { name, kind: 'latest' } : { name, kind: 'alias', alias };
  }
  const slash = rest.indexOf('/');
  if (slash <= 0 || slash === rest.length - 1 || rest.indexOf('/', slash + 1) >= 0) throw new InvalidArgumentError(`"${uri}" is not a model URI: ${USAGE}.`);
  const name = rest.slice(0, slash);
  const selector = rest.slice(slash + 1);
  if (/^\d+$/.test(selector)) return { name, kind: 'version', version: Number(selector) };
  if (selector.toLowerCase() === 'latest') return { name, kind: 'latest' };
  const stage = MODEL_STAGES.find((s) => s.toLowerCase() === selector.toLowerCase());
  if (stage) return { name, kind: 'stage', stage };
  throw new InvalidArgumentError(`"${uri}": "${selector}" is neither a version number, "latest" nor a stage (${MODEL_STAGES.join(', ')}); for an alias write models:/${name}@${selector}.`);
}

export function formatModelUri(name: string, selector: number | string): string {
  return typeof selector === 'number' ? `models:/${name}/${selector}` : `models:/${name}@${selector}`;
}
