import * as core from '@actions/core';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { configChanges } from '../config/diff.js';
import { loadConfigFile, runGate, type GateOutcome } from '../engine/run-gate.js';
import { githubTick, PromoteRefused } from '../rollout/tick.js';
import { rolloutOf } from '../rollout/plan.js';
import { providerFor } from '../rollout/flags/index.js';
import { metricSourceFor } from '../rollout/sources/index.js';
import { renderRollout } from '../report/rollout.js';
import { ConfigurationError, describeError } from '../errors.js';
import type { GitHubFacts } from '../gate/decide.js';
import type { Verdict } from '../gate/verdict.js';
import { gitShow } from '../engine/git.js';
import { createClient } from '../github/client.js';
import { runContext, type RunContext } from '../github/context.js';
import { Publisher, RolloutPublisher, statusOf, type CheckAnnotation, type ExistingComment, type FactQuestions, type Facts } from '../github/gate-api.js';
import { readInputs, type Inputs } from './inputs.js';
import { annotationsFor, type Annotation } from '../report/annotations.js';
import { commentMarker, renderCheck, renderComment, renderJobSummary } from '../report/github.js';
import { cutBytes, LIMITS } from '../report/limits.js';
import { parse } from 'yaml';

const VERSION = '0.1.0';

/** The action: inputs -> load -> decide -> publish -> exit. The only place that touches the runner. */
export async function run(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  try {
    await gate(env);
  } catch (err) {
    // Whatever happened, never leave an `allow` behind.
    core.setOutput('decision', 'block');
    if (err instanceof ConfigurationError) {
      core.setFailed(describeError(err));
    } else {
      core.setFailed(
        `llm-release-gate failed unexpectedly (a bug in the action, not in your config): ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\nPlease report it with this log.`,
      );
    }
  }
}

const log = { debug: core.debug, info: core.info, warning: core.warning };

async function gate(env: NodeJS.ProcessEnv): Promise<void> {
  const inputs = readInputs((name) => core.getInput(name));
  setNoRolloutOutputs();
  const workspace = env.GITHUB_WORKSPACE || process.cwd();
  const ctx = runContext(env, await readEvent(env.GITHUB_EVENT_PATH));
  if (inputs.command !== 'gate') return rolloutCommand(inputs.command, inputs, ctx, workspace, env);
  const github = inputs.githubToken ? new GitHubSide(new Publisher(createClient(inputs.githubToken, ctx.apiUrl, log, VERSION), ctx.owner, ctx.repo), ctx, inputs) : undefined;
  if (!inputs.githubToken) core.info('github-token is empty: no GitHub API calls (the job summary, outputs and exit code still work).');

  await github?.startCheck();
  const local = await readLocal(workspace, inputs.config);
  const baseFile = inputs.configSource === 'base' && ctx.pullNumber !== undefined && ctx.baseSha ? { sha: ctx.baseSha, path: inputs.config } : undefined;
  // One query: the base config, the sticky comment, and the facts the local config asks about.
  const baseText = await github?.ask(local, baseFile);
  const { configText, notices } = await chooseConfig(inputs, ctx, workspace, baseFile, baseText, local);
  const facts = await github?.factsFor(configText ?? local);
  const outcome = await runGate({
    config: inputs.config,
    configText,
    results: inputs.results,
    baseline: inputs.baseline,
    cwd: workspace,
    commits: ctx.commits,
    github: facts,
    notices: [...notices, ...(github?.notices ?? [])],
  });
  const { verdict, loaded, invalidInput } = outcome;

  const verdictFile = path.join(env.RUNNER_TEMP || os.tmpdir(), 'llm-release-gate', 'verdict.json');
  await mkdir(path.dirname(verdictFile), { recursive: true });
  await writeFile(verdictFile, `${JSON.stringify(verdict, null, 2)}\n`);
  core.setOutput('decision', verdict.decision);
  core.setOutput('readiness', `${verdict.readiness.passed}/${verdict.readiness.total}`);
  core.setOutput('verdict-file', verdictFile);

  const onInconclusive = loaded?.config.evals?.statistics.on_inconclusive ?? 'warn';
  const all = annotationsFor(verdict, inputs.config, loaded?.lineOf ?? (() => undefined), onInconclusive, Infinity);
  const annotations = all.slice(0, LIMITS.maxAnnotations);
  const published = github ? await github.publish(outcome, annotations, all.length - annotations.length) : { checkRunUrl: '', commentUrl: '', annotated: false };
  core.setOutput('check-run-url', published.checkRunUrl);
  core.setOutput('comment-url', published.commentUrl);
  // Without a check run to carry them, annotations go out as workflow commands (the runner shows them).
  if (!published.annotated) for (const a of annotations) emitAnnotation(a);
  if (github) core.info(`GitHub API requests: ${github.publisher.requests}`);

  await writeSummary(verdict, env);
  core.info(`Decision: ${verdict.decision} (readiness ${verdict.readiness.passed}/${verdict.readiness.total}). Verdict: ${verdictFile}`);
  for (const r of verdict.reasons) core.info(`  - ${r}`);

  if (invalidInput) {
    core.setFailed(`llm-release-gate blocked: the ${loaded ? 'eval results' : 'config'} could not be used.\n${verdict.reasons.join('\n')}`);
  } else if (verdict.decision === 'block') {
    if (inputs.failOnBlock) core.setFailed(`llm-release-gate blocked this release:\n${verdict.reasons.map((r) => `- ${r}`).join('\n')}`);
    else core.warning(`llm-release-gate would block this release (report-only: fail-on-block is false).`);
  }
}

