import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import type { DataTable } from '../../../src/core/data/dataTable';
import { tableCacheFolder } from '../../../src/core/data/tableCache';
import { readTable } from '../../../src/core/data/tableReader';
import type { GcReport } from '../../../src/core/store/storeGc';
import { openWorkspaceStore } from '../../../src/core/store/workspaceStore';
import { mlopsInProcess } from '../lib/runCliInProcess';

// Issue #24 item 2: a file read before loads its typed columns from the store's prepared tables;
// a changed file is read again; `mlops gc` removes them.
const dir = mkdtempSync(join(tmpdir(), 'mlops-tables-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function numbers(table: DataTable, name: string): number[] {
  const column = table.columns.find((c) => c.name === name);
  assert.ok(column?.kind === 'numeric');
  return [...column.values];
}

describe('prepared tables', () => {
  test('the second read comes from the cache with the same table; after an edit the new value appears', async () => {
    const cacheFolder = join(dir, 'store', 'cache', 'tables');
    const path = join(dir, 'prices.csv');
    const rows = Array.from({ length: 3000 }, (_, i) => `${i},${['red', 'blue', 'green'][i % 3]},${(i * 0.25).toFixed(2)}`);
    writeFileSync(path, `id,color,price\n${rows.join('\n')}\n`);
    const first = await readTable(path, { cacheFolder, displayName: 'prices.csv' });
    assert.equal(first.readFrom, 'file');
    const second = await readTable(path, { cacheFolder, displayName: 'prices.csv' });
    assert.equal(second.readFrom, 'cache');
    assert.equal(second.digest, first.digest);
    assert.equal(second.file, 'prices.csv');
    assert.deepEqual(second.columns, first.columns);
    assert.deepEqual(second.locate(2999), first.locate(2999));

    // the same bytes read with a declared kind are another table
    const declared = await readTable(path, { cacheFolder, columnKinds: { id: 'categorical' } });
    assert.equal(declared.readFrom, 'file');
    assert.equal(declared.columns[0]?.kind, 'categorical');

    rows[2999] = '2999,red,1000.5';
    writeFileSync(path, `id,color,price\n${rows.join('\n')}\n`);
    const edited = await readTable(path, { cacheFolder });
    assert.equal(edited.readFrom, 'file');
    assert.notEqual(edited.digest, first.digest);
    assert.equal(numbers(edited, 'price')[2999], 1000.5);
    const again = await readTable(path, { cacheFolder });
    assert.equal(again.readFrom, 'cache');
    assert.equal(numbers(again, 'price')[2999], 1000.5);
  });

  test('a damaged prepared table is ignored and the file read again', async () => {
    const cacheFolder = join(dir, 'damaged', 'tables');
    const path = join(dir, 'small.csv');
    writeFileSync(path, 'a,b\n1,x\n2,y\n');
    const first = await readTable(path, { cacheFolder });
    const digestFolder = join(cacheFolder, first.digest.replace('sha256:', ''));
    for (const name of readdirSync(digestFolder)) writeFileSync(join(digestFolder, name), 'MLOPSTB1 not really');
    const second = await readTable(path, { cacheFolder });
    assert.equal(second.readFrom, 'file');
    assert.deepEqual(second.columns, first.columns);
  });

  test('mlops drift keeps the files\' columns in the store, sees an edited file, and mlops gc removes them', async () => {
    const workspace = join(dir, 'ws');
    const store = await openWorkspaceStore({ dir: join(workspace, '.mlops'), writerName: 'cache test' });
    await store.close();
    const reference = join(dir, 'reference.csv');
    const current = join(dir, 'current.csv');
    const column = (shift: number): string => `x\n${Array.from({ length: 400 }, (_, i) => ((i % 40) + shift).toFixed(1)).join('\n')}\n`;
    writeFileSync(reference, column(0));
    writeFileSync(current, column(0));
    const same = await mlopsInProcess(workspace, 'drift', reference, current);
    assert.equal(same.code, 0, same.err);
    const tables = tableCacheFolder(join(workspace, '.mlops'));
    assert.ok(existsSync(tables), 'the prepared tables live in the store');
    const again = await mlopsInProcess(workspace, 'drift', reference, current);
    assert.equal(again.code, 0, again.err);
    assert.equal(again.out, same.out);

    writeFileSync(current, column(30));
    const drifted = await mlopsInProcess(workspace, 'drift', reference, current);
    assert.equal(drifted.code, 1, `the edited file drifted: ${drifted.out}${drifted.err}`);

    const gc = await mlopsInProcess(workspace, '--json', 'gc', '--older-than', '0');
    assert.equal(gc.code, 0, gc.err);
    const report = JSON.parse(gc.out) as GcReport;
    assert.ok(report.removed.some((item) => item.kind === 'prepared table'));
    assert.deepEqual(readdirSync(tables).filter((name) => name !== 'paths'), []);
    assert.deepEqual(readdirSync(join(tables, 'paths')), []);
  });
});
