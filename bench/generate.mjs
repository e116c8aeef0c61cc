// Writes a results file of N samples for the speed and memory benchmarks.
//   native:    JSONL, realistic samples (ids, pass, score, named scores, tags, latency, cost, tokens, trace id)
//   promptfoo: one `promptfoo eval -o results.json` document (results version 3), rows shaped like
//              promptfoo 0.12x's (about 2.2 KB each: prompt, response, grading, token usage, test case)
// Usage: node bench/generate.mjs [lines] [out] [native|promptfoo]
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';

const lines = Number(process.argv[2] ?? 1_000_000);
const format = process.argv[4] ?? 'native';
const out = process.argv[3] ?? `bench/out/${format}-${lines}.${format === 'native' ? 'jsonl' : 'json'}`;
let seed = 42;
const rand = () => (seed = (seed * 1664525 + 1013904223) % 2 ** 32) / 2 ** 32;

const stream = createWriteStream(out);
const write = async (text) => {
  if (!stream.write(text)) await once(stream, 'drain');
};

function nativeLine(i) {
  const error = rand() < 0.005 ? 'HTTP 503' : null;
  return JSON.stringify({
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
}

const TEMPLATE =
  'You are a strict code reviewer. Respond with JSON {"verdict": "approve"|"request_changes", "findings": [...]}.\nDiff:\n{{diff}}';
const usage = (total) => ({
  total,
  prompt: Math.round(total * 0.7),
  completion: total - Math.round(total * 0.7),
  cached: 0,
  numRequests: 1,
  completionDetails: { reasoning: 0, acceptedPrediction: 0, rejectedPrediction: 0 },
});

function promptfooRow(i) {
  const diff = `+const value${i} = compute(${i}, "${Math.floor(rand() * 1e9).toString(36)}");\n-const old${i} = null;`;
  const pass = rand() < 0.9;
  const error = rand() < 0.004;
  const output = `{"verdict": "${pass ? 'approve' : 'request_changes'}", "findings": ["line ${i % 40}: ${pass ? 'LGTM' : 'possible null dereference'}"]}`;
  const total = 120 + Math.floor(rand() * 300);
  const assertion = { type: 'javascript', value: "output.includes('LGTM') || output.includes('\"approve\"')" };
  return JSON.stringify({
    cost: Number((0.0005 + rand() * 0.002).toFixed(6)),
    gradingResult: error
      ? null
      : {
          pass,
          score: pass ? 1 : 0,
          reason: pass ? 'All assertions passed' : 'Expected output to contain "LGTM"',
          namedScores: { correctness: pass ? 1 : 0 },
          tokensUsed: { total: 0, prompt: 0, completion: 0, cached: 0 },
          componentResults: [
            { pass: true, score: 1, reason: 'Assertion passed', assertion: { type: 'latency', threshold: 5000 } },
            {
              pass,
              score: pass ? 1 : 0,
              reason: pass ? 'Assertion passed' : 'Custom function returned false',
              assertion,
            },
          ],
        },
    id: `${(i * 2654435761).toString(16).padStart(12, '0')}-7060-42c4-925d-d73de5cee9ea`,
    latencyMs: Math.round(300 + rand() * 2000),
    namedScores: { correctness: pass ? 1 : 0 },
    prompt: { raw: TEMPLATE.replace('{{diff}}', diff), label: `json-review: prompt_json.txt: ${TEMPLATE}`, config: {} },
    promptId: '58e10b3b8ddf6d47bed5a36e02651fa182cb6c0dee5d3d0b00e69d63100d0549',
    promptIdx: 0,
    provider: { id: 'openai:gpt-4o-mini', label: '' },
    response: error
      ? { error: 'API error: 503 Service Unavailable', tokenUsage: usage(0) }
      : { output, raw: output, cost: 0.001, cached: false, tokenUsage: usage(total), isRefusal: false, metadata: {} },
    score: pass && !error ? 1 : 0,
    success: pass && !error,
    testCase: {
      description: `review ${i}`,
      vars: { diff },
      assert: [{ type: 'latency', threshold: 5000 }, assertion],
      options: {},
      metadata: { tags: i % 10 === 0 ? ['pii'] : [] },
    },
    testIdx: i,
    tokenUsage: usage(total),
    vars: { diff },
    metadata: { _promptfooFileMetadata: {} },
    failureReason: error ? 2 : pass ? 0 : 1,
    error: error ? 'API error: 503 Service Unavailable' : pass ? undefined : 'Expected output to contain "LGTM"',
  });
}

if (format === 'native') {
  await write(
    `${JSON.stringify({ meta: { tool: 'bench', model: 'gpt-4o-2024-08-06', dataset: `bench-${lines}` } })}\n`,
  );
  for (let i = 0; i < lines; i++) await write(`${nativeLine(i)}\n`);
} else if (format === 'promptfoo') {
  const prompt = { raw: TEMPLATE, label: `json-review: prompt_json.txt: ${TEMPLATE}`, provider: 'openai:gpt-4o-mini' };
  await write(
    `{"evalId":"eval-bench-${lines}","results":{"version":3,"timestamp":"2026-11-29T00:00:00.000Z","prompts":${JSON.stringify([prompt])},"results":[\n`,
  );
  for (let i = 0; i < lines; i++) await write(`${i > 0 ? ',\n' : ''}${promptfooRow(i)}`);
  await write(
    `\n],"stats":{"successes":0,"failures":0,"errors":0}},"config":{"description":"bench ${lines}"},"shareableUrl":null,"metadata":{"promptfooVersion":"0.121.11"}}\n`,
  );
} else throw new Error(`unknown format ${format}`);
stream.end();
await once(stream, 'finish');
console.log(`wrote ${lines} ${format} samples to ${out}`);
