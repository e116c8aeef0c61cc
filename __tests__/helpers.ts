import { fileURLToPath } from 'node:url';
import path from 'node:path';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const SAMPLES = path.resolve(ROOT, '..', 'shared', 'samples');
export const FIXTURES = path.join(ROOT, '__tests__', 'fixtures');
