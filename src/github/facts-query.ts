import type { GitHubClient } from './client.js';
import type { ExistingComment } from './gate-api.js';

/** What the readiness bars ask GitHub, for the values a config names. */
export interface FactQuestions {
  /** Read this file at this commit (the config at the base commit). */
  fileAt?: { sha: string; path: string };
  /** Does this file exist at this commit (the deploy workflow)? */
  existsAt?: { sha: string; path: string };
  /** Is this login a person? */
  login?: string;
  /** Does this environment require reviewers? */
  environment?: string;
  /** The pull request whose comments hold the sticky comment. */
  pullNumber?: number;
  /** Read the baseline results at a ref (evals.baseline: { ref, path }). */
  baselineAt?: { ref: string; path: string };
}

export interface Facts {
  /** The file's text; null when it does not exist at that commit. */
  fileAt?: string | null;
  existsAt?: boolean;
  /** 'User', 'Organization', or null when no account has that login. */
  ownerKind?: 'User' | 'Organization' | null;
  /** null when the environment does not exist. */
  environment?: { reviewers: number } | null;
  comments?: ExistingComment[];
  /** The baseline's text; null when it is not at that ref; undefined when too large for the API. */
  baselineAt?: string | null;
  /** Facts that were asked but GitHub did not answer (a FORBIDDEN, a rate limit, a failed page): why. */
  unanswered: Partial<Record<FactName, string>>;
}

export type FactName = 'fileAt' | 'existsAt' | 'ownerKind' | 'environment' | 'comments' | 'baselineAt';

/** A GraphQL error as GitHub writes it: `type` (FORBIDDEN, NOT_FOUND, RATE_LIMITED, …) and the field path. */
interface GraphqlError {
  type?: string;
  message: string;
  path?: (string | number)[];
}

/** The query's aliases and the facts they answer. */
const FIELD_FACT: Record<string, FactName> = {
  file: 'fileAt',
  baseline: 'baselineAt',
  exists: 'existsAt',
  environment: 'environment',
  pullRequest: 'comments',
  owner: 'ownerKind',
};

/**
 * A GraphQL answer with its errors kept apart: @octokit/graphql throws on any error even when
 * `data` is there; the data is kept and only the errored fields are unknown.
 */
async function partial<T>(run: () => Promise<T>): Promise<{ data: T | null; errors: GraphqlError[] }> {
  try {
    return { data: await run(), errors: [] };
  } catch (err) {
    const e = err as { name?: string; data?: T | null; errors?: GraphqlError[] };
    if (e.name !== 'GraphqlResponseError' || !Array.isArray(e.errors)) throw err;
    return { data: e.data ?? null, errors: e.errors };
  }
}

/** Which facts an error leaves unknown (NOT_FOUND on an optional fact is an answer: it does not exist). */
function erroredFacts(
  errors: readonly GraphqlError[],
  asked: readonly FactName[],
): { unknown: Map<FactName, string>; notFound: Set<FactName> } {
  const unknown = new Map<FactName, string>();
  const notFound = new Set<FactName>();
  for (const e of errors) {
    const why = `GitHub answered ${e.type ?? 'an error'}: ${e.message}`;
    const field = e.path?.[0] === 'repository' ? e.path[1] : e.path?.[0];
    const fact = typeof field === 'string' ? FIELD_FACT[field] : undefined;
    const hit = fact ? [fact] : asked; // an error on the repository itself, or without a path, leaves everything unknown
    for (const f of hit) {
      if (e.type === 'NOT_FOUND' && fact && (f === 'environment' || f === 'ownerKind')) notFound.add(f);
      else if (!unknown.has(f)) unknown.set(f, why);
    }
  }
  return { unknown, notFound };
}

