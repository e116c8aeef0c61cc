import type { Verdict } from '../gate/verdict.js';
import { byteLength, cutBytes, fitBytes, LIMITS } from './limits.js';
import { renderSummary } from './summary.js';

const DETAIL = ['full', 'compact', 'minimal'] as const;

/** The hidden marker that finds our sticky comment again (with the author check). */
export function commentMarker(checkName: string): string {
  return `<!-- llm-release-gate:${checkName.replace(/--/g, '')} -->`;
}

/** The sticky PR comment: marker, then the report at the most detail that fits a comment. */
export function renderComment(v: Verdict, checkName: string, footer: string): string {
  const marker = commentMarker(checkName);
  const budget = LIMITS.commentChars - byteLength(marker) - 1;
  return `${marker}\n${fitBytes(
    DETAIL.map((detail) => () => renderSummary(v, { detail, footer, title: checkName })),
    budget,
  )}`;
}

/** The check run's title and summary (65,535 bytes at most; detail goes before anything is cut). */
export function renderCheck(v: Verdict, leftOutAnnotations: number): { title: string; summary: string } {
  const head = v.decision === 'allow' ? 'Allowed' : 'Blocked';
  const reasons = v.reasons.length ? ` · ${v.reasons.length} reason${v.reasons.length === 1 ? '' : 's'} to block` : '';
  const footer =
    leftOutAnnotations > 0
      ? `${leftOutAnnotations} more annotations were left out (at most ${LIMITS.maxAnnotations}).`
      : undefined;
  return {
    title: cutBytes(
      `${head}: readiness ${v.readiness.passed}/${v.readiness.total}${reasons}`,
      LIMITS.annotationTitleChars,
    ),
    summary: fitBytes(
      DETAIL.map((detail) => () => renderSummary(v, { detail, footer })),
      LIMITS.checkTextBytes,
    ),
  };
}

/** The job summary (1 MiB per step). */
export function renderJobSummary(v: Verdict): string {
  return fitBytes(
    DETAIL.map((detail) => () => renderSummary(v, { detail })),
    LIMITS.jobSummaryBytes,
  );
}
