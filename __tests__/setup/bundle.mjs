// The end-to-end tests run dist/ as the runner does: rebuild it from src/ first, so they never test a
// stale bundle (the bundle is deterministic; CI also checks that the committed dist/ equals it).
import { execFileSync } from 'node:child_process';

export default function bundle() {
  execFileSync(process.execPath, ['scripts/bundle.mjs'], { stdio: 'inherit' });
}
