/**
 * Node processes of our own for tests and scripts that crash them: `freePorts()` (picked by the OS, never fixed
 * ones, so two test runs on one machine don't collide) and `startChildProcess()` (runs a script, waits for its
 * ready line; `kill()` is SIGKILL). The local runtime in a child process is `ChildRuntime` (bench/child-runtime.ts).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';

/** `count` distinct free TCP ports on 127.0.0.1 (all held open together while picking, so none repeats). */
export async function freePorts(count: number): Promise<number[]> {
  const servers: net.Server[] = [];
  try {
    const ports: number[] = [];
    for (let i = 0; i < count; i++) {
      const server = net.createServer();
      servers.push(server);
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(0, '127.0.0.1', () => resolve());
      });
      ports.push((server.address() as net.AddressInfo).port);
    }
    return ports;
  } finally {
    await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  }
}

export interface RunningChild {
  readonly process: ChildProcess;
  /** The last ~256 KB of its stdout and stderr. */
  readonly output: () => string;
  /** The first match of `ready` in its stdout. */
  readonly ready: RegExpExecArray;
  /** SIGKILL (no flush, no close: a crash), and wait for the process to be gone. */
  kill(): Promise<void>;
}

/**
 * Runs `node <script> <args>` and resolves once its stdout matches `ready` (rejects if it exits first, or after
 * `timeoutMs`, killing it). `onOutput` sees everything it prints, from the start.
 */
export async function startChildProcess(options: {
  script: string;
  args?: string[];
  env?: Record<string, string | undefined>;
  ready: RegExp;
  timeoutMs?: number;
  onOutput?: (text: string) => void;
}): Promise<RunningChild> {
  const proc = spawn(process.execPath, [options.script, ...(options.args ?? [])], {
    env: options.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  let output = '';
  const collect = (d: Buffer) => {
    const text = d.toString();
    output = (output + text).slice(-256 * 1024);
    options.onOutput?.(text);
  };
  proc.stdout?.on('data', collect);
  proc.stderr?.on('data', collect);
  const kill = async () => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
    await exited;
  };
  const timeoutMs = options.timeoutMs ?? 90_000;
  const ready = await new Promise<RegExpExecArray>((resolve, reject) => {
    let stdout = '';
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      proc.kill('SIGKILL'); // rejected below, once it is gone
    }, timeoutMs);
    const watch = (d: Buffer) => {
      stdout += d.toString();
      const match = options.ready.exec(stdout);
      if (match) {
        clearTimeout(timer);
        proc.stdout?.off('data', watch);
        resolve(match);
      }
    };
    proc.stdout?.on('data', watch);
    proc.once('exit', (code, signal) => {
      clearTimeout(timer);
      const why = timedOut ? `not ready after ${timeoutMs} ms` : `exited (${code ?? signal}) before ready`;
      reject(new Error(`${path.basename(options.script)}: ${why}:\n${output}`));
    });
  });
  return { process: proc, output: () => output, ready, kill };
}