const FACTS_QUERY = /* GraphQL */ `
  query Facts(
    $owner: String!
    $repo: String!
    $fileExpr: String!
    $withFile: Boolean!
    $existsExpr: String!
    $withExists: Boolean!
    $login: String!
    $withLogin: Boolean!
    $env: String!
    $withEnv: Boolean!
    $pr: Int!
    $withPr: Boolean!
    $after: String
    $baselineExpr: String!
    $withBaseline: Boolean!
  ) {
    repository(owner: $owner, name: $repo) {
      file: object(expression: $fileExpr) @include(if: $withFile) {
        ... on Blob {
          text
          isTruncated
        }
      }
      baseline: object(expression: $baselineExpr) @include(if: $withBaseline) {
        ... on Blob {
          text
          isTruncated
        }
      }
      exists: object(expression: $existsExpr) @include(if: $withExists) {
        __typename
      }
      environment(name: $env) @include(if: $withEnv) {
        name
        protectionRules(first: 20) {
          nodes {
            type
            reviewers(first: 1) {
              totalCount
            }
          }
        }
      }
      pullRequest(number: $pr) @include(if: $withPr) {
        comments(first: 100, after: $after) {
          nodes {
            databaseId
            body
            url
            viewerDidAuthor
          }
          pageInfo {
            hasNextPage
            endCursor
          }
        }
      }
    }
    owner: repositoryOwner(login: $login) @include(if: $withLogin) {
      __typename
    }
  }
`;

interface FactsResponse {
  repository: {
    file?: { text?: string; isTruncated?: boolean } | null;
    baseline?: { text?: string; isTruncated?: boolean } | null;
    exists?: { __typename: string } | null;
    environment?: {
      name: string;
      protectionRules: { nodes: { type: string; reviewers: { totalCount: number } }[] };
    } | null;
    pullRequest?: {
      comments: {
        nodes: { databaseId: number; body: string; url: string; viewerDidAuthor: boolean }[];
        pageInfo: { hasNextPage: boolean; endCursor: string | null };
      };
    } | null;
  } | null;
  owner?: { __typename: 'User' | 'Organization' } | null;
}

