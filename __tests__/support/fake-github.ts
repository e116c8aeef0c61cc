/**
 * A loopback GitHub API for tests: every REST request is checked against GitHub's published
 * OpenAPI description (@octokit/openapi: the route exists, path parameters have the right type,
 * the JSON body matches the operation's request schema), every GraphQL query is validated against
 * GitHub's published GraphQL schema (@octokit/graphql-schema) and executed on the state below. It
 * answers what the gate uses, can be told to fail (403, 404, 422, 429 with retry-after, 5xx), and
 * records every request.
 */
import type { Ajv as AjvType, ValidateFunction } from 'ajv';
import { buildSchema, graphql, parse, validate, type GraphQLSchema } from 'graphql';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
// CommonJS packages, loaded the CommonJS way (their default exports do not survive ESM interop).
const { Ajv } = require('ajv') as { Ajv: new (opts: object) => AjvType };
const addFormats = require('ajv-formats') as (ajv: AjvType) => void;

interface Operation {
  method: string;
  template: string;
  regex: RegExp;
  params: string[];
  operation: { parameters?: { name: string; in: string; schema?: { type?: string } }[]; requestBody?: unknown };
}

let cached: { operations: Operation[]; ajv: AjvType; schema: GraphQLSchema } | undefined;

function load() {
  if (cached) return cached;
  const spec = JSON.parse(readFileSync(require.resolve('@octokit/openapi/generated/api.github.com.json'), 'utf8')) as {
    paths: Record<string, Record<string, Operation['operation']>>;
    components: {
      parameters: Record<string, { name: string; in: string; schema?: { type?: string } }>;
      [k: string]: unknown;
    };
  };
  // Parameters shared through components are referenced: resolve them so every name is known.
  for (const methods of Object.values(spec.paths)) {
    for (const op of Object.values(methods)) {
      if (!Array.isArray(op?.parameters)) continue;
      op.parameters = op.parameters.map((p) => {
        const ref = (p as { $ref?: string }).$ref;
        return ref ? spec.components.parameters[ref.split('/').pop()!]! : p;
      });
    }
  }
  const operations: Operation[] = [];
  for (const [template, methods] of Object.entries(spec.paths)) {
    const params = [...template.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!);
    const regex = new RegExp(
      `^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{[^}]+\\?\}/g, '([^/]+)')}$`,
    );
    for (const [method, operation] of Object.entries(methods)) {
      if (['get', 'post', 'put', 'patch', 'delete'].includes(method))
        operations.push({ method: method.toUpperCase(), template, regex, params, operation });
    }
  }
  // OpenAPI 3.0's `nullable` without a `type` (next to a oneOf or $ref) is not JSON Schema: drop it there.
  const clean = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(clean);
    else if (node && typeof node === 'object') {
      const o = node as Record<string, unknown>;
      if ('nullable' in o && !('type' in o)) delete o.nullable;
      Object.values(o).forEach(clean);
    }
  };
  clean(spec.paths);
  clean(spec.components);
  const ajv = new Ajv({ strict: false, validateSchema: false, allErrors: true });
  addFormats(ajv);
  ajv.addSchema(spec, 'gh');
  // The package's exports map offers ESM only; its SDL file sits beside it in node_modules.
  const sdl = readFileSync(
    path.resolve(
      path.dirname(fileURLToPath(import.meta.url)),
      '../../node_modules/@octokit/graphql-schema/schema.graphql',
    ),
    'utf8',
  );
  // The published SDL repeats two fields of one type; the schema is otherwise GitHub's own.
  const schema = buildSchema(sdl, { assumeValidSDL: true });
  cached = { operations, ajv, schema };
  return cached;
}

export interface RecordedRequest {
  method: string;
  path: string;
  route: string;
  body: unknown;
  headers: http.IncomingHttpHeaders;
}

export interface Fault {
  method: string;
  /** Matched against the OpenAPI route template, e.g. /repos/{owner}/{repo}/check-runs, or 'graphql'. */
  route: string;
  status: number;
  headers?: Record<string, string>;
  /** How many times to fail (default: always). */
  times?: number;
  /** hang: accept and never answer; trickle: send the headers, then a byte a second, never finishing. */
  mode?: 'hang' | 'trickle';
  /** Carry the request out, then answer with the fault (the answer was lost, the change was made). */
  applied?: boolean;
  /** Let this many matching requests through before failing. */
  after?: number;
}

