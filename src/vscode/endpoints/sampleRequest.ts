import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import Papa from 'papaparse';
import type { ModelSignature } from '../../core/modelPackage/modelPackageFormat';

/**
 * A request body for an endpoint: the first rows of the training data when the file is still
 * there (its columns as the signature has them), else one row made up from the signature.
 */
export function buildSampleRequest(signature: ModelSignature, datasetPath: string | undefined, workspaceDir: string | undefined, rows = 3): { dataframe_records: Record<string, unknown>[] } {
  const names = signature.inputs.map((i) => i.name);
  const file = datasetPath && (isAbsolute(datasetPath) ? datasetPath : workspaceDir ? join(workspaceDir, datasetPath) : undefined);
  if (file && existsSync(file) && /\.(csv|tsv|txt)$/i.test(file)) {
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
