/**
 * A table virtualized in rows and columns: only the cells in (or just around) the viewport exist
 * in the DOM, so 10,000 runs × 200 columns cost what 40 × 15 cost. Fixed row height; rows are
 * absolutely positioned; the header and pinned columns stick with `position: sticky`, which the
 * compositor keeps in place while scrolling (no per-frame repositioning in JS).
 */

export interface GridColumn {
  id: string;
  label: string;
  /** small caption above the label: "metric", "param (lr)"… */
  kind: string;
  width: number;
  numeric: boolean;
  pinned: boolean;
  /** 1-based rank among sort keys and direction, when sorted by this column */
  sort?: { rank: number; descending: boolean };
}

export interface GridCell {
  text: string;
  /** extra class names: "missing", "status-FAILED"… */
  className?: string;
  /** a coloured dot before the text (run colour) */
  swatch?: string;
  /** a small sign after the swatch (a Pareto-front trial), explained by its title */
  mark?: { text: string; className: string; title: string };
}

export interface GridRow {
  key: string;
  selected: boolean;
  /** formats one cell on demand: only visible cells are ever formatted */
  cell(columnIndex: number): GridCell;
}

export interface GridCallbacks {
  /** undefined while the row is being fetched */
  row(index: number): GridRow | undefined;
  /** the viewport needs these rows (inclusive start, exclusive end) */
  visibleRowsChanged?(start: number, end: number): void;
  sort?(columnId: string, additive: boolean): void;
  resize?(columnId: string, width: number): void;
  reorder?(columnId: string, beforeColumnId: string): void;
  /** `range`: from the row toggled last to this one (Shift) */
  toggleSelection?(index: number, range: boolean): void;
  /** Ctrl/Cmd+A in the grid */
  selectAll?(): void;
  open?(index: number): void;
}

export const ROW_HEIGHT = 24;
export const HEADER_HEIGHT = 40;
const GUTTER_WIDTH = 28;
const OVERSCAN_ROWS = 6;
const OVERSCAN_PX = 200;

interface RenderedRow {
  main: HTMLElement;
  pinned: HTMLElement;
  /** the row's data or selection changed since its cells were painted */
  dirty: boolean;
  /** main-area cells by display column: a horizontal scroll only adds and drops the edge columns */
  cells: Map<number, HTMLElement>;
}

export class VirtualGrid {
  readonly element: HTMLElement;
  private readonly spacer: HTMLElement;
  private readonly headerPinned: HTMLElement;
  private readonly headerMain: HTMLElement;
  private readonly bodyPinned: HTMLElement;
  private readonly bodyMain: HTMLElement;
  private columns: GridColumn[] = [];
  /** pinned columns first, then the rest, in display order */
  private ordered: GridColumn[] = [];
  private offsets: number[] = [];
  /** display position → index in `columns` (the order row data uses) */
  private sourceIndex: number[] = [];
  private pinnedWidth = GUTTER_WIDTH;
  private rowCount = 0;
  private readonly rendered = new Map<number, RenderedRow>();
  private frame = 0;
  private active = { row: 0, col: 0 };
  private lastRange = '';
  private lastTop = 0;
  private lastLeft = 0;
  private headerKey = '';
  private dragged: string | undefined;

  constructor(
    private readonly callbacks: GridCallbacks,
    private readonly label: string,
  ) {
    this.element = el('div', 'vgrid');
    this.element.tabIndex = 0;
    this.element.setAttribute('role', 'grid');
    this.element.setAttribute('aria-label', label);
    this.element.dataset.testid = 'runs-grid';
    this.spacer = el('div', 'vg-spacer');
    const header = el('div', 'vg-header');
    header.setAttribute('role', 'row');
    this.headerPinned = el('div', 'vg-pinned');
    this.headerMain = el('div', 'vg-main');
    header.append(this.headerPinned, this.headerMain);
    const body = el('div', 'vg-body');
    this.bodyPinned = el('div', 'vg-pinned');
    this.bodyMain = el('div', 'vg-main');
    body.append(this.bodyPinned, this.bodyMain);
    this.spacer.append(header, body);
    this.element.append(this.spacer);
    this.element.addEventListener('scroll', () => this.schedule(), { passive: true });
    this.element.addEventListener('keydown', (e) => this.onKey(e));
    this.element.addEventListener('click', (e) => this.onClick(e));
    this.element.addEventListener('dblclick', (e) => {
      const row = rowIndexOf(e.target);
      if (row !== undefined) this.callbacks.open?.(row);
    });
    new ResizeObserver(() => this.schedule()).observe(this.element);
  }

