import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from '../helpers.js';

export interface Services {
  unleash: { url: string; token: string };
  prometheus: { url: string };
}

/** The real services the Jest global setup started (scripts/services/start.sh). */
export function services(): Services {
  const file = path.join(ROOT, '.services/env.json');
  if (!existsSync(file))
    throw new Error(
      'The test services are not running: npm test starts them (scripts/services/start.sh); see the README.',
    );
  return JSON.parse(readFileSync(file, 'utf8')) as Services;
}
