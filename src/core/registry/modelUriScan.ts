// Finds the `models:/…` and `runs:/…` URIs written in code, notebooks or configs, so the editor
// can say what they point at. Only the shapes MLflow's clients accept are matched; the names'
// alphabets follow registryNames.ts (model names never contain spaces, "/", "@" or ":").

/** A `models:/NAME@ALIAS` or `models:/NAME/VERSION|latest|STAGE` written in a text. */
export interface ModelUriMatch {
  readonly kind: 'model';
  readonly uri: string;
  readonly name: string;
  /** the part after `@` or `/`: an alias, a version number, latest or a stage */
  readonly selector: string;
  readonly byAlias: boolean;
  /** offsets into the text, end exclusive */
  readonly start: number;
  readonly end: number;
}

/** A `runs:/RUN_ID/path` written in a text. */
export interface RunUriMatch {
  readonly kind: 'run';
  readonly uri: string;
  readonly runId: string;
  /** the artifact path after the run id ('' when none) */
  readonly path: string;
  readonly start: number;
  readonly end: number;
}

export type UriMatch = ModelUriMatch | RunUriMatch;

// Not preceded by a letter, so "xmodels:/" is not a match; one path segment after the name only.
const MODEL_URI = /(?<![A-Za-z0-9_])models:\/([A-Za-z0-9][A-Za-z0-9._-]*)(?:@([A-Za-z_][A-Za-z0-9_-]*)|\/([A-Za-z0-9_-]+))(?![A-Za-z0-9_@/.-])/g;
// A run id is 32 hex digits here and in MLflow; the artifact path runs until a quote, space or bracket.
const RUN_URI = /(?<![A-Za-z0-9_])runs:\/([A-Za-z0-9]{8,64})((?:\/[^\s'"`()<>[\]{},;]*)?)/g;

/** Every model and run URI in `text`, in order; a file that mentions none costs one scan. */
export function findModelAndRunUris(text: string): UriMatch[] {
  const found: UriMatch[] = [];
  if (text.includes('models:/')) {
    for (const m of text.matchAll(MODEL_URI)) {
      const start = m.index;
      const alias = m[2];
      found.push({ kind: 'model', uri: m[0], name: m[1] as string, selector: alias ?? (m[3] as string), byAlias: alias !== undefined, start, end: start + m[0].length });
    }
  }
  if (text.includes('runs:/')) {
    for (const m of text.matchAll(RUN_URI)) {
      const start = m.index;
      const path = (m[2] ?? '').replace(/^\//, '');
      found.push({ kind: 'run', uri: m[0], runId: m[1] as string, path, start, end: start + m[0].length });
    }
  }
  return found.sort((a, b) => a.start - b.start);
}

/** The URI under `offset` (hovers, Ctrl+click), if any. */
export function uriAt(text: string, offset: number): UriMatch | undefined {
  return findModelAndRunUris(text).find((m) => offset >= m.start && offset <= m.end);
}
