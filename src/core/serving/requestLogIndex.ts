import { fstatSync } from 'node:fs';
import { SEGMENT_HEADER_BYTES, scanSegment, type FrameMeta } from './requestLogFormat';

/** What one scan of a segment found: where its whole frames are, and what they count. */
export interface SegmentFrames {
  /** where the last whole frame ends */
  readonly validEnd: number;
  readonly frames: readonly FrameMeta[];
  /** input rows of answered requests (status 200 with inputs) */
  readonly answeredRows: number;
  /** the newest entry's time (-Infinity when there is none) */
  readonly lastTime: number;
}

interface Known {
  validEnd: number;
  frames: FrameMeta[];
  answeredRows: number;
  lastTime: number;
}

/** at most this many frames are remembered (a few MB); the least recently read segments go first */
const MAX_FRAMES = 200_000;

/**
 * Where the frames of recently read segments are. Segments only grow (or lose a torn tail), so a
 * second read scans only the bytes added since: a monitor polling a busy endpoint, or the writer
 * opening its newest segment, does not check every frame's checksum again.
 */
export class SegmentIndex {
  private readonly known = new Map<string, Known>();
  private frameCount = 0;

  /** The frames of the segment at `path`, open as `fd`. */
  read(path: string, fd: number): SegmentFrames {
    const size = fstatSync(fd).size;
    let known = this.known.get(path);
    this.known.delete(path);
    if (known && known.validEnd > size) {
      this.frameCount -= known.frames.length;
      known = undefined;
    }
    known ??= { validEnd: SEGMENT_HEADER_BYTES, frames: [], answeredRows: 0, lastTime: Number.NEGATIVE_INFINITY };
    if (size > known.validEnd) {
      const entry = known;
      const scan = scanSegment(fd, size, entry.validEnd, (meta) => {
        entry.frames.push(meta);
        this.frameCount++;
        if (meta.status === 200 && meta.hasInputs) entry.answeredRows += meta.rows;
        entry.lastTime = Math.max(entry.lastTime, meta.time);
      });
      entry.validEnd = Math.max(entry.validEnd, scan.validEnd);
    }
    this.known.set(path, known);
    this.evict();
    return known;
  }

  /** A segment that was deleted (retention). */
  forget(path: string): void {
    const known = this.known.get(path);
    if (!known) return;
    this.frameCount -= known.frames.length;
    this.known.delete(path);
  }

  private evict(): void {
    while (this.frameCount > MAX_FRAMES && this.known.size > 1) {
      const [oldest] = this.known.keys();
      this.forget(oldest as string);
    }
  }
}