export interface Comment {
  id: number;
  body: string;
  /** Written by the token in use (the viewer). */
  mine: boolean;
  /** Another author's login (when not mine). */
  author?: string;
}

/** Who the token in use writes as. */
export const VIEWER = 'github-actions[bot]';

export class FakeGitHub {
  readonly requests: RecordedRequest[] = [];
  /** Requests GitHub's API description does not allow (each a message); tests expect none. */
  readonly violations: string[] = [];
  readonly checkRuns = new Map<number, Record<string, unknown> & { annotations: unknown[] }>();
  readonly comments: Comment[] = [];
  /** `${sha}:${path}` -> file text. */
  readonly files = new Map<string, string>();
  readonly owners = new Map<string, 'User' | 'Organization'>();
  readonly environments = new Map<string, number>();
  /**
   * GraphQL fields that answer with an error in GitHub's shape ({ type, message, path } next to the
   * rest of `data`): 'repository', 'object', 'environment', 'pullRequest', 'repositoryOwner', or
   * 'comments-page-2' for the second page of comments.
   */
  readonly graphqlErrors = new Map<string, { type: string; message: string }>();
  /** Set: the next GraphQL request is answered 200 with this body, whatever it asked (then cleared). */
  graphqlBody?: unknown;
  readonly deployments: {
    id: number;
    created_at: string;
    sha: string;
    environment: string;
    task: string;
    payload: unknown;
    statuses: { state: string; description: string; created_at: string }[];
  }[] = [];
  /** Files on branches, for the Contents API: `${branch}:${path}` -> text. */
  readonly branchFiles = new Map<string, string>();
  readonly issues: { title: string; body: string }[] = [];
  /** Comments added to issues (alert updates), apart from the PR's sticky-comment thread. */
  readonly issueComments: { issue: number; body: string }[] = [];
  /** The branch's history, newest first: each Contents API write adds a commit. */
  readonly commits: { sha: string; message: string; files: string[] }[] = [];
  /** The branch's newest commit (what GITHUB_SHA is on a schedule). */
  head(): string {
    return this.commits[0]!.sha;
  }
  /** `${sha}` -> check runs on that commit (name, conclusion). */
  readonly commitChecks = new Map<string, { name: string; conclusion: string }[]>();
  /** Make everything recorded so far `minutes` older (a rollout's bake time passes in a test). */
  age(minutes: number): void {
    const older = (t: string) => new Date(Date.parse(t) - minutes * 60_000).toISOString();
    for (const d of this.deployments) {
      d.created_at = older(d.created_at);
      for (const st of d.statuses) st.created_at = older(st.created_at);
    }
  }
  private faults: Fault[] = [];
  private server?: http.Server;
  private nextId = 1000;
  private query = new URLSearchParams();
  url = '';

  constructor(
    readonly owner = 'acme',
    readonly repo = 'support',
  ) {
    load();
  }

  fail(f: Fault): void {
    this.faults.push({ ...f });
  }

  async start(): Promise<string> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        this.handle(req, Buffer.concat(chunks).toString('utf8'))
          .then(({ status, body, headers, mode }) => {
            if (mode === 'hang') return;
            if (mode === 'trickle') {
              res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
              res.write('{');
              const timer = setInterval(() => res.write(' '), 1000);
              res.on('close', () => clearInterval(timer));
              return;
            }
            res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
            res.end(body === undefined ? '' : JSON.stringify(body));
          })
          .catch((err: Error) => {
            this.violations.push(`fake server error: ${err.stack}`);
            res.writeHead(500);
            res.end('{}');
          });
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  /** Requests made, by route ('graphql' for the GraphQL endpoint). */
  count(method?: string, route?: string): number {
    return this.requests.filter((r) => (!method || r.method === method) && (!route || r.route === route)).length;
  }

