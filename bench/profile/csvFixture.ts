import { createWriteStream } from 'node:fs';

/** Writes a mixed CSV of about `targetBytes` (an id, 6 floats, an integer, 2 categories) and resolves with rows and bytes. */
export async function writeMixedCsv(path: string, targetBytes: number): Promise<{ rows: number; bytes: number }> {
  const out = createWriteStream(path);
  const header = 'id,x1,x2,x3,x4,x5,x6,count,city,segment\n';
  out.write(header);
  let bytes = header.length;
  let rows = 0;
  let seed = 12345;
  const rand = (): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed / 4294967296;
  };
  const cities = ['Lisbon', 'Porto', 'Braga', 'Faro', 'Coimbra', 'Aveiro', 'Evora', 'Leiria', '"Vila Real, Norte"', 'Viseu'];
  const segments = ['a', 'b', 'c', 'd'];
  while (bytes < targetBytes) {
    const lines: string[] = [];
    for (let i = 0; i < 10_000; i++) {
      const x1 = rand() * 100;
      const line = `${rows},${x1.toFixed(3)},${(x1 * 0.5 + rand() * 10).toFixed(3)},${(rand() * 2 - 1).toFixed(5)},${(rand() ** 3 * 1000).toFixed(2)},${rand() < 0.05 ? '' : (rand() * 50).toFixed(1)},${(rand() * 1e6).toFixed(0)}.5,${Math.floor(rand() * 500)},${cities[Math.floor(rand() * cities.length)]},${segments[Math.floor(rand() * 4)]}\n`;
      lines.push(line);
      rows++;
    }
    const chunk = lines.join('');
    bytes += Buffer.byteLength(chunk);
    if (!out.write(chunk)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
  }
  await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
  return { rows, bytes };
}
