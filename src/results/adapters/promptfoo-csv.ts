import { type Adapter, type AdapterContext } from '../adapter.js';
import { csvRows, eachCsvRow } from '../csv.js';
import { depthExceeded, readText } from '../files.js';
import type { Outcome } from '../model.js';
import { promptfooCaseIds } from './promptfoo.js';

/** Columns a promptfoo CSV may have: its variables, and seven per prompt and provider. */
export const MAX_CSV_COLUMNS = 2000;

const LEGACY_CELL = /^\[(PASS|FAIL|ERROR)\](?: \(([\d.]+)\))? ?/;

interface PromptColumn {
  index: number;
  provider: string;
  label: string;
  status?: number;
  score?: number;
  named?: number;
  reason?: number;
}

/** The prompt columns of a promptfoo CSV header: `[provider] label`, then Status, Score, ... */
function promptColumns(header: string[], firstRow: string[] | undefined): PromptColumn[] {
  const cols: PromptColumn[] = [];
  header.forEach((h, i) => {
    const modern = header[i + 1] === 'Status';
    const legacy = !modern && /^\[[^\]]+\] /.test(h) && firstRow !== undefined && LEGACY_CELL.test(firstRow[i] ?? '');
    if (!modern && !legacy) return;
    const m = /^\[([^\]]+)\] (.*)$/s.exec(h);
    const col: PromptColumn = { index: i, provider: m?.[1] ?? '', label: m?.[2] ?? h };
    if (modern) {
      col.status = i + 1;
      for (let j = i + 2; j < header.length && header[j + 1] !== 'Status'; j++) {
        if (header[j] === 'Score') col.score = j;
        else if (header[j] === 'Named Scores') col.named = j;
        else if (header[j] === 'Grader Reason') col.reason = j;
        if (header[j] === 'Comment') break;
      }
    }
    cols.push(col);
  });
  return cols;
}

/** Reads one data row: a sample per prompt column whose outcome is set; its case id hashed once, when needed. */
function rowReader(
  header: string[],
  cols: PromptColumn[],
  ctx: AdapterContext,
): (row: string[], line: number, r: number) => void {
  const first = cols[0]!.index;
  const multiProvider = new Set(cols.map((c) => c.provider)).size > 1;
  const descCol = header[0] === 'Description' ? 0 : -1;
  const varCols = header
    .slice(0, first)
    .map((name, i) => ({ name, i }))
    .filter((c) => c.i !== descCol);
  return (row, line, r) => {
    let caseId: ((promptKey: string, provider: string) => string) | undefined;
    for (const col of cols) {
      let outcome: Outcome;
      let score: number | undefined;
      const scores: Record<string, number> = {};
      let message: string | undefined;
      if (col.status !== undefined) {
        const status = (row[col.status] ?? '').trim().toUpperCase();
        if (status === '') continue;
        outcome = status === 'PASS' ? 'pass' : status === 'FAIL' ? 'fail' : 'error';
        score = col.score !== undefined && row[col.score] ? Number(row[col.score]) : undefined;
        if (col.named !== undefined && row[col.named]) {
          try {
            if (depthExceeded(row[col.named]!) >= 0) throw new Error('too deep');
            for (const [k, v] of Object.entries(JSON.parse(row[col.named]!) as Record<string, unknown>))
              if (typeof v === 'number') scores[k] = v;
          } catch {
            ctx.problem({ line, path: header[col.named], message: 'Named Scores is not valid JSON' });
          }
        }
        message = col.reason !== undefined ? row[col.reason] || undefined : undefined;
      } else {
        const m = LEGACY_CELL.exec(row[col.index] ?? '');
        if (!m) continue;
        outcome = m[1] === 'PASS' ? 'pass' : m[1] === 'FAIL' ? 'fail' : 'error';
        score = m[2] !== undefined ? Number(m[2]) : undefined;
        message = outcome === 'pass' ? undefined : (row[col.index] ?? '').replace(LEGACY_CELL, '').split('\n---\n')[0];
      }
      if (!caseId) {
        const vars = Object.fromEntries(varCols.map((c) => [c.name, row[c.i] ?? '']));
        const description = descCol >= 0 ? (row[descCol] ?? '') : '';
        caseId = promptfooCaseIds(description || `test ${r}`, description, vars);
      }
      const promptKey = col.label.split(': ')[0] ?? '';
      ctx.emit({
        id: caseId(promptKey, multiProvider ? col.provider : ''),
        outcome,
        score: Number.isFinite(score) ? score : undefined,
        scores,
        tags: [],
        repeat: 0,
        message: outcome === 'pass' ? undefined : message?.slice(0, 2000),
        line,
      });
    }
  };
}

/**
 * promptfoo's CSV export (`-o results.csv`), when it carries outcomes: the modern export's
 * `Status`/`Score`/`Named Scores`/`Grader Reason` columns after each `[provider] prompt` column, or
 * the older `[PASS]`/`[FAIL]`/`[ERROR]` prefix in each output cell.
 */
export const promptfooCsv: Adapter = {
  format: 'promptfoo',
  detect: ({ head, json, firstLine }) => {
    if (json !== undefined || firstLine !== undefined || /^\s*[<{[]/.test(head)) return false;
    const rows = csvRows(head.slice(0, head.lastIndexOf('\n') + 1 || head.length), 2);
    return rows.length > 0 && promptColumns(rows[0]!, rows[1]).length > 0;
  },
  async read({ file }, ctx) {
    const text = await readText(file, ctx.file);
    let header: string[] | undefined;
    let cols: PromptColumn[] | undefined;
    let refused = false;
    let dataRow = 0;
    let readRow: ((row: string[], line: number, r: number) => void) | undefined;
    /** The header is judged with the first data row (an old export marks outcomes in its cells). */
    const start = (firstRow: string[] | undefined): boolean => {
      const h = header ?? [];
      if (h.length > MAX_CSV_COLUMNS) {
        ctx.problem({
          line: 1,
          message: `the header has ${h.length} columns; the limit is ${MAX_CSV_COLUMNS.toLocaleString('en-US')} (a promptfoo export has one per variable and seven per prompt)`,
        });
        return false;
      }
      cols = promptColumns(h, firstRow);
      if (cols.length === 0) {
        ctx.problem({
          line: 1,
          message:
            'this CSV carries no outcome columns (Status, or [PASS]/[FAIL] cells): export JSON with `promptfoo eval -o results.json` instead',
        });
        return false;
      }
      return true;
    };
    eachCsvRow(text, (row, line) => {
      if (!header) {
        header = row;
        return true;
      }
      if (!cols && !start(row)) {
        refused = true;
        return false;
      }
      dataRow += 1;
      readRow ??= rowReader(header, cols!, ctx);
      readRow(row, line, dataRow);
      return true;
    });
    // A header and no data row: judged alone.
    if (refused || (!cols && !start(undefined)) || !cols) return {};
    return {
      tool: 'promptfoo (CSV)',
      model: [...new Set(cols.map((c) => c.provider).filter(Boolean))].join(', ') || undefined,
    };
  },
};
