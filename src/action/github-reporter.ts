import { say } from './log.js';
import { randomUUID } from 'node:crypto';
import type { GitHubFacts } from '../gate/decide.js';
import type { Verdict } from '../gate/verdict.js';
import { isRateLimit, statusOf } from '../github/client.js';
import type { RunContext } from '../github/context.js';
import type { CheckAnnotation, ExistingComment, Facts, GateApi } from '../github/gate-api.js';
import type { Annotation } from '../report/annotations.js';
import { commentMarker, renderCheck, renderComment } from '../report/github.js';
import { cutBytes, LIMITS } from '../report/limits.js';
import { factQuestions, gitHubFacts } from './facts.js';
import { writeSticky } from './sticky-comment.js';

/** Everything the gate does through the GitHub API: the check run, the sticky comment, the facts; degrading to the job summary on any failure. */
export class GitHubReporter {
  readonly notices: string[] = [];
  private check?: { id: number; url: string };
  private readOnly = false;
  private completed = false;
  /** Marks this run's own check run (`external_id`), to find it again when the answer to its creation was lost. */
  private readonly checkKey = `llm-release-gate:${randomUUID()}`;
  /** The first query's questions and answers (reused when the config in use asks the same). */
  private asked?: { key: string; facts: Facts };
  private comments?: ExistingComment[];

  constructor(
    readonly api: GateApi,
    private readonly ctx: RunContext,
    private readonly opts: { checkName: string; comment: boolean },
  ) {}

  async startCheck(): Promise<void> {
    try {
      this.check = await this.api.createCheck(this.opts.checkName, this.ctx.headSha, this.checkKey, this.ctx.runUrl);
    } catch (err) {
      this.check = await this.adoptCheck();
      if (!this.check) {
        this.degrade('create the check run', err);
        return;
      }
    }
    // A re-run: an earlier attempt (cancelled, or killed) may have left its check in progress.
    if (this.ctx.runAttempt > 1) {
      try {
        for (const { id } of await this.api.checksInProgress(this.opts.checkName, this.ctx.headSha)) {
          if (id === this.check.id) continue;
          await this.api.completeCheckPlain(id, 'cancelled', {
            title: 'Superseded',
            summary: `Superseded by run attempt ${this.ctx.runAttempt}${this.ctx.runUrl ? ` ([workflow run](${this.ctx.runUrl}))` : ''}.`,
          });
        }
      } catch (err) {
        this.warn("complete an earlier attempt's check run", describe(err));
      }
    }
  }

  /** Creating the check failed, but it may have been made (its answer lost): find it by this run's key. */
  private async adoptCheck(): Promise<{ id: number; url: string } | undefined> {
    try {
      const mine = (await this.api.checksInProgress(this.opts.checkName, this.ctx.headSha)).find(
        (c) => c.externalId === this.checkKey,
      );
      return mine && { id: mine.id, url: mine.url };
    } catch {
      return undefined;
    }
  }

  /** The run failed before publishing: end the check as a failure, with why (never left in progress). */
  async abort(reason: string): Promise<void> {
    if (!this.check || this.completed) return;
    try {
      await this.api.completeCheckPlain(this.check.id, 'failure', {
        title: 'llm-release-gate did not finish',
        summary: reason,
      });
      this.completed = true;
    } catch (err) {
      this.warn('complete the check run', describe(err));
    }
  }

  /**
   * The first read, before anything the pull request controls is looked at. With a base file
   * (config-source: base on a pull request) it asks only the trusted things: the config at the base
   * commit and the PR's comments; the facts come after, from the config in use. Otherwise (push, or
   * config-source: head) it asks the comments and the facts `localText` names, in one query.
   * Returns the base config: its text, null when the base has none, or { error } when GitHub did not say.
   */
  async ask(localText: string | undefined, baseFile?: { sha: string; path: string }): Promise<BaseConfig> {
    const q = baseFile ? {} : factQuestions(localText, this.ctx.headSha);
    try {
      const facts = await this.api.facts({ ...q, fileAt: baseFile, pullNumber: this.commentPull() });
      if (!baseFile) this.asked = { key: JSON.stringify(q), facts };
      if (facts.unanswered.comments) this.warn("read the pull request's comments", facts.unanswered.comments);
      else this.comments = facts.comments;
      if (!baseFile) return undefined;
      const why = facts.unanswered.fileAt;
      return why ? { error: why } : (facts.fileAt ?? null);
    } catch (err) {
      this.warn('read from the GitHub API', describe(err));
      return baseFile ? { error: describe(err) } : undefined;
    }
  }