/** rollout / promote / rollback: one step of the staged rollout, recorded in a GitHub Deployment. */
async function rolloutCommand(command: 'rollout' | 'promote' | 'rollback', inputs: Inputs, ctx: RunContext, workspace: string, env: NodeJS.ProcessEnv): Promise<void> {
  if (!inputs.githubToken) {
    throw new ConfigurationError(`command: ${command} needs a token.`, [
      { file: 'workflow inputs', message: "Input 'github-token' is empty: a rollout records its state in a GitHub Deployment and commits the flag file; grant deployments: write, contents: write, issues: write, checks: read" },
    ]);
  }
  const loaded = await loadConfigFile(inputs.config, workspace);
  const rollout = rolloutOf(loaded);
  const now = new Date();
  const metrics = metricSourceFor(rollout, workspace, env, () => now);
  const gh = new RolloutPublisher(createClient(inputs.githubToken, ctx.apiUrl, log, VERSION), ctx.owner, ctx.repo);
  const release = env.GITHUB_SHA ?? ctx.headSha;
  const branch = env.GITHUB_REF_NAME || 'main';
  let result;
  try {
    result = await githubTick(loaded, gh, {
      release,
      branch,
      now,
      checkName: inputs.checkName,
      metrics,
      runUrl: ctx.runUrl,
      actor: env.GITHUB_ACTOR,
      provider: (applied) => providerFor(rollout, { gh, branch, release, env, applied }),
      gateInPlace: async () => (await runGate({ config: inputs.config, cwd: workspace, commits: ctx.commits })).verdict.decision === 'allow',
    }, command);
  } catch (err) {
    if (err instanceof PromoteRefused) throw new ConfigurationError(`promote refused: ${err.message}.`);
    throw err;
  }
  const d = result.decision;
  core.setOutput('rollout-action', d.action);
  core.setOutput('rollout-percent', String(d.percent));
  for (const w of d.warnings) core.warning(w);
  if (d.alert) core.warning(d.alert);
  core.info(`Rollout: ${d.action} → ${d.percent}%: ${d.reason}. Next: ${d.next}`);
  if (env.GITHUB_STEP_SUMMARY) await core.summary.addRaw(renderRollout(d, result.log, result.issueUrl, rollout.flag.key)).write();
}

/**
 * config-source: base. On a pull request the config comes from the base commit, so a PR cannot
 * loosen its own gate: through the API with a token, else `git show` when the checkout has the
 * commit, else (said plainly) the PR's own file.
 */