  setColumns(columns: GridColumn[]): void {
    this.columns = columns;
    this.ordered = [...columns.filter((c) => c.pinned), ...columns.filter((c) => !c.pinned)];
    this.offsets = [];
    const position = new Map(columns.map((c, i) => [c, i]));
    this.sourceIndex = this.ordered.map((c) => position.get(c)!);
    let x = GUTTER_WIDTH;
    for (const c of this.ordered) {
      this.offsets.push(x);
      x += c.width;
    }
    this.pinnedWidth = GUTTER_WIDTH + this.ordered.filter((c) => c.pinned).reduce((s, c) => s + c.width, 0);
    this.spacer.style.width = `${x}px`;
    this.headerPinned.style.width = this.bodyPinned.style.width = `${this.pinnedWidth}px`;
    this.headerMain.style.width = this.bodyMain.style.width = `${x - this.pinnedWidth}px`;
    this.headerPinned.style.height = this.headerMain.style.height = `${HEADER_HEIGHT}px`;
    this.element.setAttribute('aria-colcount', String(this.ordered.length + 1));
    this.active.col = Math.min(this.active.col, Math.max(0, this.ordered.length - 1));
    this.invalidate();
  }

  setRowCount(count: number): void {
    this.rowCount = count;
    const height = count * ROW_HEIGHT;
    this.bodyPinned.style.height = this.bodyMain.style.height = `${height}px`;
    this.spacer.style.height = `${HEADER_HEIGHT + height}px`;
    this.element.setAttribute('aria-rowcount', String(count + 1));
    this.active.row = Math.min(this.active.row, Math.max(0, count - 1));
    this.invalidate();
  }

  /** Row data changed (a page arrived, selection changed): redraw what is visible. */
  invalidate(): void {
    for (const r of this.rendered.values()) r.dirty = true;
    this.headerKey = '';
    this.lastRange = '';
    this.schedule();
  }

  /** Rows [start, end) changed (their page arrived): redraw only those. */
  invalidateRows(start: number, end: number): void {
    for (const [index, r] of this.rendered) if (index >= start && index < end) r.dirty = true;
    this.lastRange = '';
    this.schedule();
  }

  /** Renders now rather than at the next frame (tests and first paint). */
  flush(): void {
    cancelAnimationFrame(this.frame);
    this.frame = 0;
    this.render();
  }

  get activeCell(): { row: number; columnId: string | undefined } {
    return { row: this.active.row, columnId: this.ordered[this.active.col]?.id };
  }

  scrollToRow(row: number): void {
    const top = HEADER_HEIGHT + row * ROW_HEIGHT;
    const view = this.element;
    if (top - HEADER_HEIGHT < view.scrollTop) view.scrollTop = top - HEADER_HEIGHT;
    else if (top + ROW_HEIGHT > view.scrollTop + view.clientHeight) view.scrollTop = top + ROW_HEIGHT - view.clientHeight;
  }

  private scrollToColumn(col: number): void {
    const c = this.ordered[col];
    if (!c || c.pinned) return;
    const left = this.offsets[col]!;
    const view = this.element;
    if (left - this.pinnedWidth < view.scrollLeft) view.scrollLeft = left - this.pinnedWidth;
    else if (left + c.width > view.scrollLeft + view.clientWidth) view.scrollLeft = left + c.width - view.clientWidth;
  }

