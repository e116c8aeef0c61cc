import { INVISIBLE } from './plain.js';

// eslint-disable-next-line no-control-regex -- control characters are what it removes
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/g;
/** Word joiner: breaks what GitHub would autolink (mentions, references, URLs) without a visible change. */
const WJ = '\u2060';

/**
 * The one Markdown escaper for text that comes from eval output or config: no raw HTML, no live
 * @mentions, issue or pull request references (#1, GH-2, owner/repo#3), autolinked URLs or math,
 * no invisible or bidi characters, nothing that breaks a table row or closes a <details> block.
 */
export function escapeMarkdown(text: string, maxLength = 300): string {
  let t = text
    .replace(INVISIBLE, '')
    .replace(CONTROL, ' ')
    .replace(/\r?\n|\r/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  if (t.length > maxLength) t = `${t.slice(0, maxLength - 1)}…`;
  return t
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/([\\`*_[\]|~$])/g, '\\$1')
    .replace(/@(?=[A-Za-z0-9])/g, `@${WJ}`)
    .replace(/#(?=\d)/g, `#${WJ}`)
    .replace(/\b(GH)-(?=\d)/gi, `$1${WJ}-`)
    .replace(/\b(https?|ftp):(?=\/\/)/gi, `$1${WJ}:`)
    .replace(/\bwww\./gi, `www${WJ}.`)
    .replace(/^([-+#]|\d+\.)/, '\\$1');
}

export function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}
