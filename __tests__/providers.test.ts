import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { LaunchDarklyProvider } from '../src/rollout/flags/launchdarkly.js';
import { UnleashProvider } from '../src/rollout/flags/unleash.js';
import { WebhookProvider } from '../src/rollout/flags/webhook.js';
import { ConflictError } from '../src/rollout/flags/types.js';
import { HttpMetricSource } from '../src/rollout/sources/http.js';
import { PrometheusMetricSource, type PrometheusOptions } from '../src/rollout/sources/prometheus.js';
import { analyse } from '../src/rollout/analysis.js';
import { applyFlag } from '../src/rollout/flag-writes.js';
import { isExternalFailure } from '../src/errors.js';
import { createRequire } from 'node:module';

import { ROOT } from './helpers.js';

// The Unleash SDK, from the pinned test server's own install (not a dependency of the action).
interface SdkClient {
  on(event: string, f: (...args: unknown[]) => void): void;
  once(event: string, f: (...args: unknown[]) => void): void;
  isEnabled(name: string, context: object): boolean;
  getFeatureToggleDefinition(name: string): { strategies?: { parameters?: Record<string, string> }[] } | undefined;
  destroy(): void;
}
const { Unleash: UnleashClient, InMemStorageProvider } = createRequire(
  path.join(ROOT, 'services/unleash/package.json'),
)('unleash-client') as { Unleash: new (options: object) => SdkClient; InMemStorageProvider: new () => object };
import { services } from './support/services.js';
import { FakeLaunchDarkly } from './support/launchdarkly.js';

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
  const strategies = async (k = key) =>
    (await (await admin(`/projects/default/features/${k}/environments/production/strategies`)).json()) as {
      id: string;
      name: string;
      parameters: Record<string, string>;
      constraints: { contextName: string; operator: string; values: string[] }[];
    }[];
  const newFlag = async (name: string) =>
    expect((await admin('/projects/default/features', { method: 'POST', body: JSON.stringify({ name }) })).status).toBe(
      201,
    );

  /**
   * What the Unleash SDK itself serves to `n` users (with `context`). The server caches what it
   * sends SDKs (revisions, refreshed about every second): wait until the SDK sees `rollout`.
   */
  async function served(
    flag: string,
    n: number,
    rollout: string,
    context: Record<string, string> = {},
  ): Promise<number> {
    const res = await admin('/api-tokens', {
      method: 'POST',
      body: JSON.stringify({ tokenName: `sdk-${flag}`, type: 'client', environment: 'production', projects: ['*'] }),
    });
    expect(res.status).toBe(201);
    const { secret } = (await res.json()) as { secret: string };
    for (let attempt = 0; ; attempt++) {
      const client = new UnleashClient({
        url: `${url}/api`,
        appName: 'llm-release-gate-test',
        customHeaders: { Authorization: secret },
        disableMetrics: true,
        refreshInterval: 60_000,
        storageProvider: new InMemStorageProvider(),
      });
      client.on('error', () => undefined);
      await new Promise<void>((resolve) => client.once('synchronized', () => resolve()));
      const seen = client.getFeatureToggleDefinition(flag)?.strategies?.[0]?.parameters?.rollout;
      if (seen !== rollout && attempt < 20) {
        client.destroy();
        await new Promise((r) => setTimeout(r, 500));
        continue;
      }
      let on = 0;
      for (let i = 0; i < n; i++) if (client.isEnabled(flag, { userId: `user-${i}`, properties: context })) on += 1;
      client.destroy();
      return (100 * on) / n;
    }
  }

  beforeAll(async () => newFlag(key));

  it('rolls out through a flexibleRollout strategy whose groupId stays fixed, so a larger share only adds users', async () => {
    const p = new UnleashProvider(url, 'default', 'production', key, token);
    expect(await p.read()).toEqual({ percent: 0, off: 'the production environment is disabled in Unleash' });
    await p.write(10, 0);
    const first = await strategies();
    expect(first).toHaveLength(1);
    expect(first[0]).toMatchObject({
      name: 'flexibleRollout',
      parameters: { rollout: '10', groupId: key, stickiness: 'default' },
    });
    // a new flag's environment is off: the write turned it on, or the SDK would serve nobody
    expect(await p.read()).toEqual({ percent: 10 });
    expect(Math.abs((await served(key, 10_000, '10')) - 10)).toBeLessThan(1.5);
    await p.write(50, 10);
    const second = await strategies();
    expect(second).toEqual([
      expect.objectContaining({
        id: first[0]!.id,
        parameters: expect.objectContaining({ rollout: '50', groupId: key }),
      }),
    ]);
    expect(await p.read()).toEqual({ percent: 50 });
    expect(Math.abs((await served(key, 10_000, '50')) - 50)).toBeLessThan(2);
  });

  it('refuses to write over a percentage changed by hand (compare-and-set)', async () => {
    const p = new UnleashProvider(url, 'default', 'production', key, token);
    await expect(p.write(100, 10)).rejects.toBeInstanceOf(ConflictError);
    expect(await p.read()).toEqual({ percent: 50 });
  });

  it('notices an environment switched off by hand: it reads as off (the SDK serves nobody)', async () => {
    const k = `${key}-off`;
    await newFlag(k);
    const p = new UnleashProvider(url, 'default', 'production', k, token);
    await p.write(25, 0);
    expect(await p.read()).toEqual({ percent: 25 });
    expect(
      (await admin(`/projects/default/features/${k}/environments/production/off`, { method: 'POST' })).status,
    ).toBe(200);
    expect(await p.read()).toEqual({ percent: 25, off: 'the production environment is disabled in Unleash' });
    expect(await served(k, 2000, '25')).toBe(0);
  });

  it('keeps a hand-added constraint and every other strategy: the share applies to the constrained users only', async () => {
    const k = `${key}-tenant`;
    await newFlag(k);
    const p = new UnleashProvider(url, 'default', 'production', k, token);
    await p.write(10, 0);
    const [s] = await strategies(k);
    const constraints = [
      { contextName: 'tenant', operator: 'IN', values: ['beta'], caseInsensitive: false, inverted: false },
    ];
    expect(
      (
        await admin(`/projects/default/features/${k}/environments/production/strategies/${s!.id}`, {
          method: 'PUT',
          body: JSON.stringify({ name: 'flexibleRollout', parameters: s!.parameters, constraints }),
        })
      ).status,
    ).toBe(200);
    await admin(`/projects/default/features/${k}/environments/production/strategies`, {
      method: 'POST',
      body: JSON.stringify({
        name: 'flexibleRollout',
        parameters: { rollout: '100', stickiness: 'default', groupId: 'staff' },
        constraints: [{ contextName: 'tenant', operator: 'IN', values: ['staff'] }],
      }),
    });
    await p.write(25, 10);
    const after = await strategies(k);
    expect(after).toHaveLength(2);
    expect(after[0]).toMatchObject({
      id: s!.id,
      parameters: { rollout: '25' },
      constraints: [expect.objectContaining({ contextName: 'tenant', values: ['beta'] })],
    });
    expect(after[1]).toMatchObject({ parameters: { rollout: '100', groupId: 'staff' } });
    expect(await served(k, 4000, '25')).toBe(0); // no tenant: the constraint holds
    expect(Math.abs((await served(k, 10_000, '25', { tenant: 'beta' })) - 25)).toBeLessThan(2);
    expect(await served(k, 500, '25', { tenant: 'staff' })).toBe(100);
  });

  it('a 503 while enabling the environment is a service failure, and the tick reads it back as off', async () => {
    const k = `${key}-503`;
    await newFlag(k);
    // a proxy in front of the real Unleash that refuses the "on" switch
    const proxy = http.createServer((req, res) => {
      if (req.url?.endsWith('/on')) {
        res.writeHead(503, { 'content-type': 'application/json' }).end('{"message":"unavailable"}');
        return;
      }
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', async () => {
        const r = await fetch(`${url}${req.url}`, {
          method: req.method,
          headers: { authorization: String(req.headers.authorization), 'content-type': 'application/json' },
          body: chunks.length ? Buffer.concat(chunks) : undefined,
        });
        res.writeHead(r.status, { 'content-type': 'application/json' }).end(await r.text());
      });
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    try {
      const p = new UnleashProvider(
        `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`,
        'default',
        'production',
        k,
        token,
      );
      const failure = await applyFlag(p, 5, 0).catch((e: Error) => e);
      expect(failure).toBeInstanceOf(Error);
      expect(isExternalFailure(failure)).toBe(true);
      expect((failure as Error).message).toMatch(/HTTP 503/);
      expect(await p.read()).toEqual({ percent: 5, off: 'the production environment is disabled in Unleash' });
    } finally {
      proxy.close();
    }
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

  const errorRate = {
    name: 'error_rate',
    query: {
      canary: `${q('llm_errors_total', 'canary')} / ${q('llm_requests_total', 'canary')}`,
      control: `${q('llm_errors_total', 'control')} / ${q('llm_requests_total', 'control')}`,
    },
  };
  const requests = { canary: q('llm_requests_total', 'canary'), control: q('llm_requests_total', 'control') };
  const source = (opts: Partial<PrometheusOptions>) =>
    new PrometheusMetricSource(url, undefined, { metrics: [], maxAgeMs: 10 * 365 * 86_400_000, ...opts });

  it('reads a PromQL query per variant; rates become counts against the request queries', async () => {
    const m = await source({
      metrics: [
        errorRate,
        {
          name: 'cost_per_request_usd',
          query: {
            canary: 'max(llm_cost_per_request_usd{variant="canary"})',
            control: 'max(llm_cost_per_request_usd{variant="control"})',
          },
        },
      ],
      requests,
      freshness: 'max(timestamp(llm_requests_total))',
    }).read();
    expect(m.canary!.requests).toBeGreaterThan(6000);
    expect(m.control!.requests).toBeGreaterThan(60_000);
    expect(m.canary!.counts.error! / m.canary!.requests).toBeCloseTo(0.01, 3);
    expect(m.canary!.means.cost_per_request_usd).toBeCloseTo(0.0019, 6);
    expect(Date.parse(m.generatedAt!)).toBeLessThanOrEqual(Date.now());
    const evidence = analyse(
      [
        { name: 'error_rate', max_increase: 0.01 },
        { name: 'cost_per_request_usd', max: 0.002 },
      ],
      m,
      { baked: true },
    );
    expect(evidence.map((e) => e.status)).toEqual(['pass', 'pass']);
  });

  it('says which query went wrong', async () => {
    await expect(
      source({
        metrics: [{ name: 'x', query: { canary: 'llm_requests_total', control: 'llm_requests_total' } }],
      }).read(),
    ).rejects.toThrow(/returned 2 series; aggregate it to one/);
    await expect(
      source({ metrics: [{ name: 'x', query: { canary: 'sum(', control: 'sum(' } }] }).read(),
    ).rejects.toThrow(/parse error/);
  });

  it('a rate query that returns a count is garbage, not a 56548% improvement', async () => {
    const counts = {
      ...errorRate,
      query: { canary: q('llm_errors_total', 'canary'), control: q('llm_errors_total', 'control') },
    };
    await expect(source({ metrics: [counts], requests }).read()).rejects.toThrow(
      /a _rate query must return a ratio in \[0, 1\]/,
    );
  });

  it('data older than max_age (by the newest sample) is missing, not evidence; a time in the future too', async () => {
    await expect(
      source({ metrics: [errorRate], requests, freshness: 'max(timestamp(llm_requests_total))', maxAgeMs: 1 }).read(),
    ).rejects.toThrow(/is stale/);
    await expect(source({ metrics: [errorRate], requests, freshness: 'time() + 3600' }).read()).rejects.toThrow(
      /in the future/,
    );
  });
});

