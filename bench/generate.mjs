// Writes a native JSONL results file of N lines (default 1,000,000) for the speed and memory
// benchmark: realistic samples (ids, pass, score, named scores, tags, latency, cost, tokens, trace id).
// Usage: node bench/generate.mjs [lines] [out]
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';

const lines = Number(process.argv[2] ?? 1_000_000);
const out = process.argv[3] ?? `bench/out/native-${lines}.jsonl`;
let seed = 42;
const rand = () => (seed = (seed * 1664525 + 1013904223) % 2 ** 32) / 2 ** 32;

const stream = createWriteStream(out);
stream.write(`${JSON.stringify({ meta: { tool: 'bench', model: 'gpt-4o-2024-08-06', dataset: `bench-${lines}` } })}\n`);
for (let i = 0; i < lines; i++) {
  const error = rand() < 0.005 ? 'HTTP 503' : null;
  const line = JSON.stringify({
    id: `case-${i}`,
    pass: rand() < 0.93,
    score: Number(rand().toFixed(4)),
    scores: { faithfulness: Number((0.8 + 0.2 * rand()).toFixed(4)), refusal: rand() < 0.99 ? 1 : 0 },
    tags: i % 10 === 0 ? ['pii'] : [],
    latency_ms: Math.round(400 + 1200 * rand()),
    cost_usd: Number((0.001 + 0.002 * rand()).toFixed(6)),
    tokens: 100 + Math.floor(200 * rand()),
    trace_id: `t${i.toString(16)}`,
    repeat: 0,
    error,
  });
  if (!stream.write(`${line}\n`)) await once(stream, 'drain');
}
stream.end();
await once(stream, 'finish');
console.log(`wrote ${lines} lines to ${out}`);
