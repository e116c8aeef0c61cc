import { statusOf } from '../github/client.js';
import type { ExistingComment, GateApi, RestComment } from '../github/gate-api.js';

/**
 * One sticky comment per pull request, whatever happens: it is found again by its hidden marker and
 * its author; it is never created when the comments could not be read; after creating one, the
 * comments are read again and, if another run created one at the same moment, the oldest is kept
 * (with this run's text) and the others are deleted. Another author's comment is never edited.
 */
export async function writeSticky(
  api: GateApi,
  pull: number,
  marker: string,
  body: string,
  known: readonly ExistingComment[] | undefined,
): Promise<string> {
  let existing: { id: number; body: string; url: string } | undefined;
  if (known) existing = known.find((c) => c.mine && c.body.includes(marker));
  else existing = ownByGuess(await api.listComments(pull), marker);

  if (existing) {
    if (existing.body.trim() === body.trim()) return existing.url;
    try {
      return await api.updateComment(existing.id, body);
    } catch (err) {
      if (statusOf(err) !== 404) throw err;
      // deleted since it was read: write a new one below
    }
  }
  const created = await api.createComment(pull, body);
  const ours = (await api.listComments(pull)).filter((c) => c.author === created.author && c.body.includes(marker));
  if (ours.length <= 1) return created.url;
  // Two runs raced: keep the oldest, with this run's text; delete the rest.
  ours.sort((a, b) => a.id - b.id);
  const [keep, ...extra] = ours;
  let url = keep!.url;
  if (keep!.id !== created.id) url = await api.updateComment(keep!.id, body);
  for (const c of extra) await api.deleteComment(c.id);
  return url;
}

/**
 * Read through REST, the token's own identity is not known. A marker comment written by a bot account
 * (the identity GITHUB_TOKEN and GitHub Apps comment as; a pull request's author cannot post as one)
 * is taken as ours when exactly one bot wrote such comments; otherwise nothing is edited.
 */
function ownByGuess(comments: readonly RestComment[], marker: string): RestComment | undefined {
  const marked = comments.filter((c) => c.body.includes(marker));
  if (marked.length === 0) return undefined;
  const bots = new Set(marked.map((c) => c.author).filter((a) => a.endsWith('[bot]')));
  if (bots.size !== 1) {
    throw new Error(
      'the sticky comment could not be told apart from other comments with its marker (their authors could not be checked), so it was not written',
    );
  }
  const [bot] = bots;
  return marked.filter((c) => c.author === bot).sort((a, b) => a.id - b.id)[0];
}
