/**
 * The one Markdown escaper for text that comes from eval output or config: no raw HTML, no live
 * @mentions, nothing that breaks a table row or closes a <details> block.
 */
export function escapeMarkdown(text: string, maxLength = 300): string {
  let t = text
    .replace(/\r?\n|\r/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  if (t.length > maxLength) t = `${t.slice(0, maxLength - 1)}…`;
  return t
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/([\\`*_[\]|~])/g, '\\$1')
    .replace(/@(?=[A-Za-z0-9])/g, '@\u200b')
    .replace(/^([-+#]|\d+\.)/, '\\$1');
}

export function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}
