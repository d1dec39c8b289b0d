/**
 * The catalog's search: words match a feature's name, view, description, tags or owner; `tag:x`
 * and `owner:x` match only tags or the owner. Every term must match (case-insensitive, substring).
 */
import type { FeatureCatalogEntry } from '../../src/protocol/featureCatalog/featureCatalogContract';

export interface SearchTerm {
  field: 'any' | 'tag' | 'owner';
  text: string;
}

export function parseSearch(query: string): SearchTerm[] {
  return query
    .trim()
    .split(/\s+/)
    .filter((word) => word !== '')
    .map((word): SearchTerm => {
      const m = /^(tag|owner):(.*)$/i.exec(word);
      return m ? { field: m[1]!.toLowerCase() as 'tag' | 'owner', text: m[2]!.toLowerCase() } : { field: 'any', text: word.toLowerCase() };
    })
    .filter((term) => term.text !== '');
}

function matches(entry: FeatureCatalogEntry, term: SearchTerm): boolean {
  const tags = entry.tags.map((t) => t.toLowerCase());
  const owner = (entry.owner ?? '').toLowerCase();
  if (term.field === 'tag') return tags.some((t) => t.includes(term.text));
  if (term.field === 'owner') return owner.includes(term.text);
  return [entry.id.toLowerCase(), (entry.description ?? '').toLowerCase(), owner, ...tags].some((text) => text.includes(term.text));
}

export function filterFeatures(entries: readonly FeatureCatalogEntry[], query: string): FeatureCatalogEntry[] {
  const terms = parseSearch(query);
  return terms.length === 0 ? [...entries] : entries.filter((e) => terms.every((t) => matches(e, t)));
}
