/** One problem in a spec file, positioned for an editor diagnostic (1-based line and column). */
export interface SpecIssue {
  readonly message: string;
  /** dotted path of the field, e.g. "model.layers[0].units" ("" for the whole document) */
  readonly field: string;
  readonly line: number;
  readonly column: number;
  readonly endLine?: number;
  readonly endColumn?: number;
}

/** A spec that cannot be used; `issues` lists every problem found, the message names the first ones. */
export class SpecError extends Error {
  constructor(
    readonly file: string,
    readonly issues: readonly SpecIssue[],
  ) {
    super(
      issues.length === 1
        ? `${file}:${issues[0]?.line}:${issues[0]?.column}: ${issues[0]?.message}`
        : `${file} has ${issues.length} problems:\n${issues.map((i) => `  ${file}:${i.line}:${i.column}: ${i.message}`).join('\n')}`,
    );
    this.name = 'SpecError';
  }
}

export function fieldName(path: readonly (string | number)[]): string {
  return path.reduce<string>((out, part) => (typeof part === 'number' ? `${out}[${part}]` : out ? `${out}.${part}` : part), '');
}
