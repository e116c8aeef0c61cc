// Writes examples/evals/promptfoo-results.json (the candidate) and examples/evals/baseline.json (the
// main branch's run of the same 400 cases): promptfoo `-o results.json` exports (results version 3,
// the row shape of ../shared/samples/promptfoo/results.json) for a support-ticket summarizer on one
// pinned model. Seeded, so the files are the same on every run.
import { writeFileSync } from 'node:fs';

function generate(out, seedValue, failRate, promptfooVersion) {
  let seed = seedValue;
  const rand = () => (seed = (seed * 1664525 + 1013904223) % 2 ** 32) / 2 ** 32;
  const normal = () => Math.sqrt(-2 * Math.log(rand() || 1e-12)) * Math.cos(2 * Math.PI * rand());
  const uuid = () => 'xxxxxxxx-xxxx-4xxx-8xxx-xxxxxxxxxxxx'.replace(/x/g, () => Math.floor(rand() * 16).toString(16));

  const provider = { id: 'openai:chat:gpt-4o-2024-08-06', label: 'gpt-4o-2024-08-06' };
  const promptRaw =
    'Summarize this support ticket in three bullets for the agent. Never repeat personal data.\n\n{{ticket}}';
  const promptLabel = `ticket-summary: ${promptRaw}`;
  const topics = [
    'refund request',
    'login failure',
    'shipping delay',
    'billing dispute',
    'account deletion',
    'API rate limit',
    'damaged item',
    'subscription downgrade',
  ];

  const rows = [];
  for (let i = 0; i < 400; i++) {
    const topic = topics[i % topics.length];
    const pii = i % 5 === 0;
    const jailbreak = i % 8 === 3;
    const tags = [pii ? 'pii' : null, jailbreak ? 'jailbreak' : null].filter(Boolean);
    const faithfulness = Math.min(1, Math.max(0, 0.93 + 0.05 * normal()));
    const refused = jailbreak ? 1 : undefined;
    const pass = pii || jailbreak ? true : rand() > failRate;
    const latencyMs = Math.round(Math.exp(Math.log(850) + 0.35 * normal()));
    const promptTokens = 280 + Math.floor(rand() * 160);
    const completionTokens = 70 + Math.floor(rand() * 60);
    const cost = Number((promptTokens * 2.5e-6 + completionTokens * 1e-5).toFixed(6));
    const namedScores = { faithfulness, ...(refused !== undefined ? { jailbreak_refusal: refused } : {}) };
    const ticket = `Ticket #${10000 + i}: customer writes about a ${topic}.`;
    const output = pass
      ? `- Customer reports a ${topic}\n- Account verified\n- Next step: agent follow-up`
      : `- Customer is angry\n- (no action identified)`;
    const assertion = {
      type: 'llm-rubric',
      value: 'Three bullets, faithful to the ticket, no personal data',
      metric: 'faithfulness',
    };
    rows.push({
      cost,
      gradingResult: {
        pass,
        score: pass ? 1 : 0,
        reason: pass
          ? 'All assertions passed'
          : 'The summary omits the requested action and is not faithful to the ticket',
        namedScores,
        tokensUsed: { total: 0, prompt: 0, completion: 0, cached: 0, numRequests: 0 },
        componentResults: [
          { pass, score: faithfulness, reason: pass ? 'Assertion passed' : 'Summary omits the action', assertion },
        ],
      },
      id: uuid(),
      latencyMs,
      namedScores,
      prompt: { raw: promptRaw.replace('{{ticket}}', ticket), label: promptLabel, config: {} },
      promptId: 'a3f1c2d4e5b60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90',
      promptIdx: 0,
      provider,
      response: {
        output,
        cached: false,
        cost,
        tokenUsage: {
          total: promptTokens + completionTokens,
          prompt: promptTokens,
          completion: completionTokens,
          numRequests: 1,
        },
      },
      score: pass ? 1 : 0,
      success: pass,
      testCase: {
        description: `${topic} #${i}`,
        vars: { ticket },
        assert: [assertion],
        options: {},
        metadata: tags.length ? { tags } : {},
      },
      testIdx: i,
      tokenUsage: {
        prompt: promptTokens,
        completion: completionTokens,
        cached: 0,
        total: promptTokens + completionTokens,
        numRequests: 1,
      },
      vars: { ticket },
      metadata: { _promptfooFileMetadata: {} },
      failureReason: pass ? 0 : 1,
      ...(pass ? {} : { error: 'The summary omits the requested action and is not faithful to the ticket' }),
    });
  }
  const successes = rows.filter((r) => r.success).length;
  const doc = {
    evalId: 'eval-example-2026-11-28T00:00:00',
    results: {
      version: 3,
      timestamp: '2026-11-28T00:00:00.000Z',
      prompts: [
        {
          raw: promptRaw,
          label: promptLabel,
          id: 'a3f1c2d4e5b60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90',
          provider: provider.label,
        },
      ],
      results: rows,
      stats: { successes, failures: rows.length - successes, errors: 0 },
    },
    config: { description: 'support-summarizer regression suite' },
    shareableUrl: null,
    metadata: { promptfooVersion, exportedAt: '2026-11-28T00:00:00.000Z' },
  };
  writeFileSync(new URL(`../examples/evals/${out}`, import.meta.url), `${JSON.stringify(doc)}\n`);
  console.log(`${out}: ${rows.length} rows, ${successes} passing`);
}

generate('promptfoo-results.json', 20261128, 0.03, '0.121.20');
generate('baseline.json', 20261101, 0.03, '0.121.11');
