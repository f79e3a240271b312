import { ChildProcess, fork } from 'node:child_process';
import { resolve } from 'node:path';

/** A private PostgreSQL the test controls: its own port and data directory, never the shared server. */
export interface PostgresHost {
  url: string;
  /** Fast shutdown; the data directory is kept, so starting it again on the same port is a restart. */
  stop(): Promise<void>;
}

const HOST_SCRIPT = resolve(__dirname, 'postgres-host.js');

/** Starts PostgreSQL through the service's startEmbeddedPostgres (see postgres-host.js). The first start runs initdb. */
export async function startPostgresHost(dataDir: string, port: number, timeoutMs = 120_000): Promise<PostgresHost> {
  const child = fork(HOST_SCRIPT, [dataDir, String(port)], { stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exited = new Promise<void>((done) => child.once('exit', () => done()));

  const url = await new Promise<string>((done, fail) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      fail(new Error(`embedded PostgreSQL did not start within ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    child.once('message', (message: { url: string }) => {
      clearTimeout(timer);
      done(message.url);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      fail(new Error(`embedded PostgreSQL host exited with ${code}:\n${output}`));
    });
  });
  return { url, stop: () => stopHost(child, exited) };
}

async function stopHost(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null) return;
  child.send('stop');
  await exited;
}
