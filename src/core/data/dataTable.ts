/** Typed, column-oriented data as the training pipeline consumes it. */

/** Numbers; a missing cell is NaN (literal NaN/Infinity are rejected when reading). */
export interface NumericColumn {
  readonly kind: 'numeric';
  readonly name: string;
  readonly values: Float64Array;
  readonly missing: number;
}

/** Strings as dictionary codes into `categories`; a missing cell is -1. */
export interface CategoricalColumn {
  readonly kind: 'categorical';
  readonly name: string;
  readonly codes: Int32Array;
  readonly categories: readonly string[];
  readonly missing: number;
}

export type DataColumn = NumericColumn | CategoricalColumn;
export type ColumnKind = DataColumn['kind'];

export interface DataTable {
  /** the file as the user named it (used in messages) */
  readonly file: string;
  readonly format: 'csv' | 'parquet';
  readonly rowCount: number;
  readonly columns: readonly DataColumn[];
  /** sha256 of the file's bytes: the dataset's identity for lineage */
  readonly digest: string;
  /** 'cache' when the columns came from the store's prepared tables (the file's bytes were read before) */
  readonly readFrom?: 'file' | 'cache';
  /** where data row `index` (0-based) sits in the file, for error messages */
  locate(index: number): { line?: number; row?: number };
}

export function findColumn(table: DataTable, name: string): DataColumn | undefined {
  return table.columns.find((c) => c.name === name);
}

/** Builds a categorical column from raw cells ('' or null = missing), categories in first-seen order. */
export function categoricalFromStrings(name: string, cells: readonly (string | null)[]): CategoricalColumn {
  const index = new Map<string, number>();
  const categories: string[] = [];
  const codes = new Int32Array(cells.length);
  let missing = 0;
  for (let i = 0; i < cells.length; i++) {
    const cell = cells[i];
    if (cell === null || cell === undefined || cell === '') {
      codes[i] = -1;
      missing++;
      continue;
    }
    let code = index.get(cell);
    if (code === undefined) {
      code = categories.length;
      categories.push(cell);
      index.set(cell, code);
    }
    codes[i] = code;
  }
  return { kind: 'categorical', name, codes, categories, missing };
}
