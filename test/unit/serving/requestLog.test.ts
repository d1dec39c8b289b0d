import assert from 'node:assert/strict';
import { appendFileSync, closeSync, mkdtempSync, openSync, readFileSync, readSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { FEEDBACK_MIGRATIONS } from '../../../src/core/feedback/feedbackSchema';
import { LINEAGE_MIGRATIONS } from '../../../src/core/lineage/lineageSchema';
import { MONITORING_MIGRATIONS } from '../../../src/core/monitoring/monitoringSchema';
import { REGISTRY_MIGRATIONS } from '../../../src/core/registry/registrySchema';
import { RETRAINING_MIGRATIONS } from '../../../src/core/retraining/retrainingSchema';
import type { RequestLogEntry } from '../../../src/core/serving/endpointTypes';
import { RequestLog, readRequestLog } from '../../../src/core/serving/requestLog';
import { endpointLogFolder, listSegments } from '../../../src/core/serving/requestLogFiles';
import { encodeFrame, type LoggedRequest } from '../../../src/core/serving/requestLogFormat';
import { moveRequestRowsToSegments } from '../../../src/core/serving/requestLogMigration';
import { SERVING_MIGRATIONS } from '../../../src/core/serving/servingSchema';
import { DurableDatabase } from '../../../src/core/store/durableDatabase';
import { openWorkspaceStore } from '../../../src/core/store/workspaceStore';
import { TRACKING_MIGRATIONS } from '../../../src/core/tracking/trackingSchema';

const root = mkdtempSync(join(tmpdir(), 'mlops-request-log-'));
after(() => rmSync(root, { recursive: true, force: true }));
let folders = 0;
const freshDir = (): string => join(root, `store-${++folders}`);

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 0, 1);

function entry(i: number, time = T0 + i, extra: Partial<RequestLogEntry> = {}): RequestLogEntry {
  return { requestId: `req-${i}`, time, version: 1, status: 200, latencyMs: 2.5, rows: 2, inputs: [{ x: i, colour: 'red' }, { x: i + 0.5, colour: null }], outputs: [i, i + 1], ...extra };
}

function all(log: RequestLog, endpoint = 'shop'): LoggedRequest[] {
  return [...log.newestFirst(endpoint)];
}

const ids = (entries: readonly LoggedRequest[]): string[] => entries.map((e) => e.requestId ?? '?');