  /** The facts for the config in use: the first answers when it asks the same, else one more query. */
  async factsFor(configText: string | undefined): Promise<GitHubFacts | undefined> {
    const q = factQuestions(configText, this.ctx.headSha);
    let facts = this.asked?.key === JSON.stringify(q) ? this.asked.facts : undefined;
    if (!facts) {
      try {
        facts = await this.api.facts(q);
      } catch (err) {
        const why = describe(err);
        this.warn('ask GitHub about the owner, the environment and the deploy workflow', why);
        facts = { unanswered: { existsAt: why, ownerKind: why, environment: why } };
      }
    }
    return gitHubFacts(facts, q, this.ctx.headSha);
  }

  /** Complete the check with its annotations, keep the sticky comment current. */
  async publish(
    v: Verdict,
    annotations: Annotation[],
    leftOut: number,
  ): Promise<{ checkRunUrl: string; commentUrl: string; annotated: boolean }> {
    let annotated = false;
    if (this.check && !this.readOnly) {
      const conclusion = v.decision === 'allow' ? 'success' : 'failure';
      try {
        await this.api.completeCheck(
          this.check.id,
          conclusion,
          renderCheck(v, leftOut),
          annotations.map(toCheckAnnotation),
        );
        annotated = true;
      } catch (err) {
        this.warn('complete the check run with its annotations', describe(err));
        // The conclusion matters more than the annotations (they go out as workflow commands instead).
        try {
          await this.api.completeCheckPlain(this.check.id, conclusion, renderCheck(v, annotations.length + leftOut));
        } catch (again) {
          this.degrade('complete the check run', again);
        }
      }
      this.completed = true;
    }
    let commentUrl = '';
    const pull = this.commentPull();
    if (pull !== undefined && !this.readOnly) {
      const marker = commentMarker(this.opts.checkName);
      const footer = `<sub>${this.ctx.runUrl ? `[Workflow run](${this.ctx.runUrl}) · ` : ''}commit ${this.ctx.headSha.slice(0, 12)}</sub>`;
      const body = renderComment(v, this.opts.checkName, footer);
      try {
        commentUrl = await writeSticky(this.api, pull, marker, body, this.comments);
      } catch (err) {
        this.degrade('write the pull request comment', err);
      }
    }
    return { checkRunUrl: this.check?.url ?? '', commentUrl, annotated };
  }

  private commentPull(): number | undefined {
    return this.opts.comment ? this.ctx.pullNumber : undefined;
  }

  /** A write was refused: say so once, and fall back to the summary and workflow-command annotations. */
  private degrade(what: string, err: unknown): void {
    const status = statusOf(err);
    if (status === 401 || (status === 403 && !isRateLimit(err))) {
      if (!this.readOnly) {
        const why = this.ctx.fromFork
          ? 'a pull request from a fork gets a read-only token'
          : status === 401
            ? 'GitHub refused the token (401: expired or invalid); check the github-token input'
            : `the token may not ${what} (status ${status}); grant checks: write and pull-requests: write`;
        say.notice(
          `llm-release-gate could not ${what}: ${why}. The verdict is in the job summary and the annotations; the exit code still decides.`,
        );
        this.notices.push(`Reported in the job summary only: ${why}.`);
      }
      this.readOnly = true;
      return;
    }
    this.warn(what, describe(err));
  }

  private warn(what: string, why: string): void {
    say.warning(`llm-release-gate could not ${what}: ${why}.`);
  }
}

/** The base config as the API answered: text, null (not there), { error } (not answered), undefined (not asked). */
export type BaseConfig = string | null | { error: string } | undefined;

function describe(err: unknown): string {
  const status = statusOf(err);
  const what = isRateLimit(err) ? 'GitHub rate-limited the request' : 'GitHub did not answer';
  return `${what}${status ? ` (HTTP ${status})` : ''}: ${err instanceof Error ? err.message : String(err)}`;
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