  private schedule(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.render();
    });
  }

  private visibleColumns(overscan: number): { start: number; end: number } {
    const left = this.element.scrollLeft + this.pinnedWidth - overscan;
    const right = this.element.scrollLeft + this.element.clientWidth + overscan;
    const pinnedCount = this.ordered.filter((c) => c.pinned).length;
    let start = pinnedCount;
    // Binary search: 200+ columns, every horizontal scroll frame.
    let lo = pinnedCount;
    let hi = this.ordered.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.offsets[mid]! + this.ordered[mid]!.width < left) lo = mid + 1;
      else {
        start = mid;
        hi = mid - 1;
      }
    }
    if (lo > this.ordered.length - 1) start = this.ordered.length;
    let end = start;
    while (end < this.ordered.length && this.offsets[end]! < right) end++;
    return { start, end };
  }

  private render(): void {
    const view = this.element;
    // A fling moves further than the overscan reaches in one frame: cells painted off screen would
    // be thrown away unseen, so only what is in view is painted until the scrolling slows down.
    // The first paint is the same: what is in view first, the overscan a frame later.
    const flinging = this.rendered.size === 0 || Math.abs(view.scrollTop - this.lastTop) > view.clientHeight / 2 || Math.abs(view.scrollLeft - this.lastLeft) > view.clientWidth / 2;
    this.lastTop = view.scrollTop;
    this.lastLeft = view.scrollLeft;
    const overscanRows = flinging ? 0 : OVERSCAN_ROWS;
    const first = Math.max(0, Math.floor(view.scrollTop / ROW_HEIGHT) - overscanRows);
    const visibleRows = Math.ceil(Math.max(view.clientHeight, 200) / ROW_HEIGHT);
    const last = Math.min(this.rowCount, first + visibleRows + 2 * overscanRows);
    const cols = this.visibleColumns(flinging ? 0 : OVERSCAN_PX);
    const pinnedCount = this.ordered.filter((c) => c.pinned).length;
    const colKey = `${cols.start}:${cols.end}`;
    const range = `${first}:${last}:${colKey}`;
    if (range === this.lastRange && ![...this.rendered.values()].some((r) => r.dirty)) return;
    this.lastRange = range;
    this.renderHeader(cols, pinnedCount, colKey);
    // Rows that scrolled out are recycled for the rows scrolling in: no element churn while scrolling.
    const spare: RenderedRow[] = [];
    for (const [index, r] of this.rendered) {
      if (index < first || index >= last) {
        this.rendered.delete(index);
        spare.push(r);
      }
    }
    for (let i = first; i < last; i++) {
      let r = this.rendered.get(i);
      if (!r) {
        r = spare.pop();
        if (!r) {
          r = { main: el('div', 'vg-row'), pinned: el('div', 'vg-row'), dirty: true, cells: new Map() };
          r.main.setAttribute('role', 'row');
          this.bodyMain.append(r.main);
          this.bodyPinned.append(r.pinned);
        }
        r.dirty = true;
        r.main.style.top = r.pinned.style.top = `${i * ROW_HEIGHT}px`;
        r.main.dataset.row = r.pinned.dataset.row = String(i);
        r.main.setAttribute('aria-rowindex', String(i + 2));
        this.rendered.set(i, r);
      }
      const dirty = r.dirty;
      r.dirty = false;
      // Cells of columns that left the viewport are reused for the columns that entered.
      const free: HTMLElement[] = [];
      for (const [c, node] of r.cells) {
        if (c < cols.start || c >= cols.end) {
          r.cells.delete(c);
          free.push(node);
        }
      }
      const entering: number[] = [];
      for (let c = cols.start; c < cols.end; c++) if (dirty || !r.cells.has(c)) entering.push(c);
      if (entering.length === 0 && !dirty) {
        for (const node of free) node.remove();
        continue;
      }
      const data = this.callbacks.row(i);
      if (dirty) {
        r.main.classList.toggle('selected', data?.selected ?? false);
        r.pinned.classList.toggle('selected', data?.selected ?? false);
        const gutter = (r.pinned.children[0] as HTMLElement | undefined) ?? r.pinned.appendChild(el('div', ''));
        paintCell(gutter, 0, GUTTER_WIDTH, data ? (data.selected ? '☑' : '☐') : '', 'vg-cell gutter');
        gutter.dataset.col = 'gutter';
        gutter.setAttribute('aria-label', data?.selected ? 'Selected; press Space to deselect' : 'Not selected; press Space to select');
        fillCells(r.pinned, 1, pinnedCount, (node, k) => this.paintDataCell(node, i, k, data, 0));
      }
      for (const c of entering) {
        const node = r.cells.get(c) ?? free.pop() ?? r.main.appendChild(document.createElement('div'));
        r.cells.set(c, node);
        this.paintDataCell(node, i, c, data, this.pinnedWidth);
      }
      for (const node of free) node.remove();
      // A row still waiting for its page is painted again when the page arrives (invalidateRows).
      if (!data) r.dirty = false;
    }
    for (const r of spare) {
      r.main.remove();
      r.pinned.remove();
    }
    this.callbacks.visibleRowsChanged?.(first, last);
    // Once the fling stops, the next frame paints the overscan (a frame later while it goes on).
    if (flinging) this.schedule();
    this.element.setAttribute('aria-activedescendant', `cell-${this.active.row}-${this.active.col}`);
  }

  private paintDataCell(node: HTMLElement, row: number, col: number, data: GridRow | undefined, base: number): void {
    const column = this.ordered[col]!;
    const source = data?.cell(this.sourceIndex[col]!);
    let className = column.numeric ? 'vg-cell num' : 'vg-cell';
    if (source?.className) className += ` ${source.className}`;
    if (!data) className += ' loading';
    if (row === this.active.row && col === this.active.col) className += ' active';
    paintCell(node, this.offsets[col]! - base, column.width, source ? source.text : data ? '' : '…', className);
    // Only the active cell needs an id (aria-activedescendant); attribute writes on every cell
    // of every frame are what a fast scroll cannot afford.
    if (row === this.active.row && col === this.active.col) node.id = `cell-${row}-${col}`;
    else if (node.id) node.removeAttribute('id');
    if (node.getAttribute('role') !== 'gridcell') node.setAttribute('role', 'gridcell');
    if (node.dataset.col !== column.id) node.dataset.col = column.id;
    if (source?.mark) {
      const mark = el('span', `mark ${source.mark.className}`);
      mark.textContent = source.mark.text;
      mark.title = source.mark.title;
      mark.setAttribute('aria-label', source.mark.title);
      node.prepend(mark);
    }
    if (source?.swatch) {
      const dot = el('span', 'swatch');
      dot.style.background = source.swatch;
      node.prepend(dot);
    }
  }

  private renderHeader(cols: { start: number; end: number }, pinnedCount: number, colKey: string): void {
    const key = `${colKey}|${this.columns.map((c) => `${c.id}:${c.width}:${c.sort?.rank ?? ''}${c.sort?.descending ?? ''}`).join(',')}`;
    if (key === this.headerKey) return;
    this.headerKey = key;
    const pinned: HTMLElement[] = [cell(0, GUTTER_WIDTH, '', 'vg-hcell-gutter')];
    for (let c = 0; c < pinnedCount; c++) pinned.push(this.renderHeaderCell(c, 0));
    this.headerPinned.replaceChildren(...pinned);
    const main: HTMLElement[] = [];
    for (let c = cols.start; c < cols.end; c++) main.push(this.renderHeaderCell(c, this.pinnedWidth));
    this.headerMain.replaceChildren(...main);
  }

  private renderHeaderCell(col: number, base: number): HTMLElement {
    const column = this.ordered[col]!;
    const node = el('div', `vg-hcell${column.numeric ? ' num' : ''}`);
    node.style.left = `${this.offsets[col]! - base}px`;
    node.style.width = `${column.width}px`;
    node.style.height = `${HEADER_HEIGHT}px`;
    node.setAttribute('role', 'columnheader');
    node.dataset.col = column.id;
    node.title = `${column.kind}: ${column.label} — click to sort, Shift+click to add a sort key, drag to reorder`;
    node.setAttribute('aria-sort', column.sort ? (column.sort.descending ? 'descending' : 'ascending') : 'none');
    node.draggable = true;
    const kind = el('span', 'kind');
    kind.textContent = column.kind;
    const label = el('span', 'label');
    label.textContent = column.label;
    node.append(kind, label);
    if (column.sort) {
      const s = el('span', 'sort');
      s.textContent = `${column.sort.descending ? '▼' : '▲'}${this.columns.filter((c) => c.sort).length > 1 ? column.sort.rank : ''}`;
      node.append(s);
    }
    const handle = el('div', 'vg-resize');
    handle.addEventListener('pointerdown', (e) => this.startResize(e, column, node));
    handle.addEventListener('click', (e) => e.stopPropagation());
    node.append(handle);
    node.addEventListener('dragstart', (e) => {
      this.dragged = column.id;
      e.dataTransfer?.setData('text/plain', column.id);
    });
    node.addEventListener('dragover', (e) => {
      if (this.dragged && this.dragged !== column.id) {
        e.preventDefault();
        node.classList.add('drop-target');
      }
    });
    node.addEventListener('dragleave', () => node.classList.remove('drop-target'));
    node.addEventListener('drop', (e) => {
      e.preventDefault();
      node.classList.remove('drop-target');
      if (this.dragged && this.dragged !== column.id) this.callbacks.reorder?.(this.dragged, column.id);
      this.dragged = undefined;
    });
    return node;
  }

  private startResize(e: PointerEvent, column: GridColumn, header: HTMLElement): void {
    e.preventDefault();
    e.stopPropagation();
    const startX = e.clientX;
    const startWidth = column.width;
    const target = e.target as HTMLElement;
    target.setPointerCapture(e.pointerId);
    let width = startWidth;
    const move = (ev: PointerEvent): void => {
      width = Math.max(40, Math.min(1200, startWidth + ev.clientX - startX));
      header.style.width = `${width}px`;
    };
    const up = (): void => {
      target.removeEventListener('pointermove', move);
      target.removeEventListener('pointerup', up);
      if (width !== startWidth) this.callbacks.resize?.(column.id, width);
    };
    target.addEventListener('pointermove', move);
    target.addEventListener('pointerup', up);
  }

  private onClick(e: MouseEvent): void {
    const target = e.target as HTMLElement;
    const header = target.closest<HTMLElement>('.vg-hcell');
    if (header?.dataset.col) {
      this.callbacks.sort?.(header.dataset.col, e.shiftKey);
      return;
    }
    const row = rowIndexOf(target);
    if (row === undefined) return;
    const cellNode = target.closest<HTMLElement>('.vg-cell');
    if (cellNode?.dataset.col === 'gutter' || e.ctrlKey || e.metaKey || e.shiftKey) {
      this.callbacks.toggleSelection?.(row, e.shiftKey);
    }
    const col = this.ordered.findIndex((c) => c.id === cellNode?.dataset.col);
    this.moveTo(row, col >= 0 ? col : this.active.col);
  }

  private moveTo(row: number, col: number): void {
    this.active = { row: clamp(row, 0, this.rowCount - 1), col: clamp(col, 0, this.ordered.length - 1) };
    this.scrollToRow(this.active.row);
    this.scrollToColumn(this.active.col);
    this.invalidate();
  }

  private onKey(e: KeyboardEvent): void {
    if (this.rowCount === 0) return;
    const page = Math.max(1, Math.floor(this.element.clientHeight / ROW_HEIGHT) - 2);
    const { row, col } = this.active;
    const moves: Record<string, [number, number] | undefined> = {
      ArrowDown: [row + 1, col],
      ArrowUp: [row - 1, col],
      ArrowRight: [row, col + 1],
      ArrowLeft: [row, col - 1],
      PageDown: [row + page, col],
      PageUp: [row - page, col],
      Home: e.ctrlKey ? [0, col] : [row, 0],
      End: e.ctrlKey ? [this.rowCount - 1, col] : [row, this.ordered.length - 1],
    };
    const next = moves[e.key];
    if (next) {
      e.preventDefault();
      this.moveTo(next[0], next[1]);
    } else if (e.key === 'Enter') {
      e.preventDefault();
      this.callbacks.open?.(row);
    } else if (e.key === ' ') {
      e.preventDefault();
      this.callbacks.toggleSelection?.(row, e.shiftKey);
    } else if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === 'a') {
      e.preventDefault();
      this.callbacks.selectAll?.();
    }
  }
}

