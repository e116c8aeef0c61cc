import { randomUUID } from 'node:crypto';
import * as core from '@actions/core';
import { clean } from '../report/plain.js';

/**
 * Lines that carry text from the results or the config (reasons, ids, keys, service answers): the
 * runner would act on any of them that starts with `::` (`::add-mask::`, `::set-output`,
 * `::stop-commands::`). They are printed inside a `::stop-commands::` block with a random token the
 * text cannot know, with ANSI escapes and control characters (CR included) removed.
 */
export function infoUntrusted(lines: readonly string[]): void {
  if (lines.length === 0) return;
  const token = randomUUID();
  core.info(`::stop-commands::${token}`);
  for (const line of lines) for (const part of clean(line).split('\n')) core.info(part);
  core.info(`::${token}::`);
}

/** @actions/core's annotations and failure, message and properties cleaned (ESC and control characters out). */
export const say = {
  warning: (message: string, props?: core.AnnotationProperties) => core.warning(clean(message), cleanProps(props)),
  error: (message: string, props?: core.AnnotationProperties) => core.error(clean(message), cleanProps(props)),
  notice: (message: string, props?: core.AnnotationProperties) => core.notice(clean(message), cleanProps(props)),
  setFailed: (message: string) => core.setFailed(clean(message)),
};

function cleanProps(props?: core.AnnotationProperties): core.AnnotationProperties | undefined {
  if (!props) return undefined;
  return Object.fromEntries(
    Object.entries(props).map(([k, v]) => [k, typeof v === 'string' ? clean(v).replace(/\n/g, ' ') : v]),
  ) as core.AnnotationProperties;
}
