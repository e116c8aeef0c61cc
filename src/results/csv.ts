/**
 * RFC 4180 CSV, row by row: quoted fields with doubled quotes and embedded newlines. One linear pass
 * (indexOf and slices, no per-character string building), no table of rows kept: `onRow` gets each
 * row's cells and the 1-based line it starts on, and may return false to stop.
 */
export function eachCsvRow(text: string, onRow: (cells: string[], line: number) => boolean | void): void {
  const n = text.length;
  let i = 0;
  let line = 1;
  while (i < n) {
    const rowLine = line;
    const row: string[] = [];
    for (;;) {
      let cell = '';
      if (text.charCodeAt(i) === 34) {
        // A quoted field: to the quote that is not doubled (the rest of the file when it never comes).
        const parts: string[] = [];
        let j = i + 1;
        for (;;) {
          const q = text.indexOf('"', j);
          if (q === -1) {
            parts.push(text.slice(j));
            i = n;
            break;
          }
          parts.push(text.slice(j, q));
          if (text.charCodeAt(q + 1) === 34) {
            parts.push('"');
            j = q + 2;
            continue;
          }
          i = q + 1;
          break;
        }
        cell = parts.join('');
        for (let nl = cell.indexOf('\n'); nl !== -1; nl = cell.indexOf('\n', nl + 1)) line += 1;
      }
      // Unquoted text (or what follows a closing quote) up to the next comma or line break.
      let j = i;
      for (; j < n; j++) {
        const c = text.charCodeAt(j);
        if (c === 44 || c === 10 || c === 13) break;
      }
      if (j > i) cell += text.slice(i, j);
      i = j;
      row.push(cell);
      if (i >= n) break;
      if (text.charCodeAt(i) === 44) {
        i += 1;
        continue;
      }
      i += text.charCodeAt(i) === 13 && text.charCodeAt(i + 1) === 10 ? 2 : 1;
      line += 1;
      break;
    }
    if ((row.length > 1 || row[0] !== '') && onRow(row, rowLine) === false) return;
  }
}

/** The rows of a (short) CSV text, e.g. a file's head for detection. */
export function csvRows(text: string, max = Infinity): string[][] {
  const rows: string[][] = [];
  eachCsvRow(text, (cells) => rows.push(cells) < max);
  return rows;
}