describe('request-log segments', () => {
  test('entries are written in batches and read back whole, newest first, across segments', async () => {
    const dir = freshDir();
    const log = new RequestLog(dir, { segmentBytes: 600 });
    const written: RequestLogEntry[] = [];
    for (let batch = 0; batch < 8; batch++) {
      const entries = [entry(batch * 3), entry(batch * 3 + 1, T0 + batch * 3 + 1, { status: 400, inputs: null, outputs: null, rows: 0, error: 'bad "input"' }), entry(batch * 3 + 2)];
      log.append('shop', 'penguins', entries); // one turn of the event loop: one batch
      written.push(...entries);
      await log.flushed();
    }
    log.append('other', 'penguins', [entry(100)]);
    await log.close();

    const segments = listSegments(endpointLogFolder(dir, 'shop'));
    assert.ok(segments.length > 1, `a small segment size spreads the log over several files (${segments.length})`);
    for (const segment of segments) {
      const bytes = statSync(join(endpointLogFolder(dir, 'shop'), segment.name)).size;
      // each batch (three entries) stays in one segment: a segment is only closed between batches
      assert.ok(bytes < 600 + 3 * 400, `${segment.name}: ${bytes} bytes`);
    }
    const reader = new RequestLog(dir);
    const read = all(reader);
    assert.deepEqual(read, written.map((e) => ({ ...e, modelName: 'penguins' })).reverse(), 'everything, newest first, as it was logged');
    assert.deepEqual(ids(all(reader, 'other')), ['req-100'], 'each endpoint has its own log');
    assert.equal(reader.answeredRows('shop'), 16 * 2, 'answered rows with inputs: the refused requests do not count');
    assert.deepEqual(ids(readRequestLogLike(reader, 5)), ['req-23', 'req-22', 'req-21', 'req-20', 'req-19']);
    assert.equal(reader.findAnswered('shop', 'req-5')?.time, T0 + 5);
    assert.equal(reader.findAnswered('shop', 'req-1'), undefined, 'a refused request is not an answer feedback can name');
  });

  test('retention by rows drops whole old segments, keeps the newest rows; a new limit applies at once', async () => {
    const dir = freshDir();
    const log = new RequestLog(dir, { retention: { maxRows: 10, maxDays: 30 } });
    for (let i = 0; i < 25; i++) {
      log.append('shop', 'm', [entry(i)]);
      await log.flushed();
    }
    let kept = all(log);
    assert.ok(kept.length >= 10 && kept.length <= 12, `at least the 10 newest, and less than a segment more: ${kept.length}`);
    assert.deepEqual(ids(kept), Array.from({ length: kept.length }, (_, k) => `req-${24 - k}`));
    assert.equal(log.answeredRows('shop'), 25 * 2, 'rows answered so far still count the dropped ones: "new traffic" stays meaningful');

    log.setRetention({ maxRows: 4, maxDays: 30 });
    await log.flushed();
    kept = all(log);
    assert.ok(kept.length >= 4 && kept.length <= 5, `a smaller limit drops at once, without new traffic: ${kept.length}`);
    assert.equal(kept[0]?.requestId, 'req-24');
    await log.close();
  });

  test('retention by days drops segments whose requests are all older, even with no new traffic or a stopped endpoint', async () => {
    const dir = freshDir();
    let now = T0;
    const log = new RequestLog(dir, { retention: { maxRows: 1_000_000, maxDays: 30 }, now: () => now });
    log.append('shop', 'm', [entry(1, now), entry(2, now)]);
    log.append('stopped', 'm', [entry(7, now)]);
    await log.flushed();
    await log.closeEndpoint('stopped'); // its endpoint stopped: nothing writes its log any more
    now += 10 * DAY;
    log.append('shop', 'm', [entry(3, now)]);
    await log.flushed();
    assert.deepEqual(ids(all(log)), ['req-3', 'req-2', 'req-1']);

    now = T0 + 35 * DAY; // day 0 is past 30 days, day 10 is not
    log.setRetention({ maxRows: 1_000_000, maxDays: 30 });
    await log.flushed();
    assert.deepEqual(ids(all(log)), ['req-3']);
    assert.deepEqual(ids(all(log, 'stopped')), [], "a stopped endpoint's old requests go too");

    now = T0 + 45 * DAY; // now day 10 is too
    log.setRetention({ maxRows: 1_000_000, maxDays: 30 });
    await log.flushed();
    assert.deepEqual(ids(all(log)), [], 'the segment being written goes too once all it holds is old');
    assert.equal(log.answeredRows('shop'), 6);

    log.append('shop', 'm', [entry(4, now)]);
    await log.flushed();
    assert.deepEqual(ids(all(log)), ['req-4']);
    assert.equal(log.answeredRows('shop'), 8);
    await log.close();
  });

  test('a torn last write (a crash mid-batch) is dropped, and the next batch is written where it began', async () => {
    const dir = freshDir();
    const first = new RequestLog(dir);
    first.append('shop', 'm', [entry(1), entry(2), entry(3)]);
    await first.close();
    const [segment] = listSegments(endpointLogFolder(dir, 'shop'));
    const path = join(endpointLogFolder(dir, 'shop'), segment?.name ?? '');
    const whole = statSync(path).size;
    // the first 40 bytes of a frame: magic and length say more is coming, and it never came
    appendFileSync(path, readFileSync(path).subarray(8, 48));

    const second = new RequestLog(dir);
    assert.deepEqual(ids(all(second)), ['req-3', 'req-2', 'req-1'], 'readers skip the torn tail');
    second.append('shop', 'm', [entry(4)]);
    await second.flushed();
    const { inputs, outputs, ...rest } = entry(4);
    assert.equal(statSync(path).size, whole + encodeFrame({ ...rest, modelName: 'm' }, JSON.stringify(inputs), JSON.stringify(outputs)).length, 'the torn bytes are gone');
    assert.deepEqual(ids(all(new RequestLog(dir))), ['req-4', 'req-3', 'req-2', 'req-1']);
    await second.close();
  });

  test('a damaged entry in the middle is skipped; the entries after it are kept', async () => {
    const dir = freshDir();
    const log = new RequestLog(dir);
    log.append('shop', 'm', [entry(1), entry(2), entry(3)]);
    await log.close();
    const [segment] = listSegments(endpointLogFolder(dir, 'shop'));
    const path = join(endpointLogFolder(dir, 'shop'), segment?.name ?? '');
    const bytes = readFileSync(path);
    const at = bytes.indexOf('"id":"req-2"') + 8; // a byte inside the second entry
    const fd = openSync(path, 'r+');
    const one = Buffer.alloc(1);
    readSync(fd, one, 0, 1, at);
    writeSync(fd, Buffer.from([one[0] === 0x30 ? 0x31 : 0x30]), 0, 1, at);
    closeSync(fd);
    const reader = new RequestLog(dir);
    assert.deepEqual(ids(all(reader)), ['req-3', 'req-1']);
    assert.equal(reader.answeredRows('shop'), 4);
  });

  test("an old store's request-log rows move into segments on open, then leave the database; a second move adds nothing", async () => {
    const dir = freshDir();
    const migrations = [...TRACKING_MIGRATIONS, ...REGISTRY_MIGRATIONS, ...LINEAGE_MIGRATIONS, ...SERVING_MIGRATIONS, ...FEEDBACK_MIGRATIONS, ...MONITORING_MIGRATIONS, ...RETRAINING_MIGRATIONS];
    let db = await DurableDatabase.open({ dir, migrations });
    const padding = 'p'.repeat(2000);
    const statements = [];
    for (let i = 1; i <= 1200; i++) {
      const endpoint = i % 3 === 0 ? 'other' : 'shop';
      const failed = i % 10 === 0;
      statements.push({
        sql: 'INSERT INTO serving_requests (endpoint, time, model_name, version, status, latency_ms, rows, inputs, outputs, error, request_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
        params: [endpoint, T0 + i, 'penguins', 1 + (i % 2), failed ? 400 : 200, 1.5, 1, failed ? null : JSON.stringify([{ x: i, pad: padding }]), failed ? null : JSON.stringify([i]), failed ? 'bad input' : null, i % 7 === 0 ? null : `req-${i}`],
      });
    }
    await db.commit({ statements });
    await db.close();
    const before = statSync(join(dir, 'store.snapshot')).size;

    // A first move that crashed before the table was dropped: the rows are in segments and still in the table.
    db = await DurableDatabase.open({ dir, migrations });
    assert.equal(await moveRequestRowsToSegments(db, dir), 1200);
    await db.close({ snapshot: false });

    const store = await openWorkspaceStore({ dir, writerName: 'test' });
    try {
      const shop = readRequestLog(store, 'shop', 10_000);
      assert.equal(shop.length, 800, 'each row once, none twice');
      assert.equal(readRequestLog(store, 'other', 10_000).length, 400);
      const newest = shop[0];
      assert.deepEqual(
        { ...newest, inputs: newest?.inputs?.map((r) => ({ ...r, pad: String(r.pad).length })) },
        { requestId: 'req-1199', time: T0 + 1199, version: 2, status: 200, latencyMs: 1.5, rows: 1, inputs: [{ x: 1199, pad: 2000 }], outputs: [1199], modelName: 'penguins', legacyId: 1199 },
      );
      assert.deepEqual(
        shop.slice(0, 6).map((e) => [e.legacyId, e.requestId ?? null, e.status, e.error ?? null]),
        [
          [1199, 'req-1199', 200, null],
          [1198, 'req-1198', 200, null],
          [1196, 'req-1196', 200, null],
          [1195, 'req-1195', 200, null],
          [1193, 'req-1193', 200, null],
          [1192, 'req-1192', 200, null],
        ],
      );
      assert.equal(shop.find((e) => e.legacyId === 1190)?.error, 'bad input');
      assert.equal(shop.find((e) => e.legacyId === 1190)?.inputs, null);
      assert.equal(shop.find((e) => e.legacyId === 1183)?.requestId, undefined, 'rows logged before request ids had none');
      assert.deepEqual(store.database.rows("SELECT name FROM sqlite_master WHERE name LIKE 'serving_requests%'"), [], 'the table and its indexes are gone');
    } finally {
      await store.close();
    }
    const afterMove = statSync(join(dir, 'store.snapshot')).size;
    assert.ok(afterMove < before / 4, `the snapshot shrinks back to metadata: ${before} → ${afterMove} bytes`);
    const again = await openWorkspaceStore({ dir, writerName: 'test' });
    try {
      assert.equal(readRequestLog(again, 'shop', 10_000).length, 800);
    } finally {
      await again.close();
    }
  });
});

function readRequestLogLike(log: RequestLog, limit: number): LoggedRequest[] {
  const out: LoggedRequest[] = [];
  for (const e of log.newestFirst('shop')) {
    out.push(e);
    if (out.length >= limit) break;
  }
  return out;
}
