import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { runGate } from '../src/engine/run-gate.js';
import { annotationsFor } from '../src/report/annotations.js';
import { commentMarker, renderCheck, renderComment } from '../src/report/github.js';
import { byteLength, LIMITS } from '../src/report/limits.js';
import { escapeMarkdown } from '../src/report/markdown.js';
import { renderSummary } from '../src/report/summary.js';
import { renderTerminal } from '../src/report/terminal.js';
import { ROOT } from './helpers.js';

/** Golden files are reviewed Markdown; regenerate with UPDATE_GOLDEN=1 and read the diff. */
function golden(name: string, actual: string): void {
  const file = path.join(ROOT, '__tests__/golden', name);
  if (process.env.UPDATE_GOLDEN) writeFileSync(file, actual);
  expect(actual).toBe(readFileSync(file, 'utf8'));
}

describe('job summary', () => {
  it('renders the example verdict (golden)', async () => {
    const { verdict } = await runGate({ config: 'examples/llm-release-gate.yml', cwd: ROOT });
    golden('summary-example.md', renderSummary(verdict));
  });

  it('renders a block with its reasons first, hostile eval text escaped (golden)', async () => {
    const { verdict } = await runGate({ config: '__tests__/fixtures/hostile.yml', cwd: ROOT });
    const md = renderSummary(verdict);
    golden('summary-hostile.md', md);
    expect(md.indexOf('Why it blocks')).toBeLessThan(md.indexOf('### Readiness bars'));
  });

  it('neutralises hostile eval text: no HTML, no live mentions, no broken tables or details', async () => {
    const { verdict } = await runGate({ config: '__tests__/fixtures/hostile.yml', cwd: ROOT });
    const md = renderSummary(verdict);
    expect(md).not.toMatch(/<script|<img|<b>/);
    expect(md).not.toMatch(/@everyone|@org\/admins/);
    expect(md).not.toMatch(
      // eslint-disable-next-line no-control-regex -- control characters are what must be absent
      /(^|[^\u2060])#\d|GH-\d|https?:\/\/evil|www\.evil|[\u202a-\u202e\u2066-\u2069\u200b\ufeff\u0007]/,
    );
    // the only </details> is ours, and every table row has the header's column count
    expect(md.match(/<\/details>/g)).toHaveLength(1);
    const failingTable = md.split('<summary>Failing samples')[1]!.split('</details>')[0]!;
    for (const row of failingTable.split('\n').filter((l) => l.startsWith('|'))) {
      expect(row.replace(/\\\|/g, '').split('|').length - 2).toBe(3);
    }
  });

  it('escapes every Markdown and HTML control character', () => {
    expect(escapeMarkdown('a|b <i>x</i> @bob *y* `z`\nnext')).toBe(
      'a\\|b &lt;i&gt;x&lt;/i&gt; @\u2060bob \\*y\\* \\`z\\` next',
    );
    // references, autolinks and math are broken by a word joiner or escaped; invisible and bidi characters go
    expect(escapeMarkdown('#1 GH-2 acme/x#3 https://e.x www.e.x $a$')).toBe(
      '\\#\u20601 GH\u2060-2 acme/x#\u20603 https\u2060://e.x www\u2060.e.x \\$a\\$',
    );
    expect(escapeMarkdown('a\u202eb\u202c c\u200bd\ufeff e\u0007f')).toBe('ab cd e f');
    expect(escapeMarkdown('x'.repeat(400), 10)).toBe('xxxxxxxxx…');
  });
});

describe('terminal output', () => {
  it('has colour only when asked for (a TTY)', async () => {
    const { verdict } = await runGate({ config: 'examples/llm-release-gate.yml', cwd: ROOT });
    expect(renderTerminal(verdict, false)).not.toContain('\u001b[');
    expect(renderTerminal(verdict, true)).toContain('\u001b[32mALLOW');
  });
});

describe('annotations', () => {
  it('point at the config lines that fail and at failing samples in their file', async () => {
    const { verdict, loaded } = await runGate({ config: '__tests__/fixtures/hostile.yml', cwd: ROOT });
    const list = annotationsFor(verdict, '__tests__/fixtures/hostile.yml', loaded!.lineOf);
    expect(list).toContainEqual(
      expect.objectContaining({
        level: 'error',
        file: '__tests__/fixtures/hostile.yml',
        line: 8,
        title: 'pass_rate: fail',
      }),
    );
    expect(list).toContainEqual(
      expect.objectContaining({ level: 'warning', file: '__tests__/fixtures/hostile.jsonl', line: 2 }),
    );
  });
});

describe('check run and PR comment', () => {
  it('render the comment with its marker, hostile eval text escaped (golden)', async () => {
    const { verdict } = await runGate({ config: '__tests__/fixtures/hostile.yml', cwd: ROOT });
    const body = renderComment(
      verdict,
      'LLM release gate',
      '<sub>[Workflow run](https://github.com/acme/support/actions/runs/42) · commit 111111111111</sub>',
    );
    expect(body.startsWith(`${commentMarker('LLM release gate')}\n`)).toBe(true);
    golden('comment-hostile.md', body);
  });

  it('render the check summary (golden)', async () => {
    const { verdict } = await runGate({ config: 'examples/llm-release-gate.yml', cwd: ROOT });
    const check = renderCheck(verdict, 0);
    expect(check.title).toBe('Allowed: readiness 7/7');
    golden('check-example.md', check.summary);
  });

  it('drop detail before truncating to stay within 65,535 bytes', async () => {
    const { verdict } = await runGate({ config: '__tests__/fixtures/hostile.yml', cwd: ROOT });
    // 3,000 failing samples with long messages, 400 warnings: far beyond one check summary.
    const big = {
      ...verdict,
      failing: {
        total: 3000,
        shown: Array.from({ length: 3000 }, (_, i) => ({
          id: `case-${i}`,
          outcome: 'fail' as const,
          message: 'é'.repeat(300),
        })),
      },
      warnings: Array.from({ length: 400 }, (_, i) => `warning ${i} ${'x'.repeat(300)}`),
      bars: verdict.bars.map((b) => ({ ...b, details: Array.from({ length: 200 }, () => '✗ '.padEnd(240, 'y')) })),
    };
    const { summary } = renderCheck(big, 12);
    expect(byteLength(summary)).toBeLessThanOrEqual(LIMITS.checkTextBytes);
    // the decision and reasons survive; the bulky evidence column went first
    expect(summary).toMatch(/LLM release gate: \*\*block\*\*/);
    expect(summary).toMatch(/Why it blocks/);
    expect(summary).not.toMatch(/\| Evidence \|/);
    expect(summary).not.toMatch(/cut to fit/);
  });

  it('cut at a character boundary when even the least detail does not fit', async () => {
    const { verdict } = await runGate({ config: '__tests__/fixtures/hostile.yml', cwd: ROOT });
    // Thousands of metric rows with emoji in their names: too much even for the minimal report.
    const huge = {
      ...verdict,
      metrics: Array.from({ length: 3000 }, (_, i) => ({
        ...verdict.metrics[0]!,
        name: `score.${'😀'.repeat(20)}${i}`,
      })),
    };
    const { summary } = renderCheck(huge, 0);
    expect(byteLength(summary)).toBeLessThanOrEqual(LIMITS.checkTextBytes);
    expect(summary).toMatch(/cut to fit GitHub’s size limit/);
    expect(summary).not.toMatch(/\uFFFD/);
  });
});
