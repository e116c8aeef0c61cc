/**
 * Why a ref is not a branch, tag or commit name (git check-ref-format's rules, plus: never an
 * option), or undefined when it is one.
 */
export function refProblem(ref: string): string | undefined {
  if (/^[0-9a-f]{7,40}$/i.test(ref)) return undefined;
  if (ref.length === 0 || ref.length > 255) return 'is empty or too long';
  if (ref.startsWith('-')) return 'starts with "-" (it would be read as an option)';
  // eslint-disable-next-line no-control-regex -- control characters are what is refused
  if (/[\x00-\x20\x7f~^:?*[\\]/.test(ref)) return 'contains a space, a control character or one of ~ ^ : ? * [ \\';
  if (ref.includes('..') || ref.includes('@{') || ref.includes('//')) return 'contains "..", "@{" or "//"';
  if (ref.startsWith('/') || ref.endsWith('/') || ref.endsWith('.') || ref.endsWith('.lock') || ref === '@')
    return 'starts or ends in a way git refuses ("/", ".", ".lock", "@")';
  if (ref.split('/').some((part) => part.startsWith('.'))) return 'has a component starting with "."';
  return undefined;
}

/** Why a path in the repository is not a plain relative one, or undefined. */
export function pathProblem(file: string): string | undefined {
  if (file.length === 0 || file.startsWith('/') || file.startsWith('-') || /^[A-Za-z]:/.test(file))
    return 'must be a relative path inside the repository';
  if (file.split(/[\\/]/).includes('..')) return 'must not leave the repository ("..")';
  // eslint-disable-next-line no-control-regex -- control characters are what is refused
  if (/[\x00-\x1f]/.test(file)) return 'contains a control character';
  return undefined;
}
