import { fileURLToPath } from 'node:url';
import path from 'node:path';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// A copy of ../shared/samples (real tool outputs, sources in its README), so a fresh clone tests alone.
export const SAMPLES = path.join(ROOT, '__tests__', 'samples');
export const FIXTURES = path.join(ROOT, '__tests__', 'fixtures');