function el(tag: string, className: string): HTMLElement {
  const node = document.createElement(tag);
  node.className = className;
  return node;
}

function cell(left: number, width: number, text: string, className: string): HTMLElement {
  const node = el('div', '');
  paintCell(node, left, width, text, `vg-cell ${className}`);
  return node;
}

/** Writes only what changed: recycled cells mostly keep their position and size. */
function paintCell(node: HTMLElement, left: number, width: number, text: string, className: string): void {
  if (node.className !== className) node.className = className;
  const l = `${left}px`;
  if (node.style.left !== l) node.style.left = l;
  const w = `${width}px`;
  if (node.style.width !== w) node.style.width = w;
  // Rewriting the text node in place keeps its layout object: a fling rewrites every cell in view
  // every frame, and replacing the node (textContent =) costs a new one each time.
  const only = node.firstChild;
  if (only !== null && only === node.lastChild && only.nodeType === Node.TEXT_NODE) {
    if ((only as Text).data !== text) (only as Text).data = text;
  } else if (node.childElementCount > 0 || node.textContent !== text) node.textContent = text;
}

/** Makes `container` hold `count` cells after the first `from` children, reusing existing ones. */
function fillCells(container: HTMLElement, from: number, count: number, paint: (node: HTMLElement, k: number) => void): void {
  const children = container.children;
  for (let k = 0; k < count; k++) {
    const node = (children[from + k] as HTMLElement | undefined) ?? container.appendChild(document.createElement('div'));
    paint(node, k);
  }
  while (children.length > from + count) container.lastElementChild!.remove();
}

function rowIndexOf(target: EventTarget | null): number | undefined {
  const row = (target as HTMLElement | null)?.closest<HTMLElement>('.vg-row');
  return row?.dataset.row === undefined ? undefined : Number(row.dataset.row);
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.max(lo, Math.min(hi, v));
}
