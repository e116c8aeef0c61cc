import { parse } from 'yaml';

/**
 * The keys a pull request's config changes against the base branch's, as `path (old → new)`:
 * what the report names when the base config is used instead ("a PR cannot loosen its own gate").
 */
export function configChanges(baseText: string, headText: string, max = 10): string[] {
  let base: unknown;
  let head: unknown;
  try {
    base = parse(baseText);
    head = parse(headText);
  } catch {
    return ['the PR’s config is not valid YAML'];
  }
  const out: string[] = [];
  const show = (v: unknown) => (v === undefined ? 'unset' : JSON.stringify(v).slice(0, 40));
  const walk = (a: unknown, b: unknown, path: string) => {
    if (out.length > max) return;
    const isObj = (v: unknown) => typeof v === 'object' && v !== null;
    if (isObj(a) && isObj(b) && Array.isArray(a) === Array.isArray(b)) {
      const keys = new Set([...Object.keys(a as object), ...Object.keys(b as object)]);
      for (const k of keys)
        walk((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], path ? `${path}.${k}` : k);
      return;
    }
    if (JSON.stringify(a) !== JSON.stringify(b)) out.push(`${path || '(the whole file)'} (${show(a)} → ${show(b)})`);
  };
  walk(base, head, '');
  return out.length > max ? [...out.slice(0, max), `and ${out.length - max} more`] : out;
}
