// Starts a real `sluice server` on a free port for the JS SDK tests.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

export async function startServer(...extraArgs) {
  const binary = process.env.SLUICE_BINARY ?? 'build/sluice';
  const dataDir = mkdtempSync(join(tmpdir(), 'sluice-js-'));
  const proc = spawn(binary, ['server', '--port', '0', '--data-dir', dataDir, ...extraArgs], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const line = await new Promise((resolve, reject) => {
    const rl = createInterface({ input: proc.stdout });
    rl.once('line', resolve);
    proc.once('exit', (code) => reject(new Error(`sluice server exited with ${code}`)));
  });
  const match = /http:\/\/([\d.]+):(\d+)/.exec(line);
  if (!match) throw new Error(`sluice server did not start: ${line}`);
  return {
    endpoint: `http://${match[1]}:${match[2]}`,
    dataDir,
    async stop() {
      proc.kill('SIGTERM');
      await new Promise((resolve) => proc.once('exit', resolve));
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export const clientConfig = (endpoint) => ({
  endpoint,
  region: 'us-east-1',
  credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  // StartSyncExecution uses a "sync-" host prefix on AWS; not for a local endpoint.
  disableHostPrefix: true,
  maxAttempts: 1,
});
