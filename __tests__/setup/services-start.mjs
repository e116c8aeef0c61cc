// Starts the real services the provider tests use (PostgreSQL, Unleash, Prometheus on 127.0.0.1),
// installing them first when this machine lacks them. Stopped by services-stop.mjs, by PID.
import { execFileSync } from 'node:child_process';

export default function setup() {
  execFileSync('bash', ['scripts/services/install.sh'], { stdio: 'inherit' });
  execFileSync('bash', ['scripts/services/start.sh'], { stdio: 'inherit' });
}