  private async handle(
    req: http.IncomingMessage,
    raw: string,
  ): Promise<{ status: number; body?: unknown; headers?: Record<string, string>; mode?: Fault['mode'] }> {
    const url = new URL(req.url ?? '/', 'http://x');
    const method = req.method ?? 'GET';
    let body: unknown;
    try {
      body = raw ? JSON.parse(raw) : undefined;
    } catch {
      this.violations.push(`${method} ${url.pathname}: body is not JSON`);
      return { status: 400, body: { message: 'Problems parsing JSON' } };
    }
    if (!req.headers.authorization?.match(/^(token|bearer) /i))
      this.violations.push(`${method} ${url.pathname}: no Authorization header`);
    if (!req.headers['user-agent']?.startsWith('llm-release-gate/'))
      this.violations.push(`${method} ${url.pathname}: user agent ${req.headers['user-agent']}`);

    if (method === 'POST' && url.pathname === '/graphql') {
      this.requests.push({ method, path: url.pathname, route: 'graphql', body, headers: req.headers });
      const fault = this.fault(method, 'graphql');
      if (fault) return fault;
      if (this.graphqlBody !== undefined) {
        const body = this.graphqlBody;
        this.graphqlBody = undefined;
        return { status: 200, body };
      }
      return { status: 200, body: await this.graphql(body as { query: string; variables?: Record<string, unknown> }) };
    }

    const { operations, ajv } = load();
    const op = operations.find((o) => o.method === method && o.regex.test(url.pathname));
    if (!op) {
      this.violations.push(`${method} ${url.pathname}: no such operation in GitHub's API description`);
      return { status: 404, body: { message: 'Not Found' } };
    }
    this.requests.push({ method, path: url.pathname, route: op.template, body, headers: req.headers });
    const values = op.regex.exec(url.pathname)!.slice(1).map(decodeURIComponent);
    const params = Object.fromEntries(op.params.map((p, i) => [p, values[i]!]));
    for (const p of op.operation.parameters ?? []) {
      if (p.in === 'path' && p.schema?.type === 'integer' && !/^\d+$/.test(params[p.name] ?? ''))
        this.violations.push(
          `${method} ${op.template}: path parameter ${p.name} must be an integer, got ${params[p.name]}`,
        );
    }
    for (const key of url.searchParams.keys()) {
      if (!(op.operation.parameters ?? []).some((p) => p.in === 'query' && p.name === key))
        this.violations.push(`${method} ${op.template}: unknown query parameter ${key}`);
    }
    if (op.operation.requestBody) {
      const pointer = `gh#/paths/${op.template.replace(/~/g, '~0').replace(/\//g, '~1')}/${method.toLowerCase()}/requestBody/content/application~1json/schema`;
      const check: ValidateFunction = ajv.getSchema(pointer) ?? ajv.compile({ $ref: pointer });
      if (!check(body))
        this.violations.push(
          `${method} ${op.template}: body does not match the API description: ${ajv.errorsText(check.errors)}`,
        );
    }
    const fault = this.fault(method, op.template);
    this.query = url.searchParams;
    if (fault?.applied) this.respond(method, op.template, params, body as Record<string, unknown>);
    if (fault) return fault;
    return this.respond(method, op.template, params, body as Record<string, unknown>);
  }

  private fault(method: string, route: string) {
    const f = this.faults.find(
      (x) => x.method === method && x.route === route && (x.times === undefined || x.times > 0),
    );
    if (!f) return undefined;
    if (f.after) {
      f.after -= 1;
      return undefined;
    }
    if (f.times !== undefined) f.times -= 1;
    return {
      status: f.status,
      mode: f.mode,
      applied: f.applied,
      headers: f.headers,
      body: { message: `fake ${f.status}`, documentation_url: 'https://docs.github.com/rest' },
    };
  }

