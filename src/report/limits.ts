/** GitHub's size limits, in one place. */
export const LIMITS = {
  /** Check run output.summary and output.text: 65,535 bytes each. */
  checkTextBytes: 65_535,
  /** Issue and PR comment bodies: 65,536 characters. */
  commentChars: 65_536,
  /** Annotations per check run request. */
  annotationsPerRequest: 50,
  /** Annotations we send at most (the rest are counted in the summary). */
  maxAnnotations: 500,
  /** Annotation title and message sizes. */
  annotationTitleChars: 255,
  annotationMessageBytes: 64 * 1024,
  /** Job summary (GITHUB_STEP_SUMMARY) per step: 1 MiB. */
  jobSummaryBytes: 1024 * 1024,
} as const;

const encoder = new TextEncoder();

export function byteLength(s: string): number {
  return encoder.encode(s).length;
}

/**
 * The first rendering that fits, from most to least detailed; if even the least detailed does not,
 * it is cut at a character boundary with a note. Detail is dropped before anything is truncated.
 */
export function fitBytes(renderings: (() => string)[], limit: number): string {
  let last = '';
  for (const render of renderings) {
    last = render();
    if (byteLength(last) <= limit) return last;
  }
  const note = '\n\n(cut to fit GitHub’s size limit; the full report is in the job summary and the verdict file)\n';
  return cutBytes(last, limit - byteLength(note)) + note;
}

/** Cut a string to a byte budget at a character boundary (one encode, one decode: linear). */
export function cutBytes(s: string, limit: number): string {
  const bytes = encoder.encode(s);
  if (bytes.length <= limit) return s;
  // "…" is 3 bytes; a character split by the cut decodes to U+FFFD and is dropped.
  const head = new TextDecoder().decode(bytes.subarray(0, Math.max(0, limit - 3))).replace(/\uFFFD$/, '');
  return `${head}…`;
}
