// Starts the real services the provider tests use (PostgreSQL, Unleash, Prometheus on 127.0.0.1,
// free ports), installing them first when this machine lacks them. Stopped by services-stop.mjs, by
// PID, and on an interrupt too: Ctrl-C or a killed run never leaves them behind.
import { execFileSync } from 'node:child_process';

export default function setup() {
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'])
    process.once(signal, () => {
      try {
        execFileSync('bash', ['scripts/services/stop.sh'], { stdio: 'inherit' });
      } finally {
        process.kill(process.pid, signal);
      }
    });
  execFileSync('bash', ['scripts/services/install.sh'], { stdio: 'inherit' });
  execFileSync('bash', ['scripts/services/start.sh'], { stdio: 'inherit' });
}
