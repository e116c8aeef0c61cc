import { fileURLToPath } from 'node:url';
import path from 'node:path';
import * as yaml from 'yaml';
import { parseWithLibrary, simpleConfig, type LoadedConfig } from '../src/config/load.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// A copy of ../shared/samples (real tool outputs, sources in its README), so a fresh clone tests alone.
export const SAMPLES = path.join(ROOT, '__tests__', 'samples');
export const FIXTURES = path.join(ROOT, '__tests__', 'fixtures');

/**
 * parseConfig without its await: the YAML library imported here up front (the product loads it only
 * when a config is not in the plain subset simple-yaml.ts reads, or has a problem).
 */
export const parseConfig = (text: string, file: string): LoadedConfig =>
  simpleConfig(text, file) ?? parseWithLibrary(yaml, text, file);
