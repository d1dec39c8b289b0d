/**
 * Rows of the current query, fetched from the host a block at a time as the table scrolls. A
 * store change keeps the old rows on screen until their fresh copies arrive, so live updates
 * never blank the table.
 */
import type { RowData, RowsResult } from '../../src/protocol/runs/runsContract';

export const BLOCK_ROWS = 100;

export type FetchRows = (offset: number, limit: number) => Promise<RowsResult>;

export class RowCache {
  private blocks = new Map<number, { rows: RowData[]; columnIndex: Map<string, number> }>();
  private readonly inFlight = new Set<number>();
  /** bumps on every reset, so answers to an older query are dropped */
  private generation = 0;
  columnIds: string[] = [];
  total = 0;

  constructor(
    private readonly fetch: FetchRows,
    private readonly onLoaded: (result: RowsResult) => void,
    private readonly onError: (error: unknown) => void,
  ) {}

  /** A new query: forget every row. */
  reset(): void {
    this.generation++;
    this.blocks.clear();
    this.inFlight.clear();
  }

  /** Same query, newer data: keep showing the old rows, refetch the blocks in view. */
  refresh(start: number, end: number): void {
    this.generation++;
    this.inFlight.clear();
    const keep = new Set<number>();
    for (let b = Math.floor(start / BLOCK_ROWS); b * BLOCK_ROWS < end; b++) keep.add(b);
    for (const b of [...this.blocks.keys()]) if (!keep.has(b)) this.blocks.delete(b);
    for (const b of keep) this.load(b, true);
  }

  get(index: number): RowData | undefined {
    return this.blocks.get(Math.floor(index / BLOCK_ROWS))?.rows[index % BLOCK_ROWS];
  }

  /** Cells of a block follow the column list of the answer that brought them (it may predate a new column). */
  cell(index: number, columnId: string): RowData['cells'][number] | undefined {
    const block = this.blocks.get(Math.floor(index / BLOCK_ROWS));
    const row = block?.rows[index % BLOCK_ROWS];
    const j = block?.columnIndex.get(columnId);
    return row && j !== undefined ? row.cells[j] : undefined;
  }

  /** Fetches the blocks covering [start, end) that are missing, and the next ones a scroll will need. */
  ensure(start: number, end: number): void {
    const ahead = BLOCK_ROWS;
    for (let b = Math.floor(Math.max(0, start - ahead) / BLOCK_ROWS); b * BLOCK_ROWS < Math.max(end + ahead, 1) && b * BLOCK_ROWS < Math.max(this.total, 1); b++) {
      if (!this.blocks.has(b)) this.load(b, false);
    }
  }

  private load(block: number, replace: boolean): void {
    if (this.inFlight.has(block) || (!replace && this.blocks.has(block))) return;
    this.inFlight.add(block);
    const generation = this.generation;
    this.fetch(block * BLOCK_ROWS, BLOCK_ROWS).then(
      (result) => {
        if (generation !== this.generation) return;
        this.inFlight.delete(block);
        this.blocks.set(block, { rows: result.rows, columnIndex: new Map(result.columnIds.map((id, j) => [id, j])) });
        this.columnIds = result.columnIds;
        this.total = result.total;
        this.onLoaded(result);
      },
      (error: unknown) => {
        if (generation !== this.generation) return;
        this.inFlight.delete(block);
        this.onError(error);
      },
    );
  }
}
