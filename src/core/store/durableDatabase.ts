import { closeSync, existsSync, fstatSync, fsyncSync, ftruncateSync, mkdirSync, openSync, readdirSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { constants as bufferConstants } from 'node:buffer';
import { dirname, join } from 'node:path';
import type { Database, SqlValue, Statement } from 'sql.js';
import type { JournalScanResult } from './journal';
import { JOURNAL_HEADER_BYTES, Journal, MAX_IO_BYTES, readFully, scanJournalFile } from './journal';
import type { FileAppend, Mutation, SqlStatement } from './mutationCodec';
import { decodeMutation, encodeMutation } from './mutationCodec';
import { fsyncDirectory, readSnapshot, writeSnapshot } from './snapshot';
import { loadSqlJs } from './sqlJsLoader';
import { SERIES_REPAIR_HINT, StoreClosedError, StoreCorruptError, StoreWriteFailedError } from './storeErrors';

export const SNAPSHOT_FILE = 'store.snapshot';
export const JOURNAL_FILE = 'journal.log';

/** A schema step; applied once, in id order, and recorded in store_migrations. */
export interface Migration {
  readonly id: number;
  readonly name: string;
  readonly statements: readonly string[];
}

export interface DurableDatabaseOptions {
  readonly dir: string;
  readonly migrations: readonly Migration[];
  /** checkpoint automatically when the journal grows past this many bytes (default 64 MiB) */
  readonly checkpointBytes?: number;
  /** … or past this many records (bounds replay time when writes are tiny: ~2 s at 20,000; default 20,000) */
  readonly checkpointRecords?: number;
}

// Tables of the store itself, created outside the migrations because replay needs them first.
const STORE_TABLES = [
  'CREATE TABLE IF NOT EXISTS store_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)',
  'CREATE TABLE IF NOT EXISTS store_migrations (id INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)',
  // Committed length of every append-only file: replay truncates a file back to it before redoing
  // the journal, so a point is in its series file exactly once whatever moment the crash hit.
  'CREATE TABLE IF NOT EXISTS store_series (file TEXT PRIMARY KEY, length INTEGER NOT NULL)',
];
const UPSERT_SERIES = 'INSERT INTO store_series (file, length) VALUES (?, ?) ON CONFLICT(file) DO UPDATE SET length = excluded.length';
/** A repair cutting a file back: replay truncates the file to the new length too. */
const CUT_SERIES = 'UPDATE store_series SET length = ? WHERE file = ?';

/** What is wrong with an append-only file, as `checkFiles` finds it. */
export interface FileDamage {
  readonly file: string;
  /** bytes the store has acknowledged */
  readonly recorded: number;
  /** bytes on disk (0 when missing) */
  readonly actual: number;
  readonly missing: boolean;
}
const OPEN_FILES_MAX = 128;
const STATEMENT_CACHE_MAX = 256;
const BUFFER_MAX_LENGTH = bufferConstants.MAX_LENGTH;

/**
 * sql.js made durable: every mutation is applied in memory, appended to the journal and
 * acknowledged only after its group's fsync; snapshots are atomic and only then is the journal
 * emptied. Append-only files (metric series) ride in the same journal records so that a record's
 * SQL and its file bytes are replayed together.
 */
export class DurableDatabase {
  readonly warnings: string[] = [];
  private readonly statementCache = new Map<string, Statement>();
  /** committed lengths (ahead of the disk while a commit waits for its fsync) */
  private readonly fileLengths = new Map<string, number>();
  /** lengths actually written: what readers may see */
  private readonly writtenLengths = new Map<string, number>();
  private readonly openFiles = new Map<string, number>();
  private readonly dirtyFiles = new Set<string>();
  private readonly newDirs = new Set<string>();
  /** series files found cut short or deleted: refused until repaired */
  private readonly damagedFiles = new Set<string>();
  private seq: number;
  /** the last sequence number the snapshot on disk holds (undefined: there is none yet) */
  private snapshotSeq: number | undefined;
  /** file appends of commits whose group is not yet durable (a checkpoint writes them early) */
  private readonly unwritten = new Set<{ appends: readonly FileAppend[]; positions: readonly number[]; written: boolean }>();
  private recordsSinceCheckpoint = 0;
  private checkpointing: Promise<void> | undefined;
  /** after a failed automatic checkpoint (disk full?), wait before trying again: each try exports the whole database */
  private autoCheckpointPausedUntil = 0;
  private closed = false;
  private readonly commitListeners = new Set<() => void>();
  private readonly checkpointBytes: number;
  private readonly checkpointRecords: number;

  /** set by open() once the journal has been read (its valid length decides where appends go) */
  private journal!: Journal;

  private constructor(
    readonly dir: string,
    readonly db: Database,
    seq: number,
    options: DurableDatabaseOptions,
  ) {
    this.seq = seq;
    this.checkpointBytes = options.checkpointBytes ?? 64 * 1024 * 1024;
    this.checkpointRecords = options.checkpointRecords ?? 20_000;
  }

  static async open(options: DurableDatabaseOptions): Promise<DurableDatabase> {
    const { dir } = options;
    mkdirSync(dir, { recursive: true });
    removeAbandonedTempFiles(dir);
    const SQL = await loadSqlJs();
    const image = readSnapshot(join(dir, SNAPSHOT_FILE));
    const journalPath = join(dir, JOURNAL_FILE);
    const db = image ? new SQL.Database(image) : new SQL.Database();
    try {
      if (image) {
        try {
          db.exec('SELECT count(*) FROM sqlite_master');
        } catch (error) {
          throw new StoreCorruptError(join(dir, SNAPSHOT_FILE), 24, `sqlite cannot read the snapshot (${(error as Error).message})`);
        }
      }
      applyPragmas(db);
      for (const ddl of STORE_TABLES) db.run(ddl);
      const snapshotSeq = Number(db.exec("SELECT value FROM store_meta WHERE key = 'last_seq'")[0]?.values[0]?.[0] ?? 0);
      if (image) checkJournalPresent(journalPath, snapshotSeq);
      const store = new DurableDatabase(dir, db, snapshotSeq, options);
      store.snapshotSeq = image ? snapshotSeq : undefined;
      store.loadFileLengths();
      // The journal is streamed: replayed record by record as it is read, never held whole (it
      // may be larger than any Buffer when checkpoints could not run for a while).
      const scan = store.replay(journalPath, image === undefined ? undefined : snapshotSeq);
      store.warnings.push(...scan.warnings);
      store.seq = Math.max(snapshotSeq, scan.lastSeq ?? 0);
      store.journal = await Journal.open(journalPath, scan.validLength, snapshotSeq);
      for (const [file, length] of store.fileLengths) store.writtenLengths.set(file, length);
      await store.migrate(options.migrations);
      return store;
    } catch (error) {
      db.close();
      throw error;
    }
  }

  private loadFileLengths(): void {
    const rows = this.db.exec('SELECT file, length FROM store_series')[0]?.values ?? [];
    for (const [file, length] of rows) this.fileLengths.set(String(file), Number(length));
  }

  /**
   * Replays the journal's records after the snapshot's (`snapshotSeq`; undefined: no snapshot), in
   * one transaction, as they are read. The journal must continue the snapshot with no gap: the
   * snapshot's last sequence number is kept in both files, so a deleted or older snapshot shows.
   */
  private replay(journalPath: string, snapshotSeq: number | undefined): JournalScanResult {
    const touched = new Set<string>();
    const covered = snapshotSeq ?? 0;
    const snapshotPath = join(this.dir, SNAPSHOT_FILE);
    let replayed = 0;
    let checkedBase = false;
    const checkContinues = (next: number | undefined): void => {
      // `next` is the first sequence number the journal holds after the snapshot's
      if (next === undefined || next <= covered + 1) return;
      if (snapshotSeq === undefined) {
        throw new StoreCorruptError(snapshotPath, 0, `the snapshot is missing, but ${JOURNAL_FILE} continues from record ${next - 1}: the snapshot held every write up to it (deleted or moved?)`, SNAPSHOT_REMEDY, 'snapshot-missing');
      }
      throw new StoreCorruptError(snapshotPath, 0, `the snapshot holds records up to ${covered}, but ${JOURNAL_FILE} continues from record ${next - 1}: records ${covered + 1}–${next - 1} are in neither (the snapshot was replaced by an older copy?)`, SNAPSHOT_REMEDY, 'snapshot-older');
    };
    this.db.run('BEGIN');
    try {
      const scan = scanJournalFile(journalPath, (record) => {
        if (record.seq <= covered) return;
        if (!checkedBase) {
          checkedBase = true;
          checkContinues(record.seq);
        }
        replayed++;
        let mutation: Mutation;
        try {
          mutation = decodeMutation(record.payload);
        } catch (error) {
          throw new StoreCorruptError(journalPath, record.offset, `a journal record cannot be decoded (${(error as Error).message})`);
        }
        for (const append of mutation.appends ?? []) {
          if (touched.has(append.file)) continue;
          touched.add(append.file);
          this.prepareReplayOf(append.file, this.fileLengths.get(append.file) ?? 0);
        }
        try {
          for (const statement of mutation.statements) this.runStatement(statement);
        } catch (error) {
          throw new StoreCorruptError(journalPath, record.offset, `replaying a journal record failed (${(error as Error).message})`);
        }
        for (const statement of mutation.statements) {
          if (statement.sql !== CUT_SERIES) continue;
          const [length, file] = statement.params as [number, string];
          touched.add(file);
          this.prepareReplayOf(file, length);
          this.fileLengths.set(file, length);
        }
        for (const append of mutation.appends ?? []) {
          const position = this.fileLengths.get(append.file) ?? 0;
          // Bytes of a damaged file are not written past its gap; it stays recorded at its full
          // length, so it is refused (and reported by `mlops doctor`) until repaired.
          if (!this.damagedFiles.has(append.file)) this.writeFileBytes(append.file, append.bytes, position);
          this.fileLengths.set(append.file, position + append.bytes.length);
        }
      });
      if (scan.baseSeq !== undefined) checkContinues(scan.baseSeq + 1);
      this.db.run('COMMIT');
      this.recordsSinceCheckpoint = replayed;
      return scan;
    } catch (error) {
      this.db.run('ROLLBACK');
      throw error;
    }
  }

  private async migrate(migrations: readonly Migration[]): Promise<void> {
    const applied = new Set((this.db.exec('SELECT id FROM store_migrations')[0]?.values ?? []).map((r) => Number(r[0])));
    const known = new Set(migrations.map((m) => m.id));
    const unknown = [...applied].filter((id) => !known.has(id));
    if (unknown.length > 0) {
      throw new Error(`The workspace store ${this.dir} was written by a newer version of MLOps Studio (schema steps ${unknown.join(', ')} are unknown here); update the extension or CLI.`);
    }
    for (const migration of [...migrations].sort((a, b) => a.id - b.id)) {
      if (applied.has(migration.id)) continue;
      await this.commit({
        statements: [
          ...migration.statements.map((sql) => ({ sql })),
          { sql: 'INSERT INTO store_migrations (id, name, applied_at) VALUES (?, ?, ?)', params: [migration.id, migration.name, Date.now()] },
          { sql: "INSERT INTO store_meta (key, value) VALUES ('schema_version', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value", params: [String(migration.id)] },
        ],
      });
    }
  }

  /** Highest applied schema step. */
  get schemaVersion(): number {
    return Number(this.db.exec("SELECT value FROM store_meta WHERE key = 'schema_version'")[0]?.values[0]?.[0] ?? 0);
  }

  private statement(sql: string): Statement {
    let statement = this.statementCache.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.statementCache.set(sql, statement);
      // Searches build their SQL from the filter's shape: keep the cache bounded. Statements are
      // used synchronously right after this call, so the oldest is never in use.
      if (this.statementCache.size > STATEMENT_CACHE_MAX) {
        const [oldest, old] = this.statementCache.entries().next().value as [string, Statement];
        this.statementCache.delete(oldest);
        old.free();
      }
    }
    return statement;
  }

  /** A SQL function for this database's queries (e.g. MLflow's LIKE, which SQLite's differs from). */
  defineFunction(name: string, fn: (...args: SqlValue[]) => SqlValue): void {
    this.db.create_function(name, fn);
  }

  private runStatement(statement: SqlStatement): void {
    this.statement(statement.sql).run(statement.params ? [...statement.params] : []);
  }

  /**
   * Applies a mutation in memory now (all statements or none) and resolves once it is durable.
   * Callers validate first; a statement that throws leaves nothing behind and nothing journaled.
   */
  commit(mutation: Mutation): Promise<void> {
    if (this.closed) return Promise.reject(new StoreClosedError(this.dir));
    if (this.journal.failed !== undefined) return Promise.reject(new StoreWriteFailedError(this.journal.failed, this.dir));
    const appends = mutation.appends ?? [];
    // A write must not paper over damage: appending past a cut-short file would fill the gap with zeros.
    for (const append of appends) this.checkIntact(append.file);
    const positions: number[] = [];
    const statements: SqlStatement[] = [...mutation.statements];
    const newLengths = new Map<string, number>();
    for (const append of appends) {
      const position = newLengths.get(append.file) ?? this.fileLengths.get(append.file) ?? 0;
      positions.push(position);
      newLengths.set(append.file, position + append.bytes.length);
    }
    for (const [file, length] of newLengths) statements.push({ sql: UPSERT_SERIES, params: [file, length] });
    this.db.run('BEGIN');
    try {
      for (const statement of statements) this.runStatement(statement);
      this.db.run('COMMIT');
    } catch (error) {
      this.db.run('ROLLBACK');
      throw error;
    }
    for (const [file, length] of newLengths) this.fileLengths.set(file, length);
    for (const listener of this.commitListeners) {
      try {
        listener();
      } catch {
        // The commit is applied already; a listener's failure must not make it look refused.
      }
    }
    const payload = encodeMutation({ statements, appends });
    this.seq += 1;
    this.recordsSinceCheckpoint += 1;
    let afterSync: (() => void) | undefined;
    if (appends.length > 0) {
      const entry = { appends, positions, written: false };
      this.unwritten.add(entry);
      afterSync = (): void => {
        this.unwritten.delete(entry);
        if (!entry.written) this.writeAppends(appends, positions);
      };
    }
    const durable = this.journal.append(this.seq, payload, afterSync).catch((error: unknown) => {
      throw new StoreWriteFailedError(error, this.dir);
    });
    if (this.checkpointDue() && this.checkpointing === undefined && Date.now() >= this.autoCheckpointPausedUntil) {
      // Re-checked when it runs: many commits over the limit ask, one checkpoint answers.
      void durable
        .then(() => (this.checkpointDue() ? this.checkpoint() : undefined))
        .catch((error: unknown) => {
          // The journal still holds everything, so nothing is lost; the journal just grows.
          this.autoCheckpointPausedUntil = Date.now() + 30_000;
          this.warnings.push(`automatic checkpoint failed (${error instanceof Error ? error.message : String(error)}); retrying in 30 s`);
        });
    }
    return durable;
  }

  /**
   * Called after every commit is applied in memory (before it is durable): the engine tells its
   * clients that something changed, whatever the domain that wrote it.
   */
  onDidCommit(listener: () => void): { dispose(): void } {
    this.commitListeners.add(listener);
    return { dispose: () => this.commitListeners.delete(listener) };
  }

  private checkpointDue(): boolean {
    return this.journal.byteLength > this.checkpointBytes || this.recordsSinceCheckpoint > this.checkpointRecords;
  }

  private writeAppends(appends: readonly FileAppend[], positions: readonly number[]): void {
    appends.forEach((append, i) => this.writeFileBytes(append.file, append.bytes, positions[i] as number));
  }

  private fileDescriptor(file: string): number {
    const cached = this.openFiles.get(file);
    if (cached !== undefined) {
      // Keep the map in least-recently-used order.
      this.openFiles.delete(file);
      this.openFiles.set(file, cached);
      return cached;
    }
    const path = join(this.dir, file);
    const folder = dirname(path);
    if (!existsSync(folder)) {
      mkdirSync(folder, { recursive: true });
      for (let d = folder; d.length > this.dir.length; d = dirname(d)) this.newDirs.add(d);
    }
    let fd: number;
    try {
      fd = openSync(path, 'r+');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      const recorded = this.writtenLengths.get(file) ?? 0;
      if (recorded > 0) {
        this.damagedFiles.add(file);
        throw new StoreCorruptError(path, 0, `the series file is missing (${recorded} bytes were recorded)`, SERIES_REPAIR_HINT);
      }
      fd = openSync(path, 'w+');
      this.newDirs.add(folder);
    }
    this.openFiles.set(file, fd);
    if (this.openFiles.size > OPEN_FILES_MAX) {
      const [oldest, oldFd] = this.openFiles.entries().next().value as [string, number];
      if (this.dirtyFiles.has(oldest)) fsyncSync(oldFd);
      this.dirtyFiles.delete(oldest);
      closeSync(oldFd);
      this.openFiles.delete(oldest);
    }
    return fd;
  }

  private writeFileBytes(file: string, bytes: Uint8Array, position: number): void {
    const fd = this.fileDescriptor(file);
    let written = 0;
    while (written < bytes.length) written += writeSync(fd, bytes, written, Math.min(bytes.length - written, MAX_IO_BYTES), position + written);
    this.dirtyFiles.add(file);
    this.writtenLengths.set(file, Math.max(this.writtenLengths.get(file) ?? 0, position + bytes.length));
  }

  /**
   * Before replaying appends to `file`: cut it back to the length the snapshot recorded (bytes past
   * it are redone from the journal). A file shorter than that, or missing, was damaged, not torn
   * (the snapshot is written only once its files are on disk): it is marked, not opened over.
   */
  private prepareReplayOf(file: string, length: number): void {
    if (this.damagedFiles.has(file)) return;
    if (length > 0 && !this.openFiles.has(file) && !existsSync(join(this.dir, file))) {
      this.damagedFiles.add(file);
      return;
    }
    const fd = this.fileDescriptor(file);
    const size = fstatSync(fd).size;
    if (size < length) this.damagedFiles.add(file);
    else if (size > length) ftruncateSync(fd, length);
  }

  /**
   * Throws (and remembers) when `file` is shorter than what was written to it, or was deleted
   * under us: such a file stays refused, for reads and writes, until `cutFile` repairs it.
   */
  private checkIntact(file: string): void {
    const path = join(this.dir, file);
    const written = this.writtenLengths.get(file) ?? 0;
    if (this.damagedFiles.has(file)) this.forgetDescriptor(file); // look at the path again: it may have been restored
    else if (written === 0 && !this.openFiles.has(file)) return;
    const stat = fstatSync(this.fileDescriptor(file));
    if (stat.nlink === 0) {
      this.damagedFiles.add(file);
      throw new StoreCorruptError(path, 0, `the series file was deleted (${written} bytes were recorded)`, SERIES_REPAIR_HINT);
    }
    if (stat.size < written) {
      this.damagedFiles.add(file);
      throw new StoreCorruptError(path, stat.size, `the series file is shorter than recorded (${stat.size} of ${written} bytes)`, SERIES_REPAIR_HINT);
    }
    this.damagedFiles.delete(file);
  }

  private forgetDescriptor(file: string): void {
    const fd = this.openFiles.get(file);
    if (fd === undefined) return;
    if (this.dirtyFiles.has(file)) fsyncSync(fd);
    closeSync(fd);
    this.openFiles.delete(file);
    this.dirtyFiles.delete(file);
  }

  /** Every append-only file that is missing or shorter than recorded (`mlops doctor`). */
  checkFiles(): FileDamage[] {
    const damage: FileDamage[] = [];
    for (const [file, recorded] of this.fileLengths) {
      if (recorded === 0) continue;
      let actual = 0;
      let missing = false;
      try {
        const stat = statSync(join(this.dir, file));
        actual = stat.size;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
        missing = true;
      }
      if (missing || actual < recorded) damage.push({ file, recorded, actual, missing });
    }
    return damage;
  }

  /**
   * Repairs a damaged file: cuts it to `length` (at most what is intact) in the same journal
   * record as `statements` (the caller's corrected summaries), and lifts the refusal.
   */
  async cutFile(file: string, length: number, statements: readonly SqlStatement[]): Promise<void> {
    const path = join(this.dir, file);
    this.forgetDescriptor(file); // it may belong to a deleted file: start again from the path
    const fd = openSync(path, existsSync(path) ? 'r+' : 'w+');
    try {
      if (fstatSync(fd).size < length) throw new Error(`${path} is shorter than the ${length} bytes a repair would keep`);
      ftruncateSync(fd, length);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    this.damagedFiles.delete(file);
    this.fileLengths.set(file, length);
    this.writtenLengths.set(file, length);
    await this.commit({ statements: [...statements, { sql: CUT_SERIES, params: [length, file] }] });
  }

  /** Committed length of an append-only file. */
  fileLength(file: string): number {
    return this.fileLengths.get(file) ?? 0;
  }

  /**
   * Reads bytes [from, to) of an append-only file as far as it is written: a read never sees bytes
   * of a commit that is not yet acknowledged, and always sees those of an awaited one.
   */
  async readFile(file: string, from = 0, to?: number): Promise<Buffer> {
    const length = this.writtenLengths.get(file) ?? 0;
    const end = Math.min(to ?? length, length);
    if (end <= from) return Buffer.alloc(0);
    checkReadable(file, end - from);
    // An ArrayBuffer of its own keeps the bytes 8-aligned for Float64Array views.
    return this.readInto(file, from, end, Buffer.from(new ArrayBuffer(end - from)));
  }

  /**
   * The written bytes of `file` in a buffer this database reuses (8-aligned): valid only until the
   * next call, so read them before anything else can run. Charts read hundreds of series files
   * in a row; a fresh buffer for each was most of the garbage the extension host had to collect.
   */
  readFileTransient(file: string): Uint8Array {
    const length = this.writtenLengths.get(file) ?? 0;
    if (length === 0) return new Uint8Array(0);
    checkReadable(file, length);
    if (this.scratch.byteLength < length) this.scratch = Buffer.from(new ArrayBuffer(Math.min(BUFFER_MAX_LENGTH, Math.max(length, this.scratch.byteLength * 2))));
    return this.readInto(file, 0, length, this.scratch.subarray(0, length));
  }

  private scratch = Buffer.alloc(0);

  private readInto(file: string, from: number, end: number, out: Buffer): Buffer {
    this.checkIntact(file);
    readFully(this.fileDescriptor(file), out, out.length, from);
    return out;
  }

  /** Rows of a read-only query, as objects keyed by column name. */
  query(sql: string, params: readonly SqlValue[] = []): Record<string, SqlValue>[] {
    const statement = this.statement(sql);
    statement.bind([...params]);
    const rows: Record<string, SqlValue>[] = [];
    try {
      while (statement.step()) rows.push(statement.getAsObject());
    } finally {
      statement.reset();
    }
    return rows;
  }

  /** Rows of a read-only query as arrays, in column order (cheaper than objects for big loads). */
  rows(sql: string, params: readonly SqlValue[] = []): SqlValue[][] {
    const statement = this.statement(sql);
    statement.bind([...params]);
    const rows: SqlValue[][] = [];
    try {
      while (statement.step()) rows.push(statement.get());
    } finally {
      statement.reset();
    }
    return rows;
  }

  /** Journal fsyncs so far (group commit makes concurrent commits share one). */
  get journalSyncs(): number {
    return this.journal.syncCount;
  }

  /** Resolves once every commit made so far is durable. */
  flushed(): Promise<void> {
    return this.journal.drain();
  }

  /**
   * Writes an atomic snapshot and empties the journal, at a journal barrier (no write in flight)
   * and without yielding, so no write can fall between the snapshot and the truncation.
   */
  checkpoint(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.checkpointing ??= this.journal.barrier(() => {
      if (!this.unchangedSinceSnapshot()) this.checkpointNow();
    }).finally(() => {
      this.checkpointing = undefined;
    });
    return this.checkpointing;
  }

  /**
   * Nothing was written since the snapshot on disk and the journal holds no record: a snapshot
   * now would rewrite (and fsync) the same image, which read-only commands did on every close.
   */
  private unchangedSinceSnapshot(): boolean {
    return this.snapshotSeq !== undefined && this.seq === this.snapshotSeq && this.journal.byteLength <= JOURNAL_HEADER_BYTES && this.unwritten.size === 0;
  }

  /**
   * Rebuilds the database image without its free pages (after a large table was dropped: sqlite
   * keeps the space, and every snapshot would still write it), then writes a snapshot.
   */
  async compact(): Promise<void> {
    if (this.closed) throw new StoreClosedError(this.dir);
    await this.journal.drain();
    await this.journal.barrier(() => {
      for (const statement of this.statementCache.values()) statement.free();
      this.statementCache.clear();
      this.db.run('VACUUM');
      applyPragmas(this.db);
      this.checkpointNow();
    });
  }

  private checkpointNow(): void {
    if (this.journal.failed !== undefined) throw new StoreWriteFailedError(this.journal.failed, this.dir);
    // Commits waiting for their group are already in the database image: their file bytes must be
    // on disk before the snapshot says the files are that long. (Writing them again after their
    // fsync is harmless: the writes are positional.)
    for (const entry of this.unwritten) {
      this.writeAppends(entry.appends, entry.positions);
      entry.written = true;
    }
    for (const file of this.dirtyFiles) {
      const fd = this.openFiles.get(file);
      if (fd !== undefined) fsyncSync(fd);
    }
    this.dirtyFiles.clear();
    for (const folder of [...this.newDirs].sort((a, b) => b.length - a.length)) fsyncDirectory(folder);
    if (this.newDirs.size > 0) fsyncDirectory(this.dir);
    this.newDirs.clear();
    this.db.run("INSERT INTO store_meta (key, value) VALUES ('last_seq', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value", [String(this.seq)]);
    // export() closes and reopens the sqlite handle: prepared statements and pragmas are gone after it.
    for (const statement of this.statementCache.values()) statement.free();
    this.statementCache.clear();
    const image = this.db.export();
    applyPragmas(this.db);
    writeSnapshot(join(this.dir, SNAPSHOT_FILE), image);
    this.journal.truncateSync(this.seq);
    this.snapshotSeq = this.seq;
    this.recordsSinceCheckpoint = 0;
  }

  /** Snapshot, then release every file. Later calls do nothing. */
  async close(options: { snapshot?: boolean } = {}): Promise<void> {
    if (this.closed) return;
    await this.journal.drain();
    if (options.snapshot !== false && this.journal.failed === undefined) await this.checkpoint();
    this.closed = true;
    await this.journal.close();
    for (const fd of this.openFiles.values()) closeSync(fd);
    this.openFiles.clear();
    for (const statement of this.statementCache.values()) statement.free();
    this.statementCache.clear();
    this.db.close();
  }
}

/** One read lands in one Buffer, and Node caps those (4 GiB in Node 20): say so, not "Invalid typed array length". */
function checkReadable(file: string, bytes: number): void {
  if (bytes <= BUFFER_MAX_LENGTH) return;
  throw new Error(`${file} is too large to read in one piece: ${bytes} bytes, and one buffer holds at most ${BUFFER_MAX_LENGTH} in this Node.js. Its points are intact; it can still be appended to.`);
}

const SNAPSHOT_REMEDY = 'Nothing was changed; put the newest store.snapshot back (from a backup) and open the store again.';

/**
 * A snapshot is written only after its journal exists, and a checkpoint empties the journal to its
 * header, never to nothing: a snapshot without a journal means the journal was deleted or emptied,
 * and with it every write since the last checkpoint.
 */
function checkJournalPresent(journalPath: string, snapshotSeq: number): void {
  let size: number;
  try {
    size = statSync(journalPath).size;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    size = -1;
  }
  if (size > 0) return;
  throw new StoreCorruptError(
    journalPath,
    0,
    `the journal is ${size < 0 ? 'missing' : 'empty'}, but store.snapshot (up to record ${snapshotSeq}) shows the store was written to: every write since the last checkpoint went only to the journal and is lost with it`,
    'Nothing was changed. Put journal.log back from a backup, or run `mlops doctor --repair` to go on from the snapshot alone (the writes since the last checkpoint are lost).',
    'journal-missing',
  );
}

/** A crash during a snapshot write leaves its temp file behind; the rename never happened, so it is garbage. */
function removeAbandonedTempFiles(dir: string): void {
  for (const name of readdirSync(dir)) {
    if (name.startsWith(`.${SNAPSHOT_FILE}.tmp-`)) {
      try {
        unlinkSync(join(dir, name));
      } catch {
        // another process may have removed it; the lock is taken before this runs, so not ours to fight over
      }
    }
  }
}

function applyPragmas(db: Database): void {
  // The database lives in memory; sqlite's own rollback journal only needs to support ROLLBACK.
  db.run('PRAGMA journal_mode = MEMORY');
  db.run('PRAGMA foreign_keys = OFF');
}
