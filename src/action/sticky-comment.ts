import { statusOf } from '../github/client.js';
import type { ExistingComment, GateApi } from '../github/gate-api.js';

/**
 * One sticky comment per pull request, whatever happens: it is found again by its hidden marker and
 * its author (the token in use); it is never created while the comments are unknown; after creating
 * one, the comments are read again and, if another run created one at the same moment, the oldest
 * is kept (with this run's text) and the others are deleted. Another author's comment is never edited.
 */
export async function writeSticky(
  api: GateApi,
  pull: number,
  marker: string,
  body: string,
  known: readonly ExistingComment[] | undefined,
): Promise<string> {
  if (!known) {
    // Read through REST, which does not say which comments are this token's own: write only when no
    // comment carries the marker (so none can be ours); never edit one that might be someone else's.
    const marked = (await api.listComments(pull)).filter((c) => c.body.includes(marker));
    if (marked.length > 0) {
      throw new Error(
        'the comments could be read only through REST, which cannot tell whether the sticky comment is this token’s own, so it was left as it is',
      );
    }
    return createOne(api, pull, marker, body);
  }
  const ours = known.filter((c) => c.mine && c.body.includes(marker)).sort((a, b) => a.id - b.id);
  const [existing, ...extra] = ours;
  if (!existing) return createOne(api, pull, marker, body);
  let url = existing.url;
  if (existing.body.trim() !== body.trim()) {
    try {
      url = await api.updateComment(existing.id, body);
    } catch (err) {
      if (statusOf(err) !== 404) throw err;
      return createOne(api, pull, marker, body); // deleted since it was read
    }
  }
  // Extras left by an earlier race go after the kept one says the verdict.
  for (const c of extra) await deleteIfThere(api, c.id);
  return url;
}

/** Create the comment, then settle a race with a concurrent run: the oldest of ours stays. */
async function createOne(api: GateApi, pull: number, marker: string, body: string): Promise<string> {
  const created = await api.createComment(pull, body);
  const ours = (await api.listComments(pull))
    .filter((c) => c.author === created.author && c.body.includes(marker))
    .sort((a, b) => a.id - b.id);
  if (ours.length <= 1) return created.url;
  const [keep, ...extra] = ours;
  const url = keep!.id === created.id ? created.url : await api.updateComment(keep!.id, body);
  for (const c of extra) await deleteIfThere(api, c.id);
  return url;
}

/** Delete an extra comment, best effort: one already gone (another run deleted it) or refused is left. */
async function deleteIfThere(api: GateApi, id: number): Promise<void> {
  try {
    await api.deleteComment(id);
  } catch {
    // the kept comment already carries the verdict; the extra is removed by a later run
  }
}
