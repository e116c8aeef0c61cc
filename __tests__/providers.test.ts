import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { LaunchDarklyProvider } from '../src/rollout/flags/launchdarkly.js';
import { UnleashProvider } from '../src/rollout/flags/unleash.js';
import { WebhookProvider } from '../src/rollout/flags/webhook.js';
import { ConflictError } from '../src/rollout/flags/types.js';
import { HttpMetricSource } from '../src/rollout/sources/http.js';
import { PrometheusMetricSource } from '../src/rollout/sources/prometheus.js';
import { analyse } from '../src/rollout/analysis.js';
import { FIXTURES } from './helpers.js';
import { services } from './support/services.js';

/** A loopback HTTP peer that records requests and answers with a handler. */
async function peer(
  handler: (req: { method: string; url: string; headers: http.IncomingHttpHeaders; body: string }) => {
    status: number;
    body?: unknown;
  },
) {
  const seen: { method: string; url: string; headers: http.IncomingHttpHeaders; body: string }[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const r = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body };
      seen.push(r);
      const out = handler(r);
      res.writeHead(out.status, { 'content-type': 'application/json' });
      res.end(out.body === undefined ? '' : JSON.stringify(out.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

describe('Unleash provider (a real Unleash 7.5.1 on PostgreSQL)', () => {
  const { url, token } = services().unleash;
  const key = `summarizer-${Date.now()}`;
  const admin = (p: string, init: RequestInit = {}) =>
    fetch(`${url}/api/admin${p}`, { ...init, headers: { authorization: token, 'content-type': 'application/json' } });

  beforeAll(async () => {
    expect(
      (await admin('/projects/default/features', { method: 'POST', body: JSON.stringify({ name: key }) })).status,
    ).toBe(201);
  });

  it('rolls out through a flexibleRollout strategy whose groupId stays fixed, so a larger share only adds users', async () => {
    const p = new UnleashProvider(url, 'default', 'production', key, token);
    expect(await p.read()).toBe(0);
    await p.write(10, 0);
    const first = (await (
      await admin(`/projects/default/features/${key}/environments/production/strategies`)
    ).json()) as { id: string; name: string; parameters: Record<string, string> }[];
    expect(first).toHaveLength(1);
    expect(first[0]).toMatchObject({
      name: 'flexibleRollout',
      parameters: { rollout: '10', groupId: key, stickiness: 'default' },
    });
    await p.write(50, 10);
    const second = (await (
      await admin(`/projects/default/features/${key}/environments/production/strategies`)
    ).json()) as { id: string; parameters: Record<string, string> }[];
    expect(second).toEqual([
      expect.objectContaining({
        id: first[0]!.id,
        parameters: expect.objectContaining({ rollout: '50', groupId: key }),
      }),
    ]);
    expect(await p.read()).toBe(50);
    const feature = (await (await admin(`/projects/default/features/${key}`)).json()) as {
      environments: { name: string; enabled: boolean }[];
    };
    expect(feature.environments.find((e) => e.name === 'production')!.enabled).toBe(true);
  });

  it('refuses to write over a percentage changed by hand (compare-and-set)', async () => {
    const p = new UnleashProvider(url, 'default', 'production', key, token);
    await expect(p.write(100, 10)).rejects.toBeInstanceOf(ConflictError);
    expect(await p.read()).toBe(50);
  });

  it('names an unknown flag or a bad token', async () => {
    await expect(new UnleashProvider(url, 'default', 'production', 'no-such-flag', token).read()).rejects.toThrow(
      /HTTP 404/,
    );
    await expect(new UnleashProvider(url, 'default', 'production', key, 'bad-token').read()).rejects.toThrow(
      /HTTP 401/,
    );
  });
});

describe('Prometheus metric source (a real Prometheus 2.42 with loaded history)', () => {
  const { url } = services().prometheus;
  const q = (metric: string, variant: string) => `sum(increase(${metric}{variant="${variant}"}[1h]))`;

  it('reads a PromQL query per variant; rates become counts against the request queries', async () => {
    const source = new PrometheusMetricSource(
      url,
      undefined,
      [
        {
          name: 'error_rate',
          query: {
            canary: `${q('llm_errors_total', 'canary')} / ${q('llm_requests_total', 'canary')}`,
            control: `${q('llm_errors_total', 'control')} / ${q('llm_requests_total', 'control')}`,
          },
        },
        {
          name: 'cost_per_request_usd',
          query: {
            canary: 'max(llm_cost_per_request_usd{variant="canary"})',
            control: 'max(llm_cost_per_request_usd{variant="control"})',
          },
        },
      ],
      { canary: q('llm_requests_total', 'canary'), control: q('llm_requests_total', 'control') },
    );
    const m = await source.read();
    expect(m.canary!.requests).toBeGreaterThan(6000);
    expect(m.control!.requests).toBeGreaterThan(60_000);
    expect(m.canary!.counts.error! / m.canary!.requests).toBeCloseTo(0.01, 3);
    expect(m.canary!.means.cost_per_request_usd).toBeCloseTo(0.0019, 6);
    const evidence = analyse(
      [
        { name: 'error_rate', max_increase: 0.01 },
        { name: 'cost_per_request_usd', max: 0.002 },
      ],
      m,
    );
    expect(evidence.map((e) => e.status)).toEqual(['pass', 'pass']);
  });

  it('says which query went wrong', async () => {
    const bad = new PrometheusMetricSource(
      url,
      undefined,
      [{ name: 'x', query: { canary: 'llm_requests_total', control: 'llm_requests_total' } }],
      undefined,
    );
    await expect(bad.read()).rejects.toThrow(/returned 2 series; aggregate it to one/);
    const syntax = new PrometheusMetricSource(
      url,
      undefined,
      [{ name: 'x', query: { canary: 'sum(', control: 'sum(' } }],
      undefined,
    );
    await expect(syntax.read()).rejects.toThrow(/parse error/);
  });
});

describe('LaunchDarkly provider (fixtures from the public API reference)', () => {
  it('reads the fallthrough rollout and patches it semantically, weights in thousandths by variation _id', async () => {
    const flag = JSON.parse(readFileSync(path.join(FIXTURES, 'launchdarkly/flag.json'), 'utf8'));
    const ld = await peer((r) => (r.method === 'GET' ? { status: 200, body: flag } : { status: 200, body: flag }));
    try {
      const p = new LaunchDarklyProvider(ld.url, 'default', 'production', 'summarizer-v2', 'api-key');
      expect(await p.read()).toBe(10);
      await p.write(50, 10);
      const patch = ld.seen.find((r) => r.method === 'PATCH')!;
      expect(patch.url).toBe('/api/v2/flags/default/summarizer-v2');
      expect(patch.headers['content-type']).toBe('application/json; domain-model=launchdarkly.semanticpatch');
      expect(patch.headers.authorization).toBe('api-key');
      expect(JSON.parse(patch.body)).toEqual({
        environmentKey: 'production',
        comment: 'llm-release-gate rollout 10% → 50%',
        instructions: [
          {
            kind: 'updateFallthroughVariationOrRollout',
            rolloutWeights: {
              'e432f62b-55f6-49dd-a02f-eb24acf39d05': 50_000,
              'a00bf58d-d252-476c-b915-15a74becacb4': 50_000,
            },
          },
        ],
      });
      await expect(p.write(100, 25)).rejects.toBeInstanceOf(ConflictError);
    } finally {
      await ld.close();
    }
  });
});

describe('webhook provider', () => {
  it('POSTs {flag, percent, release}; 2xx is applied, anything else an error', async () => {
    let status = 204;
    const hook = await peer(() => ({ status }));
    try {
      const p = new WebhookProvider(`${hook.url}/flags`, 'summarizer-v2', 'abc123', 'secret', 10);
      expect(await p.read()).toBe(10);
      await p.write(50);
      expect(JSON.parse(hook.seen[0]!.body)).toEqual({ flag: 'summarizer-v2', percent: 50, release: 'abc123' });
      expect(hook.seen[0]!.headers.authorization).toBe('Bearer secret');
      status = 500;
      await expect(p.write(100)).rejects.toThrow(/HTTP 500/);
    } finally {
      await hook.close();
    }
  });
});

describe('http metric source', () => {
  it('reads the online metrics JSON with a bearer token, and treats a stale or failing export as missing', async () => {
    const now = new Date('2026-11-28T10:00:00Z');
    let body: unknown = {
      generated_at: '2026-11-28T09:55:00Z',
      variants: {
        canary: { requests: 100, counts: { error: 1 }, means: { latency_ms: 900 } },
        control: { requests: 1000, counts: { error: 9 }, means: { latency_ms: 880 } },
      },
    };
    let status = 200;
    const api = await peer(() => ({ status, body }));
    try {
      const source = new HttpMetricSource(`${api.url}/metrics.json`, 'metrics-token', () => now);
      expect(await source.read()).toEqual({
        generatedAt: '2026-11-28T09:55:00Z',
        canary: { requests: 100, counts: { error: 1 }, means: { latency_ms: 900 } },
        control: { requests: 1000, counts: { error: 9 }, means: { latency_ms: 880 } },
      });
      expect(api.seen[0]!.headers.authorization).toBe('Bearer metrics-token');
      body = { ...(body as object), generated_at: '2026-11-28T06:00:00Z' };
      await expect(source.read()).rejects.toThrow(/is stale: generated at 2026-11-28T06:00:00Z/);
      status = 503;
      await expect(source.read()).rejects.toThrow(/answered HTTP 503/);
    } finally {
      await api.close();
    }
  });
});
