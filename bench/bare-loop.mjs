// The baseline: the least a reader can do with a JSONL file, chunked read + line split + JSON.parse.
import { createReadStream } from 'node:fs';

let rest = '';
let n = 0;
for await (const chunk of createReadStream(process.argv[2], { encoding: 'utf8', highWaterMark: 1 << 18 })) {
  const text = rest + chunk;
  let start = 0;
  for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', start)) {
    const line = text.slice(start, nl);
    start = nl + 1;
    if (line) {
      JSON.parse(line);
      n++;
    }
  }
  rest = text.slice(start);
}
console.log(`parsed ${n} lines`);
