// ndiff's Table (like NmapOutputTable): "*" fields are left-justified and space-padded to the widest cell of
// their column, other template characters are copied; raw rows are copied as they are. Widths count code
// points (Python's len) and each formatted row loses its trailing Python whitespace.
import { ljust, pyLen, rstrip } from './pystr.ts';

export class Table {
  private readonly prefix: string;
  private readonly padding: string[] = [];
  private readonly widths: number[] = [];
  private readonly rows: (string | string[])[] = [];

  constructor(template: string) {
    let j = 0;
    while (j < template.length && template[j] !== '*') j++;
    this.prefix = template.slice(0, j);
    j++;
    let i = j;
    while (j < template.length) {
      while (j < template.length && template[j] !== '*') j++;
      this.padding.push(template.slice(i, j));
      j++;
      i = j;
    }
  }

  /** A row of cells; null is Python's None (trailing Nones are dropped, others print as ""). */
  append(row: readonly (string | null)[]): void {
    let end = row.length;
    while (end > 0 && row[end - 1] === null) end--;
    const strings: string[] = new Array(end);
    for (let i = 0; i < end; i++) {
      const s = row[i] ?? '';
      const len = pyLen(s);
      if (i === this.widths.length) this.widths.push(len);
      else if (len > this.widths[i]!) this.widths[i] = len;
      strings[i] = s;
    }
    this.rows.push(strings);
  }

  appendRaw(s: string): void {
    this.rows.push(s);
  }

  get length(): number {
    return this.rows.length;
  }

  toString(): string {
    const lines: string[] = [];
    for (const row of this.rows) {
      if (typeof row === 'string') {
        lines.push(row);
        continue;
      }
      let line = this.prefix;
      for (let i = 0; i < row.length; i++) {
        line += ljust(row[i]!, this.widths[i]!);
        if (i < this.padding.length) line += this.padding[i];
      }
      lines.push(rstrip(line));
    }
    return lines.join('\n');
  }
}
