/** damaged journal record | journal deleted or emptied | snapshot deleted | snapshot older than the journal | anything else */
export type StoreDamageKind = 'journal-record' | 'journal-missing' | 'snapshot-missing' | 'snapshot-older' | 'other';

/**
 * A store file is damaged in a way that would lose acknowledged data if we carried on. The message
 * names the file and the byte offset so a user can look, restore a backup, or send it to us.
 */
export class StoreCorruptError extends Error {
  constructor(
    readonly file: string,
    readonly offset: number,
    detail: string,
    /** what the user can do about it; the default fits a file nothing can rebuild */
    remedy = 'Nothing was changed; restore the file from a backup or move the store folder aside to start a new one.',
    /** what is wrong, for `mlops doctor --repair` to know what it can do */
    readonly kind: StoreDamageKind = 'other',
  ) {
    super(`The workspace store file ${file} is damaged at byte offset ${offset}: ${detail}. ${remedy}`);
    this.name = 'StoreCorruptError';
  }
}

/** A write could not be made durable (disk full, I/O error); the store refuses further writes. */
export class StoreWriteFailedError extends Error {
  constructor(
    readonly reason: unknown,
    dir: string,
  ) {
    super(`The workspace store ${dir} could not write to disk (${reason instanceof Error ? reason.message : String(reason)}); it accepts no more writes until it is reopened.`);
    this.name = 'StoreWriteFailedError';
  }
}

/** The store was closed; late writers get this rather than a crash deep inside sql.js. */
export class StoreClosedError extends Error {
  constructor(dir: string) {
    super(`The workspace store ${dir} is closed.`);
    this.name = 'StoreClosedError';
  }
}

/** How a damaged series file is repaired: said in every error about one. */
export const SERIES_REPAIR_HINT =
  'Reads and writes of this series are refused until it is repaired: `mlops doctor --repair` cuts it back to its last whole point and reports which points were lost (or restore the file from a backup).';
