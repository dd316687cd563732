/** The product app on the local runtime: `npm start`'s entry answers /api/health with its version. */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { testStorage, uniqueHub } from '../helpers';

const ROOT = path.resolve(__dirname, '../..');

describe('GET /api/health', () => {
  it('answers from a freshly started runtime, naming the version and each dependency', async () => {
    const child = spawn(process.execPath, [path.join(ROOT, 'dist/local/cli.js'), ROOT], {
      env: {
        ...process.env,
        PORT: '17070',
        AzureWebJobsStorage: testStorage(),
        PIMFLOW_TASK_HUB: uniqueHub('Health'),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      let output = '';
      const api = await new Promise<string>((resolve, reject) => {
        child.stdout.on('data', (d: Buffer) => {
          output += d.toString();
          const url = /^api: (\S+)$/m.exec(output)?.[1];
          if (url && output.includes('\nready')) resolve(url);
        });
        child.stderr.on('data', (d: Buffer) => (output += d.toString()));
        child.on('exit', (code) => reject(new Error(`exited ${code}: ${output}`)));
      });
      expect(output).toMatch(/^durable: http:\/\/localhost:17070\/runtime\/webhooks\/durabletask$/m);
      expect(output).toMatch(/^storage: \S+$/m);
      const res = await fetch(`${api}/health`);
      expect(res.status).toBe(200);
      const body = (await res.json()) as {
        status: string;
        version: string;
        dependencies: Record<string, { status: string }>;
      };
      expect(body.status).toBe('healthy');
      expect(body.version).toMatch(/^\d+\.\d+\.\d+/);
      expect(body.dependencies.durableTaskHub?.status).toBe('up');
    } finally {
      child.kill('SIGTERM');
    }
  });
});