/** One GraphQL read for everything the gate asks (more pages only past 100 PR comments), partial answers kept. */
export async function askFacts(client: GitHubClient, owner: string, name: string, q: FactQuestions): Promise<Facts> {
  const vars = {
    owner,
    repo: name,
    fileExpr: q.fileAt ? `${q.fileAt.sha}:${q.fileAt.path}` : '',
    withFile: Boolean(q.fileAt),
    existsExpr: q.existsAt ? `${q.existsAt.sha}:${q.existsAt.path}` : '',
    withExists: Boolean(q.existsAt),
    login: q.login?.replace(/^@/, '') ?? '',
    withLogin: Boolean(q.login),
    env: q.environment ?? '',
    withEnv: Boolean(q.environment),
    pr: q.pullNumber ?? 0,
    withPr: q.pullNumber !== undefined,
    after: null as string | null,
    baselineExpr: q.baselineAt ? `${q.baselineAt.ref}:${q.baselineAt.path}` : '',
    withBaseline: Boolean(q.baselineAt),
  };
  const asked = (
    [
      [q.fileAt, 'fileAt'],
      [q.existsAt, 'existsAt'],
      [q.login, 'ownerKind'],
      [q.environment, 'environment'],
      [q.pullNumber, 'comments'],
      [q.baselineAt, 'baselineAt'],
    ] as const
  )
    .filter(([question]) => question !== undefined)
    .map(([, name]) => name);
  const answer = await partial(() => client.graphql<FactsResponse>(FACTS_QUERY, vars));
  const { unknown, notFound } = erroredFacts(answer.errors, asked);
  // A body that is not the answer asked for (cut short, trickled, garbled) answers nothing: never read
  // a missing field as "absent".
  const shapeError = malformed(answer.data, asked);
  if (shapeError) for (const f of asked) if (!unknown.has(f)) unknown.set(f, shapeError);
  const repo = answer.data?.repository;
  const facts: Facts = { unanswered: Object.fromEntries(unknown) };
  const known = (f: FactName) => asked.includes(f) && !unknown.has(f) && facts.unanswered[f] === undefined;
  // Each field is read strictly: null is an answer ("not there"); a missing field, a repository that
  // is null without an error, or a value of the wrong shape answers nothing (unknown, never "absent").
  const unshaped = (f: FactName) =>
    facts.unanswered[f] ?? (facts.unanswered[f] = 'GitHub’s answer did not have the expected shape');
  const blob = (v: unknown): { text: string; isTruncated: boolean } | null | undefined =>
    v === null
      ? null
      : isObject(v) && typeof v.text === 'string'
        ? (v as { text: string; isTruncated: boolean })
        : undefined;
  const field = (name: string): { value: unknown } | undefined =>
    isObject(repo) && name in repo ? { value: (repo as Record<string, unknown>)[name] } : undefined;
  if (known('fileAt')) {
    const f = field('file');
    const b = f && blob(f.value);
    if (!f || b === undefined) unshaped('fileAt');
    else if (b?.isTruncated)
      facts.unanswered.fileAt = `${q.fileAt!.path} at ${q.fileAt!.sha} is too large to read through the API`;
    else facts.fileAt = b ? b.text : null;
  }
  if (known('existsAt')) {
    const f = field('exists');
    if (!f || (f.value !== null && !isObject(f.value))) unshaped('existsAt');
    else facts.existsAt = f.value !== null;
  }
  // A blob too large for the API reads as unknown: git show in the checkout is tried instead.
  if (known('baselineAt')) {
    const f = field('baseline');
    const b = f && blob(f.value);
    facts.baselineAt = b === null ? null : b && !b.isTruncated ? b.text : undefined;
  }
  if (notFound.has('ownerKind')) facts.ownerKind = null;
  else if (known('ownerKind')) {
    const owner = answer.data?.owner;
    if (owner === null) facts.ownerKind = null;
    else if (owner?.__typename === 'User' || owner?.__typename === 'Organization') facts.ownerKind = owner.__typename;
    else unshaped('ownerKind');
  }
  if (notFound.has('environment')) facts.environment = null;
  else if (known('environment')) {
    const f = field('environment');
    const env = f?.value as FactsResponse['repository'] extends infer R
      ? R extends { environment?: infer E }
        ? E
        : never
      : never;
    if (!f || (env !== null && !Array.isArray(env?.protectionRules?.nodes))) unshaped('environment');
    else
      facts.environment = env
        ? {
            reviewers: env.protectionRules.nodes
              .filter((r) => r.type === 'REQUIRED_REVIEWERS')
              .reduce((n, r) => n + (r.reviewers?.totalCount ?? 0), 0),
          }
        : null;
  }
  if (known('comments') && !isObject(field('pullRequest')?.value)) unshaped('comments');
  if (known('comments')) {
    const comments: ExistingComment[] = [];
    let page = repo?.pullRequest?.comments;
    while (page) {
      for (const c of page.nodes)
        comments.push({ id: c.databaseId, body: c.body, url: c.url, mine: c.viewerDidAuthor });
      if (!page.pageInfo.hasNextPage) break;
      const next = await partial(() =>
        client.graphql<FactsResponse>(FACTS_QUERY, {
          ...vars,
          withFile: false,
          withExists: false,
          withLogin: false,
          withEnv: false,
          withBaseline: false,
          after: page!.pageInfo.endCursor,
        }),
      );
      // A later page that fails leaves the comments unknown: never create a second sticky comment.
      if (next.errors.length > 0 || !next.data?.repository?.pullRequest) {
        facts.unanswered.comments = `a later page of comments could not be read (${next.errors[0]?.message ?? 'no data'})`;
        return facts;
      }
      page = next.data.repository.pullRequest.comments;
    }
    facts.comments = comments;
  }
  return facts;
}

/** Why a GraphQL `data` is not an answer to the facts asked (undefined when it is one). */
function malformed(data: unknown, asked: readonly FactName[]): string | undefined {
  if (typeof data !== 'object' || data === null || Array.isArray(data))
    return 'GitHub answered with something that is not a GraphQL answer';
  const needsRepository = asked.some((f) => f !== 'ownerKind');
  if (needsRepository && !('repository' in data)) return 'GitHub’s answer lacks the repository';
  if (asked.includes('ownerKind') && !('owner' in data)) return 'GitHub’s answer lacks the owner';
  return undefined;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