describe('LaunchDarkly provider (a stand-in that starts Off and takes semantic patches only)', () => {
  let ld: FakeLaunchDarkly;
  beforeEach(async () => {
    ld = new FakeLaunchDarkly();
    await ld.start();
  });
  afterEach(() => ld.stop());

  it('turns a new (Off) flag on at the start, keeps its targeting rules, and serves the planned share', async () => {
    const flag = ld.create('default', 'summarizer-v2');
    const rules = structuredClone(flag.environments.production!.rules);
    const p = new LaunchDarklyProvider(ld.url, 'default', 'production', 'summarizer-v2', ld.token);
    // Off: it serves false to everyone, whatever the fallthrough says
    expect(await p.read()).toEqual({ percent: 0, off: 'the flag is Off in LaunchDarkly' });
    expect(ld.served('default', 'summarizer-v2', 2000)).toBe(0);
    expect(await applyFlag(p, 1, 0)).toBe(true);
    expect(ld.patches[0]).toMatchObject({
      environmentKey: 'production',
      instructions: [{ kind: 'turnFlagOn' }, { kind: 'updateFallthroughVariationOrRollout' }],
    });
    expect(await p.read()).toEqual({ percent: 1 });
    expect(Math.abs(ld.served('default', 'summarizer-v2', 20_000) - 1)).toBeLessThan(0.4);
    expect(await applyFlag(p, 50, 1)).toBe(true);
    expect(ld.patches[1]).toMatchObject({ instructions: [{ kind: 'updateFallthroughVariationOrRollout' }] });
    expect(Math.abs(ld.served('default', 'summarizer-v2', 20_000) - 50)).toBeLessThan(2);
    expect(ld.flags.get('default/summarizer-v2')!.environments.production!.rules).toEqual(rules);
    // a fractional stage: weights in thousandths of a percent
    expect(await applyFlag(p, 0.5, 50)).toBe(true);
    expect(await p.read()).toEqual({ percent: 0.5 });
    await expect(p.write(100, 25)).rejects.toBeInstanceOf(ConflictError);
  });

  it('a flag switched Off by hand reads as off at 0% (it serves nobody); the kill switch leaves it so', async () => {
    ld.create('default', 'k');
    const p = new LaunchDarklyProvider(ld.url, 'default', 'production', 'k', ld.token);
    await applyFlag(p, 10, 0);
    ld.flags.get('default/k')!.environments.production!.on = false;
    expect(await p.read()).toEqual({ percent: 0, off: 'the flag is Off in LaunchDarkly' });
  });

  it('says what the service refused', async () => {
    ld.create('default', 'k');
    await expect(new LaunchDarklyProvider(ld.url, 'default', 'staging', 'k', ld.token).read()).rejects.toThrow(
      /has no environment staging/,
    );
    await expect(new LaunchDarklyProvider(ld.url, 'default', 'production', 'k', 'wrong').read()).rejects.toThrow(
      /HTTP 401/,
    );
  });
});

describe('webhook provider', () => {
  it('POSTs {flag, percent, release}; 2xx is applied, anything else an error', async () => {
    let status = 204;
    const hook = await peer(() => ({ status }));
    try {
      const p = new WebhookProvider(`${hook.url}/flags`, 'summarizer-v2', 'abc123', 'secret', 10);
      expect(await p.read()).toEqual({ percent: 10 });
      await p.write(50);
      expect(JSON.parse(hook.seen[0]!.body)).toEqual({ flag: 'summarizer-v2', percent: 50, release: 'abc123' });
      expect(hook.seen[0]!.headers.authorization).toBe('Bearer secret');
      status = 500;
      await expect(p.write(100)).rejects.toThrow(/HTTP 500/);
      expect(await p.read()).toEqual({ percent: 50 }); // the last applied
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
        canary: { requests: 100, counts: { error: 1 }, means: { latency_ms: 900 }, sds: {} },
        control: { requests: 1000, counts: { error: 9 }, means: { latency_ms: 880 }, sds: {} },
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
