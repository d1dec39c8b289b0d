interface Entry<N> {
  /** the node the children were read for (undefined: the root) */
  parent: N | undefined;
  children: N[];
  generation: number;
  /** VS Code asked for these children since the last change */
  asked: boolean;
  readAt: number;
}

/**
 * A tree's children that stay in place until their replacements have arrived.
 *
 * VS Code forgets a tree's elements the moment it asks for new children (its extension host drops
 * the handle → element map of the parent being re-read), and it turns a context-menu click into
 * the command's argument through that map. A provider that fires a change and then waits on the
 * engine inside getChildren leaves a window in which a click on a row still on screen reaches its
 * command as `undefined`, and the command asks "which run?" as from the palette. So a reload here
 * reads everything the tree shows first, and only then tells VS Code, whose re-read is answered
 * from memory at once.
 */
export class SteadyTreeChildren<N> {
  /** what each parent (by key) showed, the node it was read for, and whether VS Code asked for it since the last change */
  private readonly shown = new Map<string, Entry<N>>();
  /** bumped when VS Code is told to re-read: an answer of an older generation is not reused */
  private generation = 0;
  /** VS Code re-read the root since the last change: what it did not ask for again is collapsed or gone */
  private reread = false;
  /** counts reads, so a reload knows which answers arrived while it ran */
  private reads = 0;
  private reloading: Promise<void> | undefined;
  /** the reload asked for while one ran */
  private queued: Promise<void> | undefined;

  constructor(
    private readonly load: (parent: N | undefined) => Promise<N[]>,
    /** one key per parent whose children are loaded (the root's key for undefined) */
    private readonly keyOf: (parent: N | undefined) => string,
    /** tells VS Code to re-read the tree (fires onDidChangeTreeData) */
    private readonly changed: () => void,
  ) {}

  /** getChildren's answer: what was read for this parent since the last change, else a fresh read. */
  async children(parent: N | undefined): Promise<N[]> {
    const key = this.keyOf(parent);
    if (parent === undefined) this.reread = true;
    const known = this.shown.get(key);
    if (known && known.generation === this.generation) {
      known.asked = true;
      return known.children;
    }
    const generation = this.generation;
    const children = await this.load(parent);
    // A reload that finished meanwhile holds newer children: keep those.
    if (generation === this.generation) this.shown.set(key, { parent, children, generation, asked: true, readAt: ++this.reads });
    return children;
  }

  /**
   * Re-reads every parent the tree showed since the last change, then tells VS Code if anything
   * differs; the rows on screen (and the commands on them) keep working until then. A change
   * during a reload queues one more, which the returned promise waits for. A failed read drops
   * what is known, so VS Code's own re-read shows the error.
   */
  reload(): Promise<void> {
    if (this.reloading) {
      this.queued ??= this.reloading.then(() => {
        this.queued = undefined;
        return this.reload();
      });
      return this.queued;
    }
    this.reloading = this.reloadOnce().finally(() => {
      this.reloading = undefined;
    });
    return this.reloading;
  }

  /** Forgets every answer and tells VS Code at once: for a view no one looks at, nothing is read ahead. */
  invalidate(): void {
    this.generation++;
    this.shown.clear();
    this.reread = false;
    this.changed();
  }

  /** The children known now (the ones on screen, or the ones about to replace them). */
  known(): N[] {
    return [...this.shown.values()].flatMap((entry) => entry.children);
  }

  private async reloadOnce(): Promise<void> {
    const current = [...this.shown.entries()].filter(([, entry]) => entry.generation === this.generation && (entry.asked || !this.reread));
    if (current.length === 0) {
      this.invalidate();
      return;
    }
    const startedAt = this.reads;
    let read: { key: string; parent: N | undefined; children: N[] }[];
    try {
      read = await Promise.all(current.map(async ([key, { parent }]) => ({ key, parent, children: await this.load(parent) })));
    } catch {
      this.invalidate();
      return;
    }
    // A parent first expanded while the reload ran was read after it started: as fresh, so kept.
    const meanwhile = [...this.shown.entries()].filter(([key, entry]) => entry.readAt > startedAt && !read.some((r) => r.key === key));
    // Nothing the tree shows changed (a change elsewhere in the store): VS Code keeps its rows, and
    // is not made to forget them for a re-read that would draw the same thing.
    if (meanwhile.length === 0 && read.every(({ key, children }) => sameChildren(this.shown.get(key), children, this.generation))) {
      // What was not re-read (collapsed since) may be out of date: read again when next expanded.
      for (const key of [...this.shown.keys()]) if (!read.some((r) => r.key === key)) this.shown.delete(key);
      return;
    }
    this.generation++;
    this.shown.clear();
    this.reread = false;
    for (const [key, entry] of meanwhile) this.shown.set(key, { ...entry, generation: this.generation, asked: false });
    for (const { key, parent, children } of read) this.shown.set(key, { parent, children, generation: this.generation, asked: false, readAt: ++this.reads });
    this.changed();
  }
}

/** Whether a re-read found what is shown: children are plain data (runs, models), so their JSON says. */
function sameChildren<N>(shown: Entry<N> | undefined, children: readonly N[], generation: number): boolean {
  return shown !== undefined && shown.generation === generation && JSON.stringify(shown.children) === JSON.stringify(children);
}
