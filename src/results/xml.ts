/**
 * A small, linear-time XML reader for JUnit reports: one pass with indexOf, no regex over the
 * document, no entity expansion beyond the five predefined entities and character references, no
 * DOCTYPE (a declared entity could expand without bound). Reports the first well-formedness error
 * with its line and column.
 */

export const MAX_XML_DEPTH = 100;

export class XmlError extends Error {
  constructor(
    message: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(message);
  }
}

export interface XmlHandler {
  open(name: string, attrs: Record<string, string>, line: number): void;
  close(name: string): void;
  /** Character data (entities decoded) and CDATA sections of the innermost open element. */
  text(value: string): void;
}

const PREDEFINED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

export function scanXml(xml: string, on: XmlHandler): void {
  const n = xml.length;
  // Line numbers, counted incrementally: positions asked for only grow, so the whole pass stays linear.
  let line = 1;
  let lineStart = 0;
  let nextNewline = xml.indexOf('\n');
  const lineOf = (pos: number) => {
    while (nextNewline !== -1 && nextNewline < pos) {
      line += 1;
      lineStart = nextNewline + 1;
      nextNewline = xml.indexOf('\n', lineStart);
    }
    return line;
  };
  const fail = (message: string, pos: number): never => {
    const l = lineOf(pos);
    throw new XmlError(message, l, pos - lineStart + 1);
  };
  const decode = (raw: string, at: number): string => {
    let amp = raw.indexOf('&');
    if (amp === -1) return raw;
    let out = '';
    let from = 0;
    while (amp !== -1) {
      const semi = raw.indexOf(';', amp);
      const name = semi === -1 || semi - amp > 12 ? undefined : raw.slice(amp + 1, semi);
      let ch: string | undefined;
      if (name !== undefined && name.startsWith('#')) {
        const code = name[1] === 'x' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
        const digits = name[1] === 'x' ? /^[0-9a-fA-F]+$/.test(name.slice(2)) : /^\d+$/.test(name.slice(1));
        if (digits && code <= 0x10ffff) ch = String.fromCodePoint(code);
      } else if (name !== undefined) ch = PREDEFINED[name];
      if (ch === undefined)
        fail(
          name === undefined
            ? 'an "&" that does not start an entity (write &amp;)'
            : `unknown entity &${name}; (only &lt; &gt; &amp; &quot; &apos; and character references)`,
          at + amp,
        );
      out += raw.slice(from, amp) + ch;
      from = semi + 1;
      amp = raw.indexOf('&', from);
    }
    return out + raw.slice(from);
  };
  const isSpace = (c: number) => c === 32 || c === 10 || c === 13 || c === 9;
  const stack: { name: string; line: number }[] = [];
  let rootSeen = false;
  let i = 0;
  while (i < n) {
    const lt = xml.indexOf('<', i);
    const end = lt === -1 ? n : lt;
    if (end > i) {
      if (stack.length > 0) on.text(decode(xml.slice(i, end), i));
      else
        for (let k = i; k < end; k++)
          if (!isSpace(xml.charCodeAt(k)) && xml.charCodeAt(k) !== 0xfeff)
            fail(rootSeen ? 'text after the root element' : 'text before the root element', k);
    }
    if (lt === -1) break;
    if (xml.startsWith('<!--', lt)) {
      const close = xml.indexOf('-->', lt + 4);
      if (close === -1) fail('a comment that is never closed (no "-->")', lt);
      i = close + 3;
    } else if (xml.startsWith('<![CDATA[', lt)) {
      const close = xml.indexOf(']]>', lt + 9);
      if (close === -1) fail('a CDATA section that is never closed (no "]]>")', lt);
      if (stack.length === 0) fail('a CDATA section outside the root element', lt);
      on.text(xml.slice(lt + 9, close));
      i = close + 3;
    } else if (xml.startsWith('<?', lt)) {
      const close = xml.indexOf('?>', lt + 2);
      if (close === -1) fail('a processing instruction that is never closed (no "?>")', lt);
      i = close + 2;
    } else if (xml.startsWith('<!', lt)) {
      fail('a DOCTYPE or declaration, which a JUnit report does not need (entities could expand without bound)', lt);
    } else if (xml.startsWith('</', lt)) {
      const close = xml.indexOf('>', lt + 2);
      if (close === -1) fail('a closing tag that is never finished (no ">")', lt);
      const name = xml.slice(lt + 2, close).trimEnd();
      const open = stack.pop();
      if (name !== open?.name)
        fail(
          open === undefined
            ? `a closing </${name}> with nothing open`
            : `expected </${open.name}> (for the tag opened on line ${open.line}) but found </${name}>`,
          lt,
        );
      on.close(name);
      i = close + 1;
    } else {
      // An opening tag: its name, then attributes up to ">" or "/>".
      let k = lt + 1;
      while (k < n && !isSpace(xml.charCodeAt(k)) && xml[k] !== '>' && xml[k] !== '/') k++;
      const name = xml.slice(lt + 1, k);
      if (name === '' || name.includes('<')) fail('a "<" that does not start a tag (write &lt;)', lt);
      if (stack.length === 0 && rootSeen) fail('a second root element', lt);
      const attrs: Record<string, string> = Object.create(null) as Record<string, string>;
      let selfClosing = false;
      for (;;) {
        while (k < n && isSpace(xml.charCodeAt(k))) k++;
        if (k >= n) fail(`the tag <${name}> is never finished (the file ends; is it truncated?)`, lt);
        if (xml[k] === '>') break;
        if (xml.startsWith('/>', k)) {
          selfClosing = true;
          k += 1;
          break;
        }
        const a = k;
        while (k < n && !isSpace(xml.charCodeAt(k)) && xml[k] !== '=' && xml[k] !== '>' && xml[k] !== '/') k++;
        const attr = xml.slice(a, k);
        if (attr === '' || attr.includes('<')) fail(`a malformed attribute in <${name}>`, a);
        while (k < n && isSpace(xml.charCodeAt(k))) k++;
        if (xml[k] !== '=') fail(`the attribute ${attr} of <${name}> has no value`, k);
        k++;
        while (k < n && isSpace(xml.charCodeAt(k))) k++;
        const quote = xml[k];
        if (quote !== '"' && quote !== "'") fail(`the value of ${attr} in <${name}> is not quoted`, k);
        const close = xml.indexOf(quote!, k + 1);
        if (close === -1) fail(`the value of ${attr} in <${name}> is never closed`, k);
        const raw = xml.slice(k + 1, close);
        const bad = raw.indexOf('<');
        if (bad !== -1) fail(`a "<" inside the value of ${attr} (write &lt;)`, k + 1 + bad);
        if (attr in attrs) fail(`the attribute ${attr} appears twice in <${name}>`, a);
        attrs[attr] = decode(raw, k + 1);
        k = close + 1;
      }
      if (stack.length >= MAX_XML_DEPTH)
        fail(`elements nested deeper than ${MAX_XML_DEPTH} levels; the limit is ${MAX_XML_DEPTH}`, lt);
      rootSeen = true;
      const at = lineOf(lt);
      on.open(name, attrs, at);
      if (selfClosing) on.close(name);
      else stack.push({ name, line: at });
      i = k + 1;
    }
  }
  if (stack.length > 0) fail(`the XML ends inside <${stack[stack.length - 1]!.name}> (is the file truncated?)`, n);
  if (!rootSeen) fail('no root element', n);
}