async function chooseConfig(
  inputs: Inputs,
  ctx: RunContext,
  workspace: string,
  baseFile: { sha: string; path: string } | undefined,
  fromApi: string | null | undefined,
  local: string | undefined,
): Promise<{ configText?: string; notices: string[] }> {
  if (!baseFile) return { notices: [] };
  const base = baseFile.sha;
  const text = fromApi !== undefined ? fromApi : await gitShow(base, inputs.config, workspace);
  if (text === null) {
    return { notices: [`The base branch has no ${inputs.config} yet: this pull request's own config was used (it adds the gate).`] };
  }
  if (text === undefined) {
    return { notices: [`The base branch's ${inputs.config} could not be read (no token, and the checkout lacks commit ${base.slice(0, 12)}): this pull request's own config was used. Check out with fetch-depth: 0 or pass github-token.`] };
  }
  const notices = [];
  if (local !== undefined && local !== text) {
    const changes = configChanges(text, local);
    notices.push(
      `This pull request changes ${inputs.config}${changes.length ? `: ${changes.join('; ')}` : ''}. The base branch's config was used: a pull request cannot loosen its own gate. The change takes effect once merged.`,
    );
  }
  return { configText: text, notices };
}

async function readLocal(workspace: string, file: string): Promise<string | undefined> {
  try {
    return await readFile(path.resolve(workspace, file), 'utf8');
  } catch {
    return undefined;
  }
}

/** Everything the action does through the GitHub API, degrading to the job summary on any failure. */
class GitHubSide {
  readonly notices: string[] = [];
  private check?: { id: number; url: string };
  private readOnly = false;
  /** The first query's questions and answers (reused when the config in use asks the same). */
  private asked?: { key: string; facts: Facts };
  private comments?: ExistingComment[];

  constructor(
    readonly publisher: Publisher,
    private readonly ctx: RunContext,
    private readonly inputs: Inputs,
  ) {}

  async startCheck(): Promise<void> {
    try {
      this.check = await this.publisher.createCheck(this.inputs.checkName, this.ctx.headSha, this.ctx.runUrl);
    } catch (err) {
      this.degrade('create the check run', err);
    }
  }

  /**
   * The first (usually only) read: the config at the base commit when asked for (null: not there;
   * undefined: the API could not say), the PR's comments, and the facts the local config asks about.
   */
  async ask(localText: string | undefined, baseFile?: { sha: string; path: string }): Promise<string | null | undefined> {
    const q = this.questions(localText);
    try {
      const facts = await this.publisher.facts({ ...q, fileAt: baseFile, pullNumber: this.commentPull() });
      this.asked = { key: JSON.stringify(q), facts };
      this.comments = facts.comments;
      return baseFile ? facts.fileAt : undefined;
    } catch (err) {
      this.warn('read from the GitHub API', err);
      return undefined;
    }
  }

  /** The facts for the config in use: the first answers when it asks the same, else one more query. */
  async factsFor(configText: string | undefined): Promise<GitHubFacts | undefined> {
    const q = this.questions(configText);
    let facts = this.asked?.key === JSON.stringify(q) ? this.asked.facts : undefined;
    if (!facts) {
      try {
        facts = await this.publisher.facts(q);
      } catch (err) {
        this.warn('ask GitHub about the owner, the environment and the deploy workflow', err);
        return undefined;
      }
    }
    return {
      ref: this.ctx.headSha,
      workflowExists: facts.existsAt,
      ownerKind: facts.ownerKind,
      environment: facts.environment,
      baseline: q.baselineAt ? { ...q.baselineAt, text: facts.baselineAt } : undefined,
    };
  }

  private questions(configText: string | undefined): FactQuestions {
    const cfg = safeYaml(configText);
    const tier = cfg?.risk?.tier;
    const str = (v: unknown) => (typeof v === 'string' && v.length > 0 ? v : undefined);
    const login = str(cfg?.owner?.name);
    const workflow = str(cfg?.deploy?.workflow);
    const baseline = cfg?.evals?.baseline as { ref?: unknown; path?: unknown } | undefined;
    const ref = str(baseline?.ref);
    const file = str(baseline?.path);
    return {
      baselineAt: ref && file ? { ref, path: file } : undefined,
      existsAt: workflow ? { sha: this.ctx.headSha, path: workflow } : undefined,
      login: login && !login.includes('/') ? login : undefined,
      // Required reviewers matter at the high and critical tiers (and when no tier is set: judged as high).
      environment: tier === 'low' || tier === 'medium' ? undefined : str(cfg?.guardrails?.human_approval?.environment),
    };
  }

