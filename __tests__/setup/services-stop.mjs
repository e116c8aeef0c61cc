import { execFileSync } from 'node:child_process';

export default function teardown() {
  execFileSync('bash', ['scripts/services/stop.sh'], { stdio: 'inherit' });
}