  private respond(method: string, route: string, params: Record<string, string>, body: Record<string, unknown>) {
    const html = (p: string) => `https://github.com/${this.owner}/${this.repo}${p}`;
    switch (`${method} ${route}`) {
      case 'POST /repos/{owner}/{repo}/check-runs': {
        const id = this.nextId++;
        const run = { ...body, id, annotations: [] as unknown[], html_url: html(`/runs/${id}`) };
        this.checkRuns.set(id, run);
        return {
          status: 201,
          body: {
            id,
            head_sha: body.head_sha,
            name: body.name,
            status: body.status,
            html_url: run.html_url,
            app: { slug: 'github-actions' },
          },
        };
      }
      case 'PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}': {
        const run = this.checkRuns.get(Number(params.check_run_id));
        if (!run) return { status: 404, body: { message: 'Not Found' } };
        const output = (body.output ?? {}) as { annotations?: unknown[] };
        run.annotations.push(...(output.annotations ?? []));
        Object.assign(run, { ...body, annotations: run.annotations, output: { ...(run.output as object), ...output } });
        return {
          status: 200,
          body: { id: run.id, html_url: run.html_url, status: run.status, conclusion: run.conclusion },
        };
      }
      case 'POST /repos/{owner}/{repo}/issues/{issue_number}/comments': {
        const id = this.nextId++;
        this.issueComments.push({ issue: Number(params.issue_number), body: String(body.body) });
        this.comments.push({ id, body: String(body.body), mine: true });
        return {
          status: 201,
          body: {
            id,
            body: body.body,
            html_url: html(`/pull/${params.issue_number}#issuecomment-${id}`),
            user: { login: VIEWER, type: 'Bot' },
          },
        };
      }
      case 'DELETE /repos/{owner}/{repo}/issues/comments/{comment_id}': {
        const i = this.comments.findIndex((x) => x.id === Number(params.comment_id));
        if (i < 0) return { status: 404, body: { message: 'Not Found' } };
        this.comments.splice(i, 1);
        return { status: 204 };
      }
      case 'PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}': {
        const c = this.comments.find((x) => x.id === Number(params.comment_id));
        if (!c) return { status: 404, body: { message: 'Not Found' } };
        c.body = String(body.body);
        return { status: 200, body: { id: c.id, body: c.body, html_url: html(`/pull/1#issuecomment-${c.id}`) } };
      }
    }
    const query = this.query;
    switch (`${method} ${route}`) {
      case 'GET /repos/{owner}/{repo}/issues/{issue_number}/comments': {
        const perPage = Number(query.get('per_page') ?? 30);
        const page = Number(query.get('page') ?? 1);
        const slice = this.comments.slice((page - 1) * perPage, page * perPage);
        const last = Math.max(1, Math.ceil(this.comments.length / perPage));
        const link = `<${this.url}/repos/${this.owner}/${this.repo}/issues/${params.issue_number}/comments?per_page=${perPage}&page=${page + 1}>; rel="next"`;
        return {
          status: 200,
          headers: (page < last ? { link } : {}) as Record<string, string>,
          body: slice.map((c) => ({
            id: c.id,
            body: c.body,
            html_url: html(`/pull/${params.issue_number}#issuecomment-${c.id}`),
            user: { login: c.mine ? VIEWER : (c.author ?? 'someone'), type: c.mine ? 'Bot' : 'User' },
          })),
        };
      }
      case 'GET /repos/{owner}/{repo}/deployments': {
        const list = this.deployments
          .filter(
            (d) =>
              (!query.get('environment') || d.environment === query.get('environment')) &&
              (!query.get('task') || d.task === query.get('task')),
          )
          .reverse()
          .slice(0, Number(query.get('per_page') ?? 30));
        return {
          status: 200,
          body: list.map((d) => ({
            id: d.id,
            created_at: d.created_at,
            sha: d.sha,
            environment: d.environment,
            task: d.task,
            payload: d.payload,
          })),
        };
      }
      case 'POST /repos/{owner}/{repo}/deployments': {
        const id = this.nextId++;
        this.deployments.push({
          id,
          created_at: new Date().toISOString(),
          sha: String(body.ref),
          environment: String(body.environment),
          task: String(body.task),
          payload: body.payload,
          statuses: [],
        });
        return {
          status: 201,
          body: { id, sha: body.ref, environment: body.environment, task: body.task, payload: body.payload },
        };
      }
      case 'GET /repos/{owner}/{repo}/deployments/{deployment_id}/statuses': {
        const d = this.deployments.find((x) => x.id === Number(params.deployment_id));
        if (!d) return { status: 404, body: { message: 'Not Found' } };
        const perPage = Number(query.get('per_page') ?? 30);
        const page = Number(query.get('page') ?? 1);
        const newestFirst = [...d.statuses].reverse();
        const link = `<${this.url}/repos/${this.owner}/${this.repo}/deployments/${d.id}/statuses?per_page=${perPage}&page=${page + 1}>; rel="next"`;
        return {
          status: 200,
          headers: (page * perPage < newestFirst.length ? { link } : {}) as Record<string, string>,
          body: newestFirst.slice((page - 1) * perPage, page * perPage),
        };
      }
      case 'POST /repos/{owner}/{repo}/deployments/{deployment_id}/statuses': {
        const d = this.deployments.find((x) => x.id === Number(params.deployment_id));
        if (!d) return { status: 404, body: { message: 'Not Found' } };
        const st = {
          state: String(body.state),
          description: String(body.description ?? ''),
          created_at: new Date().toISOString(),
        };
        d.statuses.push(st);
        return { status: 201, body: st };
      }
      case 'GET /repos/{owner}/{repo}/commits/{ref}/check-runs': {
        if (query.get('status') === 'in_progress') {
          const open = [...this.checkRuns.values()].filter(
            (r) => r.head_sha === params.ref && r.status === 'in_progress' && r.name === query.get('check_name'),
          );
          return {
            status: 200,
            body: {
              total_count: open.length,
              check_runs: open.map((r) => ({
                id: r.id,
                name: r.name,
                status: r.status,
                conclusion: null,
                external_id: r.external_id ?? null,
                html_url: r.html_url,
              })),
            },
          };
        }
        const runs = (this.commitChecks.get(params.ref!) ?? []).filter(
          (r) => !query.get('check_name') || r.name === query.get('check_name'),
        );
        return {
          status: 200,
          body: {
            total_count: runs.length,
            check_runs: runs.map((r, i) => ({
              id: i + 1,
              name: r.name,
              status: 'completed',
              conclusion: r.conclusion,
            })),
          },
        };
      }
      case 'GET /repos/{owner}/{repo}/contents/{path}': {
        const key = `${query.get('ref') ?? 'main'}:${params.path}`;
        const text = this.branchFiles.get(key);
        if (text === undefined) return { status: 404, body: { message: 'Not Found' } };
        return {
          status: 200,
          body: {
            type: 'file',
            path: params.path,
            sha: blobSha(text),
            encoding: 'base64',
            content: Buffer.from(text).toString('base64'),
          },
        };
      }
      case 'PUT /repos/{owner}/{repo}/contents/{path}': {
        const key = `${String(body.branch ?? 'main')}:${params.path}`;
        const current = this.branchFiles.get(key);
        if (current !== undefined && body.sha !== blobSha(current))
          return { status: 409, body: { message: `${params.path} does not match ${String(body.sha)}` } };
        if (current === undefined && body.sha) return { status: 422, body: { message: 'sha given for a new file' } };
        const text = Buffer.from(String(body.content), 'base64').toString('utf8');
        this.branchFiles.set(key, text);
        const commitSha = blobSha(`commit ${this.commits.length} ${text}`);
        this.commits.unshift({ sha: commitSha, message: String(body.message), files: [params.path!] });
        return {
          status: current === undefined ? 201 : 200,
          body: {
            content: { path: params.path, sha: blobSha(text) },
            commit: { sha: commitSha, message: body.message },
          },
        };
      }
      case 'GET /repos/{owner}/{repo}/commits': {
        // An unknown sha is a commit of its own (tests that do not model the history).
        const from = this.commits.findIndex((c) => c.sha === query.get('sha'));
        const list =
          from < 0
            ? [{ sha: String(query.get('sha')), message: 'a commit', files: ['src/app.ts'] }]
            : this.commits.slice(from, from + Number(query.get('per_page') ?? 30));
        return { status: 200, body: list.map((c) => ({ sha: c.sha, commit: { message: c.message } })) };
      }
      case 'GET /repos/{owner}/{repo}/commits/{ref}': {
        const c = this.commits.find((x) => x.sha === params.ref) ?? {
          sha: params.ref,
          message: 'a commit',
          files: ['src/app.ts'],
        };
        return {
          status: 200,
          body: { sha: c.sha, commit: { message: c.message }, files: c.files.map((filename) => ({ filename })) },
        };
      }
      case 'GET /repos/{owner}/{repo}/issues': {
        const open = this.issues
          .map((i, k) => ({ ...i, number: k + 1 }))
          .reverse()
          .slice(0, Number(query.get('per_page') ?? 30));
        return {
          status: 200,
          body: open.map((i) => ({
            number: i.number,
            title: i.title,
            state: 'open',
            html_url: html(`/issues/${i.number}`),
          })),
        };
      }
      case 'POST /repos/{owner}/{repo}/issues': {
        this.issues.push({ title: String(body.title), body: String(body.body ?? '') });
        return { status: 201, body: { number: this.issues.length, html_url: html(`/issues/${this.issues.length}`) } };
      }
    }
    this.violations.push(`${method} ${route}: the fake does not answer this (valid) route`);
    return { status: 501, body: { message: 'not implemented by the fake' } };
  }

