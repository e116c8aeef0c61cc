import { createHash, randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

interface Variation {
  _id: string;
  value: unknown;
}
interface Environment {
  on: boolean;
  offVariation: number;
  fallthrough: { variation?: number; rollout?: { variations: { variation: number; weight: number }[] } };
  rules: { _id: string; clauses: unknown[]; variation: number }[];
  _version: number;
}
interface Flag {
  key: string;
  salt: string;
  variations: Variation[];
  environments: Record<string, Environment>;
}

/**
 * A LaunchDarkly stand-in that behaves as the service does where the rollout depends on it: a new
 * boolean flag is Off (it serves its off variation to everyone) with fallthrough `true`; PATCH takes
 * only semantic patches (the content type, an environmentKey, known instruction kinds, weights keyed
 * by variation _id summing to 100000) and applies them all or none; evaluation buckets users the way
 * the SDKs do (SHA-1 of key.salt.user).
 */
export class FakeLaunchDarkly {
  readonly flags = new Map<string, Flag>();
  readonly patches: unknown[] = [];
  private server?: http.Server;
  url = '';

  constructor(readonly token = 'api-test-key') {}

  create(project: string, key: string, environment = 'production'): Flag {
    const flag: Flag = {
      key,
      salt: randomUUID(),
      variations: [
        { _id: randomUUID(), value: true },
        { _id: randomUUID(), value: false },
      ],
      environments: {
        [environment]: {
          on: false,
          offVariation: 1,
          fallthrough: { variation: 0 },
          rules: [
            {
              _id: randomUUID(),
              clauses: [{ attribute: 'email', op: 'endsWith', values: ['@acme.test'] }],
              variation: 0,
            },
          ],
          _version: 1,
        },
      },
    };
    this.flags.set(`${project}/${key}`, flag);
    return flag;
  }

  /** The share of `n` users the flag serves `true` to (no rule matches them). */
  served(project: string, key: string, n: number, environment = 'production'): number {
    const flag = this.flags.get(`${project}/${key}`)!;
    const env = flag.environments[environment]!;
    let on = 0;
    for (let i = 0; i < n; i++) {
      let variation = env.offVariation;
      if (env.on) {
        const ft = env.fallthrough;
        if (ft.rollout) {
          const h = createHash('sha1').update(`${key}.${flag.salt}.user-${i}`).digest('hex').slice(0, 15);
          const bucket = parseInt(h, 16) / 2 ** 60; // 15 hex digits, as the SDKs scale them
          let sum = 0;
          variation = ft.rollout.variations.at(-1)!.variation;
          for (const v of ft.rollout.variations) {
            sum += v.weight / 100_000;
            if (bucket < sum) {
              variation = v.variation;
              break;
            }
          }
        } else variation = ft.variation!;
      }
      if (flag.variations[variation]!.value === true) on += 1;
    }
    return (100 * on) / n;
  }

  async start(): Promise<void> {
    this.server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        const out = this.handle(req, body);
        res.writeHead(out.status, { 'content-type': 'application/json' }).end(JSON.stringify(out.body));
      });
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  stop(): Promise<void> {
    return new Promise((r) => this.server?.close(() => r()));
  }

  private handle(req: http.IncomingMessage, body: string): { status: number; body: unknown } {
    const bad = (message: string) => ({ status: 400, body: { code: 'invalid_request', message } });
    if (req.headers.authorization !== this.token) return { status: 401, body: { code: 'unauthorized' } };
    const m = /^\/api\/v2\/flags\/([^/]+)\/([^/?]+)/.exec(req.url ?? '');
    const flag = m && this.flags.get(`${decodeURIComponent(m[1]!)}/${decodeURIComponent(m[2]!)}`);
    if (!flag) return { status: 404, body: { code: 'not_found' } };
    if (req.method === 'GET') return { status: 200, body: flag };
    if (req.method !== 'PATCH') return { status: 405, body: { code: 'method_not_allowed' } };
    if (req.headers['content-type'] !== 'application/json; domain-model=launchdarkly.semanticpatch')
      return bad('this stand-in takes semantic patches only');
    const patch = JSON.parse(body) as {
      environmentKey?: string;
      instructions?: { kind: string; [k: string]: unknown }[];
    };
    this.patches.push(patch);
    const env = patch.environmentKey ? flag.environments[patch.environmentKey] : undefined;
    if (!env) return bad('environmentKey is required and must name an environment of the flag');
    if (!Array.isArray(patch.instructions) || patch.instructions.length === 0) return bad('instructions are required');
    const next: Environment = structuredClone(env);
    for (const ins of patch.instructions) {
      if (ins.kind === 'turnFlagOn') next.on = true;
      else if (ins.kind === 'turnFlagOff') next.on = false;
      else if (ins.kind === 'updateFallthroughVariationOrRollout') {
        const weights = ins.rolloutWeights as Record<string, unknown> | undefined;
        if (!weights) return bad('rolloutWeights or variationId is required');
        const entries = Object.entries(weights);
        if (
          entries.some(
            ([id, w]) => !flag.variations.some((v) => v._id === id) || !Number.isInteger(w) || (w as number) < 0,
          )
        )
          return bad('rolloutWeights must map variation _ids to whole weights');
        if (entries.reduce((a, [, w]) => a + (w as number), 0) !== 100_000)
          return bad('rolloutWeights must sum to 100000');
        next.fallthrough = {
          rollout: {
            variations: entries.map(([id, w]) => ({
              variation: flag.variations.findIndex((v) => v._id === id),
              weight: w as number,
            })),
          },
        };
      } else return bad(`unknown instruction kind ${ins.kind}`);
    }
    next._version += 1;
    flag.environments[patch.environmentKey!] = next;
    return { status: 200, body: flag };
  }
}
