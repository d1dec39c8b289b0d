import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import Papa from 'papaparse';
import type { ModelSignature } from '../modelPackage/modelPackageFormat';

/**
 * A request body for an endpoint: the first rows of the training data when the file is still
 * there (its columns as the signature has them), else one row made up from the signature.
 */
export function buildSampleRequest(signature: ModelSignature, candidates: readonly string[], rows = 3): { dataframe_records: Record<string, unknown>[] } {
  const names = signature.inputs.map((i) => i.name);
  const file = candidates.find((c) => existsSync(c) && /\.(csv|tsv|txt)$/i.test(c));
  if (file) {
    // Only the head is needed: parse the first 64 KB.
    const head = readFileSync(file, 'utf8').slice(0, 65536);
    const parsed = Papa.parse<Record<string, string>>(head, { header: true, skipEmptyLines: true, preview: rows });
    if (parsed.data.length > 0 && names.every((n) => parsed.meta.fields?.includes(n))) {
      return {
        dataframe_records: parsed.data.map((row) =>
          Object.fromEntries(
            signature.inputs.map((input) => {
              const cell = row[input.name] ?? '';
              if (cell === '' || cell === 'NA') return [input.name, null];
              return [input.name, input.type === 'double' ? Number(cell) : cell];
            }),
          ),
        ),
      };
    }
  }
  return { dataframe_records: [Object.fromEntries(signature.inputs.map((input) => [input.name, input.type === 'double' ? 0 : (input.categories?.[0] ?? '')]))] };
}

/** Where the training data may be: the manifest's path is relative to the spec's folder (or absolute). */
export function trainingDataCandidates(dataset: string | undefined, specPath: string | undefined, workspaceDir: string | undefined): string[] {
  if (!dataset) return [];
  if (isAbsolute(dataset)) return [dataset];
  return [...(specPath ? [join(dirname(specPath), dataset)] : []), ...(workspaceDir ? [join(workspaceDir, dataset)] : [])];
}
