import { formatProblem } from '../../errors.js';
import { isAggregateOnly, type Run } from '../../results/model.js';
import type { Pairing } from '../pairing.js';
import type { Finding } from '../verdict.js';
import { fail, metricFinding, pass, pct, warn, type BarContext } from './context.js';
import { TIER_STATISTICS } from '../tiers.js';

/** 2 evals: results exist, are for this change, are enough, within the error budget, and clear the bar. */
export function judgeEvals(ctx: BarContext): Finding[] {
  const { config, run, loadError, baseline, metrics, facts } = ctx;
  const evals = config.evals;
  if (loadError) {
    return [
      fail(loadError.summary, 'evals.results'),
      ...loadError.problems.slice(0, 5).map((p) => fail(formatProblem(p), 'evals.results')),
    ];
  }
  if (!evals) return [fail('no evals section: add evals.results and evals.metrics', 'evals')];
  if (!run) return [];
  const out: Finding[] = [];
  const t = run.all;
  const aggregateOnly = isAggregateOnly(run);
  out.push(
    aggregateOnly
      ? warn(
          `aggregate-only results from ${run.files.join(', ')} (${run.format}): thresholds are judged on the reported aggregates; per-sample comparison with a baseline is not possible`,
          'evals.results',
        )
      : pass(`${t.total} samples from ${run.files.join(', ')} (${run.format})`, 'evals.results'),
  );
  for (const e of run.runErrors) out.push(fail(`the eval reported an error: ${e}`, 'evals.results'));

  // A commit is named by at least 7 hex characters: "1" would match every SHA that starts with 1.
  const named = run.meta.commit;
  const commit = named && /^[0-9a-f]{7,40}$/i.test(named) ? named.toLowerCase() : undefined;
  if (named && !commit)
    out.push(
      (evals.require_commit ? fail : warn)(
        `the results name commit ${JSON.stringify(named.slice(0, 60))}, which is not a commit SHA (7 to 40 hex characters)`,
        'evals.require_commit',
      ),
    );
  const matches = (c: string) => facts.commits.some((sha) => sha.startsWith(c) || c.startsWith(sha));
  if (commit && facts.commits.length > 0 && !matches(commit)) {
    out.push(
      fail(
        `stale results: they name commit ${commit.slice(0, 12)}, but this change is ${facts.commits[0]!.slice(0, 12)}; re-run the evals on this commit`,
        'evals.results',
      ),
    );
  } else if (evals.require_commit && !named) {
    out.push(
      fail(
        'evals.require_commit is true but the results name no commit: record the commit in the results metadata',
        'evals.require_commit',
      ),
    );
  } else if (evals.require_commit && facts.commits.length === 0) {
    out.push(
      fail('evals.require_commit is true but the commit under test is unknown (no GITHUB_SHA)', 'evals.require_commit'),
    );
  } else if (commit) {
    out.push(pass(`results are for commit ${commit.slice(0, 12)}`, 'evals.results'));
  }

  // min_samples counts distinct cases: one case written 300 times is one case.
  const minSamples = evals.min_samples ?? TIER_STATISTICS[ctx.tier].minSamples;
  const minKey = evals.min_samples === undefined ? 'risk.tier' : 'evals.min_samples';
  const minWhat =
    evals.min_samples === undefined
      ? `min_samples ${minSamples}, the ${ctx.tier} tier's default`
      : `evals.min_samples ${minSamples}`;
  const scored = aggregateOnly
    ? Math.max(0, ...[...run.aggregates.values()].map((a) => a.n ?? 0))
    : (run.scoredCases ?? t.scored);
  out.push(
    scored >= minSamples
      ? pass(`${scored} scored cases (${minWhat})`, minKey)
      : fail(
          `${scored} scored cases, under ${minWhat}${t.errors + t.skipped > 0 ? ` (${t.errors} errors and ${t.skipped} skipped do not count)` : ''}${scored < t.scored ? `; ${t.scored} scored samples, as cases repeat` : ''}`,
          minKey,
        ),
  );
  if (run.duplicates && run.duplicates.total > 0)
    out.push(
      warn(
        `${run.duplicates.total} samples repeat an id (and repeat index) seen before, e.g. ${run.duplicates.ids
          .slice(0, 3)
          .map((id) => JSON.stringify(id.slice(0, 60)))
          .join(
            ', ',
          )}: each is counted as a repeat of that case, never as another case; give repeats a "repeat" index, or make ids unique`,
        'evals.results',
      ),
    );
  const attempted = t.total - t.skipped;
  const errorRate = attempted > 0 ? t.errors / attempted : 0;
  out.push(
    errorRate <= evals.max_error_rate
      ? pass(`error rate ${pct(errorRate)} within budget ${pct(evals.max_error_rate)}`, 'evals.max_error_rate')
      : fail(
          `${t.errors} of ${attempted} samples were infrastructure errors (${pct(errorRate)}), over evals.max_error_rate ${pct(evals.max_error_rate)}: fix the eval infrastructure and re-run`,
          'evals.max_error_rate',
        ),
  );

  if ('error' in baseline)
    out.push(fail(`the baseline could not be read: ${baseline.error.summary}`, 'evals.baseline'));
  else if ('run' in baseline) out.push(...baselineFindings(baseline.pairing, baseline.run));
  else if (evals.baseline_required)
    out.push(fail(`evals.baseline_required is true, but ${baseline.missing}`, 'evals.baseline_required'));
  else if (
    evals.metrics.some((m) => m.max_drop !== undefined || m.max_increase !== undefined) ||
    !baseline.missing.startsWith('no baseline is configured')
  )
    // Also when no margin needs it: a baseline that was named but is not there is a typo to see.
    out.push(warn(`no baseline comparison: ${baseline.missing}`, 'evals.baseline'));

  for (const m of metrics.filter((x) => x.bar === 'evals')) out.push(metricFinding(m));
  return out;
}

/** What bar 2 says about the baseline: what was paired, what changed. */
function baselineFindings(pairing: Pairing | undefined, base: Run): Finding[] {
  const key = 'evals.baseline';
  if (!pairing)
    return [
      warn(
        `baseline ${base.files.join(', ')} (${base.format}) is aggregate-only or the candidate is: compared on reported aggregates, not per case`,
        key,
      ),
    ];
  const out = [
    pass(
      `baseline ${base.files.join(', ')} (${base.format}): ${pairing.candRows.length} cases paired${pairing.added.total ? `, ${pairing.added.total} added` : ''}${pairing.removed.total ? `, ${pairing.removed.total} removed` : ''} (added and removed cases are left out of paired tests)`,
      key,
    ),
  ];
  if (pairing.datasetChange)
    out.push(warn(`${pairing.datasetChange}: the comparison is only as good as the overlap`, key));
  if (pairing.newlyFailing.total > 0)
    out.push(
      warn(
        `${pairing.newlyFailing.total} case${pairing.newlyFailing.total === 1 ? '' : 's'} newly failing, ${pairing.newlyPassing.total} newly passing`,
        key,
      ),
    );
  return out;
}
