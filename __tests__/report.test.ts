import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { runGate } from '../src/engine.js';
import { annotationsFor } from '../src/report/annotations.js';
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
    // the only </details> is ours, and every table row has the header's column count
    expect(md.match(/<\/details>/g)).toHaveLength(1);
    const failingTable = md.split('<summary>Failing samples')[1]!.split('</details>')[0]!;
    for (const row of failingTable.split('\n').filter((l) => l.startsWith('|'))) {
      expect(row.replace(/\\\|/g, '').split('|').length - 2).toBe(3);
    }
  });

  it('escapes every Markdown and HTML control character', () => {
    expect(escapeMarkdown('a|b <i>x</i> @bob *y* `z`\nnext')).toBe('a\\|b &lt;i&gt;x&lt;/i&gt; @\u200bbob \\*y\\* \\`z\\` next');
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
    const list = annotationsFor(verdict, '__tests__/fixtures/hostile.yml', loaded!.lineOf, 'warn');
    expect(list).toContainEqual(expect.objectContaining({ level: 'error', file: '__tests__/fixtures/hostile.yml', line: 8, title: 'pass_rate: fail' }));
    expect(list).toContainEqual(expect.objectContaining({ level: 'warning', file: '__tests__/fixtures/hostile.jsonl', line: 2 }));
  });
});
