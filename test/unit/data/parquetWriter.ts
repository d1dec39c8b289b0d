// A minimal Parquet writer for test fixtures (one row group, PLAIN, uncompressed, optional
// columns): enough to produce files hyparquet reads, without a Parquet library in the project.

type Cell = number | string | null;
export interface FixtureColumn {
  readonly name: string;
  readonly type: 'double' | 'int64' | 'string';
  readonly values: readonly Cell[];
}

class Thrift {
  readonly bytes: number[] = [];
  private last: number[] = [0];
  varint(n: bigint | number): void {
    let v = BigInt(n);
    while (v >= 0x80n) {
      this.bytes.push(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    this.bytes.push(Number(v));
  }
  zigzag(n: number | bigint): void {
    const v = BigInt(n);
    this.varint(v >= 0n ? v << 1n : ((-v) << 1n) - 1n);
  }
  field(id: number, type: number): void {
    const delta = id - (this.last[this.last.length - 1] as number);
    if (delta > 0 && delta <= 15) this.bytes.push((delta << 4) | type);
    else {
      this.bytes.push(type);
      this.zigzag(id);
    }
    this.last[this.last.length - 1] = id;
  }
  i32(id: number, v: number): void {
    this.field(id, 5);
    this.zigzag(v);
  }
  i64(id: number, v: number): void {
    this.field(id, 6);
    this.zigzag(v);
  }
  string(id: number, s: string): void {
    this.field(id, 8);
    const b = Buffer.from(s);
    this.varint(b.length);
    this.bytes.push(...b);
  }
  struct(id: number, body: () => void): void {
    this.field(id, 12);
    this.begin(body);
  }
  begin(body: () => void): void {
    this.last.push(0);
    body();
    this.bytes.push(0);
    this.last.pop();
  }
  list(id: number, type: number, items: readonly (() => void)[]): void {
    this.field(id, 9);
    if (items.length < 15) this.bytes.push((items.length << 4) | type);
    else {
      this.bytes.push(0xf0 | type);
      this.varint(items.length);
    }
    for (const item of items) item();
  }
}

export function writeParquet(columns: readonly FixtureColumn[]): Buffer {
  const rows = columns[0]?.values.length ?? 0;
  const chunks: Buffer[] = [Buffer.from('PAR1')];
  let offset = 4;
  const metas: { column: FixtureColumn; offset: number; size: number }[] = [];
  for (const column of columns) {
    // definition levels (1 = present), RLE runs of length 1, bit width 1, 4-byte length prefix
    const levels: number[] = [];
    for (const v of column.values) levels.push(1 << 1, v === null ? 0 : 1);
    const values: number[] = [];
    for (const v of column.values) {
      if (v === null) continue;
      if (column.type === 'double') {
        const b = Buffer.alloc(8);
        b.writeDoubleLE(v as number);
        values.push(...b);
      } else if (column.type === 'int64') {
        const b = Buffer.alloc(8);
        b.writeBigInt64LE(BigInt(v as number));
        values.push(...b);
      } else {
        const s = Buffer.from(String(v));
        const len = Buffer.alloc(4);
        len.writeUInt32LE(s.length);
        values.push(...len, ...s);
      }
    }
    const lengthPrefix = Buffer.alloc(4);
    lengthPrefix.writeUInt32LE(levels.length);
    const page = Buffer.concat([lengthPrefix, Buffer.from(levels), Buffer.from(values)]);
    const header = new Thrift();
    header.begin(() => {
      header.i32(1, 0); // DATA_PAGE
      header.i32(2, page.length);
      header.i32(3, page.length);
      header.struct(5, () => {
        header.i32(1, rows);
        header.i32(2, 0); // PLAIN
        header.i32(3, 3); // RLE
        header.i32(4, 3);
      });
    });
    const chunk = Buffer.concat([Buffer.from(header.bytes), page]);
    metas.push({ column, offset, size: chunk.length });
    chunks.push(chunk);
    offset += chunk.length;
  }
  const physical = (c: FixtureColumn): number => (c.type === 'double' ? 5 : c.type === 'int64' ? 2 : 6);
  const meta = new Thrift();
  meta.begin(() => {
    meta.i32(1, 1);
    meta.list(2, 12, [
      () => meta.begin(() => {
        meta.string(4, 'schema');
        meta.i32(5, columns.length);
      }),
      ...columns.map((c) => () =>
        meta.begin(() => {
          meta.i32(1, physical(c));
          meta.i32(3, 1); // OPTIONAL
          meta.string(4, c.name);
          if (c.type === 'string') meta.i32(6, 0); // UTF8
        }),
      ),
    ]);
    meta.i64(3, rows);
    meta.list(4, 12, [
      () => meta.begin(() => {
        meta.list(1, 12, metas.map((m) => () =>
          meta.begin(() => {
            meta.i64(2, m.offset);
            meta.struct(3, () => {
              meta.i32(1, physical(m.column));
              meta.list(2, 5, [() => meta.zigzag(0), () => meta.zigzag(3)]);
              meta.list(3, 8, [() => {
                const b = Buffer.from(m.column.name);
                meta.varint(b.length);
                meta.bytes.push(...b);
              }]);
              meta.i32(4, 0); // UNCOMPRESSED
              meta.i64(5, rows);
              meta.i64(6, m.size);
              meta.i64(7, m.size);
              meta.i64(9, m.offset);
            });
          }),
        ));
        meta.i64(2, metas.reduce((n, m) => n + m.size, 0));
        meta.i64(3, rows);
      }),
    ]);
  });
  const footer = Buffer.from(meta.bytes);
  const length = Buffer.alloc(4);
  length.writeUInt32LE(footer.length);
  return Buffer.concat([...chunks, footer, length, Buffer.from('PAR1')]);
}