  private async graphql({ query, variables }: { query: string; variables?: Record<string, unknown> }) {
    const { schema } = load();
    const errors = validate(schema, parse(query));
    if (errors.length > 0) {
      this.violations.push(`GraphQL query does not match GitHub's schema: ${errors.map((e) => e.message).join('; ')}`);
      return { errors: errors.map((e) => ({ message: e.message })) };
    }
    const rootValue = {
      repository: ({ owner, name }: { owner: string; name: string }) =>
        this.gqlError('repository') ??
        (owner !== this.owner || name !== this.repo
          ? null
          : {
              object: ({ expression }: { expression: string }) =>
                this.gqlError('object') ??
                (this.files.has(expression)
                  ? { __typename: 'Blob', text: this.files.get(expression), isTruncated: false }
                  : null),
              environment: ({ name: env }: { name: string }) =>
                this.gqlError('environment') ??
                (this.environments.has(env)
                  ? {
                      name: env,
                      protectionRules: () => ({
                        nodes:
                          this.environments.get(env)! > 0
                            ? [
                                {
                                  type: 'REQUIRED_REVIEWERS',
                                  reviewers: () => ({ totalCount: this.environments.get(env) }),
                                },
                              ]
                            : [],
                      }),
                    }
                  : null),
              pullRequest: () =>
                this.gqlError('pullRequest') ?? {
                  comments: ({ first, after }: { first: number; after?: string }) => {
                    const start = after ? Number(after) : 0;
                    if (start > 0 && this.graphqlErrors.has('comments-page-2')) return this.gqlError('comments-page-2');
                    const page = this.comments.slice(start, start + first);
                    return {
                      nodes: page.map((c) => ({
                        databaseId: c.id,
                        body: c.body,
                        url: `https://github.com/${this.owner}/${this.repo}/pull/1#issuecomment-${c.id}`,
                        viewerDidAuthor: c.mine,
                      })),
                      pageInfo: {
                        hasNextPage: start + first < this.comments.length,
                        endCursor: String(start + page.length),
                      },
                    };
                  },
                },
            }),
      repositoryOwner: ({ login }: { login: string }) =>
        this.gqlError('repositoryOwner') ?? (this.owners.has(login) ? { __typename: this.owners.get(login) } : null),
    };
    const result = await graphql({ schema, source: query, variableValues: variables, rootValue });
    if (!result.errors) return result;
    return {
      data: result.data,
      errors: result.errors.map((e) => ({
        type: (e.originalError as { type?: string } | undefined)?.type,
        path: e.path,
        locations: e.locations,
        message: e.message,
      })),
    };
  }

  /** A resolver's error, as GitHub reports one (graphql-js keeps the rest of `data`). */
  private gqlError(field: string): Error | undefined {
    const e = this.graphqlErrors.get(field);
    return e ? Object.assign(new Error(e.message), { type: e.type }) : undefined;
  }
}

function blobSha(text: string): string {
  let h = 0;
  for (let i = 0; i < text.length; i++) h = (Math.imul(h, 31) + text.charCodeAt(i)) >>> 0;
  return h.toString(16).padStart(8, '0').repeat(5);
}
