import { copyFileSync, statSync, truncateSync } from 'node:fs';
import { basename, join } from 'node:path';
import { JOURNAL_FILE, SNAPSHOT_FILE } from './durableDatabase';
import { Journal, scanJournalFile } from './journal';
import { readSnapshot } from './snapshot';
import { loadSqlJs } from './sqlJsLoader';
import type { StoreCorruptError } from './storeErrors';

/**
 * Repairs what `error` reports, where the intact part can be kept: a damaged journal record (the
 * journal is copied aside whole, then cut at that record) or a deleted or emptied journal (a new
 * one continues the snapshot). Returns what was done and what was lost, or undefined when the
 * damage is not one this can repair (a missing or older snapshot needs the right file back).
 * Call with the writer lock free: it changes files under the store.
 */
export async function repairStoreFiles(dir: string, error: StoreCorruptError): Promise<string | undefined> {
  const journalPath = join(dir, JOURNAL_FILE);
  if (error.kind === 'journal-record' && error.file === journalPath) {
    const aside = `${journalPath}.damaged-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    copyFileSync(journalPath, aside);
    const size = statSync(journalPath).size;
    const kept = countRecords(journalPath, error.offset);
    truncateSync(journalPath, error.offset);
    return `${basename(journalPath)}: kept the ${kept} record${kept === 1 ? '' : 's'} before byte offset ${error.offset}; lost the damaged record there and the ${size - error.offset} bytes after it (the whole file is kept as ${basename(aside)})`;
  }
  if (error.kind === 'journal-missing') {
    const seq = await snapshotSeq(dir);
    const journal = await Journal.open(journalPath, 0, seq);
    await journal.close();
    return `${basename(journalPath)}: started a new journal after ${SNAPSHOT_FILE} (record ${seq}); the writes made since that checkpoint are lost`;
  }
  return undefined;
}

function countRecords(path: string, before: number): number {
  let count = 0;
  try {
    scanJournalFile(path, (record) => {
      if (record.offset < before) count++;
    });
  } catch {
    // it stops at the damage: the records before it are counted
  }
  return count;
}

async function snapshotSeq(dir: string): Promise<number> {
  const image = readSnapshot(join(dir, SNAPSHOT_FILE));
  if (!image) return 0;
  const SQL = await loadSqlJs();
  const db = new SQL.Database(image);
  try {
    return Number(db.exec("SELECT value FROM store_meta WHERE key = 'last_seq'")[0]?.values[0]?.[0] ?? 0);
  } finally {
    db.close();
  }
}

