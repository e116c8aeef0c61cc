import { pathProblem, refProblem } from '../config/refs.js';

/**
 * A file's text at a git ref in the checkout (`git show <ref>:<path>`), trying the remote-tracking
 * branch too (CI checkouts have `origin/main`, not `main`). Undefined when neither resolves.
 */
export async function gitShow(ref: string, file: string, cwd: string): Promise<string | undefined> {
  // Never an option: a ref such as "--output=x" would make git write a file.
  if (refProblem(ref) || pathProblem(file)) return undefined;
  const { execFile } = await import('node:child_process');
  for (const candidate of [ref, `origin/${ref}`]) {
    const text = await new Promise<string | undefined>((resolve) => {
      execFile(
        'git',
        ['show', '--end-of-options', `${candidate}:${file}`],
        { cwd, maxBuffer: 512 * 1024 * 1024, encoding: 'utf8' },
        (err, stdout) => resolve(err ? undefined : stdout),
      );
    });
    if (text !== undefined) return text;
  }
  return undefined;
}
