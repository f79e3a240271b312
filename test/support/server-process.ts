import { ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { resolve } from 'node:path';

export async function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
  });
}

export interface ServerProcess {
  child: ChildProcess;
  baseUrl: string;
  output(): string;
  /** Resolves with the exit code once the process has ended. */
  exited: Promise<number | null>;
}

/**
 * Runs the built service (`dist/`, made by `npm test` before jest) as a real process. `ownProcessGroup`
 * puts it at the head of a process group, as a shell does a command, so a test can signal the group as
 * a terminal's Ctrl-C does.
 */
export async function startServerProcess(env: Record<string, string>, readyTimeoutMs = 90_000, { ownProcessGroup = false } = {}): Promise<ServerProcess> {
  const port = await freePort();
  const childEnv: NodeJS.ProcessEnv = { ...process.env, PORT: String(port), LOG_LEVEL: 'warn', ...env };
  if (!env.DATABASE_URL) delete childEnv.DATABASE_URL;
  const child = spawn(process.execPath, [resolve(__dirname, '../../dist/src/main.js')], {
    env: childEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: ownProcessGroup,
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  // The service listens on HOST when a test sets one (0.0.0.0 by default, reached through loopback).
  const baseUrl = `http://${env.HOST ?? '127.0.0.1'}:${port}`;
  const deadline = Date.now() + readyTimeoutMs;
  let exitCode: number | null | undefined;
  void exited.then((code) => (exitCode = code));
  let lastAnswer = 'no attempt';
  while (exitCode === undefined && Date.now() < deadline) {
    lastAnswer = await fetch(`${baseUrl}/health/ready`, { signal: AbortSignal.timeout(5_000) })
      .then((reply) => `HTTP ${reply.status}`)
      .catch((error: Error) => String((error.cause as Error | undefined)?.message ?? error.message));
    if (lastAnswer === 'HTTP 200') return { child, baseUrl, output: () => output, exited };
    await new Promise((done) => setTimeout(done, 200));
  }
  child.kill('SIGKILL');
  const why = exitCode === undefined ? `not ready after ${readyTimeoutMs} ms` : `exited with code ${exitCode}`;
  throw new Error(`server did not become ready (${why}; last /health/ready: ${lastAnswer}); its output:\n${output}`);
}