  /** Complete the check with its annotations, keep the sticky comment current. */
  async publish(outcome: GateOutcome, annotations: Annotation[], leftOut: number): Promise<{ checkRunUrl: string; commentUrl: string; annotated: boolean }> {
    const v = outcome.verdict;
    let annotated = false;
    if (this.check && !this.readOnly) {
      try {
        await this.publisher.completeCheck(this.check.id, v.decision === 'allow' ? 'success' : 'failure', renderCheck(v, leftOut), annotations.map(toCheckAnnotation));
        annotated = true;
      } catch (err) {
        this.degrade('complete the check run', err);
      }
    }
    let commentUrl = '';
    const pull = this.commentPull();
    if (pull !== undefined && !this.readOnly) {
      const marker = commentMarker(this.inputs.checkName);
      const footer = `<sub>${this.ctx.runUrl ? `[Workflow run](${this.ctx.runUrl}) · ` : ''}commit ${this.ctx.headSha.slice(0, 12)}</sub>`;
      const body = renderComment(v, this.inputs.checkName, footer);
      const existing = (this.comments ?? []).find((c) => c.mine && c.body.includes(marker));
      try {
        if (!existing) commentUrl = await this.publisher.createComment(pull, body);
        else if (existing.body.trim() !== body.trim()) commentUrl = await this.publisher.updateComment(existing.id, body);
        else commentUrl = existing.url;
      } catch (err) {
        this.degrade('write the pull request comment', err);
      }
    }
    return { checkRunUrl: this.check?.url ?? '', commentUrl, annotated };
  }

  private commentPull(): number | undefined {
    return this.inputs.comment ? this.ctx.pullNumber : undefined;
  }

  /** A write was refused: say so once, and fall back to the summary and workflow-command annotations. */
  private degrade(what: string, err: unknown): void {
    const status = statusOf(err);
    if (status === 403 || status === 401 || status === 404) {
      if (!this.readOnly) {
        const why = this.ctx.fromFork ? 'a pull request from a fork gets a read-only token' : `the token may not ${what} (status ${status}); grant checks: write and pull-requests: write`;
        core.notice(`llm-release-gate could not ${what}: ${why}. The verdict is in the job summary and the annotations; the exit code still decides.`);
        this.notices.push(`Reported in the job summary only: ${why}.`);
      }
      this.readOnly = true;
      return;
    }
    this.warn(what, err);
  }

  private warn(what: string, err: unknown): void {
    core.warning(`llm-release-gate could not ${what} (${statusOf(err) ?? ''} ${err instanceof Error ? err.message : String(err)}); the verdict and exit code are unchanged.`);
  }
}

/** The few config values the API questions need, read leniently (the gate validates the config itself). */
interface ConfigPeek {
  evals?: { baseline?: unknown };
  risk?: { tier?: unknown };
  owner?: { name?: unknown };
  deploy?: { workflow?: unknown };
  guardrails?: { human_approval?: { environment?: unknown } };
}

function safeYaml(text: string | undefined): ConfigPeek | undefined {
  try {
    const v: unknown = text ? parse(text) : undefined;
    return typeof v === 'object' && v !== null ? (v as ConfigPeek) : undefined;
  } catch {
    return undefined;
  }
}

function toCheckAnnotation(a: Annotation): CheckAnnotation {
  const line = a.line ?? 1;
  return {
    path: a.file,
    start_line: line,
    end_line: line,
    annotation_level: a.level === 'error' ? 'failure' : a.level,
    title: cutBytes(a.title, LIMITS.annotationTitleChars),
    message: cutBytes(a.message, LIMITS.annotationMessageBytes),
  };
}

function emitAnnotation(a: Annotation): void {
  const props = { title: a.title, file: a.file, startLine: a.line };
  if (a.level === 'error') core.error(a.message, props);
  else if (a.level === 'warning') core.warning(a.message, props);
  else core.notice(a.message, props);
}

async function writeSummary(verdict: Verdict, env: NodeJS.ProcessEnv): Promise<void> {
  if (!env.GITHUB_STEP_SUMMARY) return;
  await core.summary.addRaw(renderJobSummary(verdict)).write();
}

function setNoRolloutOutputs(): void {
  core.setOutput('check-run-url', '');
  core.setOutput('comment-url', '');
  core.setOutput('rollout-action', 'none');
  core.setOutput('rollout-percent', '');
}

async function readEvent(file: string | undefined): Promise<Record<string, unknown>> {
  if (!file) return {};
  try {
    return JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
  } catch {
    core.warning(`Could not read the event payload at ${file}; commit checks use GITHUB_SHA only.`);
    return {};
  }
}
