import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Client } from 'pg';
import { sleep } from '../../reliability/support/load-profile';

/** One Patroni-managed PostgreSQL node started by test/ha/run.sh (passed in HA_NODES). */
export interface PatroniNode {
  name: string;
  restUrl: string;
  pgPort: number;
  dataDir: string;
}

export function clusterNodes(): PatroniNode[] {
  const given = process.env.HA_NODES;
  if (!given) throw new Error('HA_NODES is not set: run this test with `npm run test:ha` (test/ha/run.sh starts the cluster)');
  return JSON.parse(given) as PatroniNode[];
}

export type ReplicationMode = 'synchronous' | 'asynchronous';

interface ClusterMember {
  name: string;
  role: 'leader' | 'sync_standby' | 'replica' | 'standby_leader';
  state: string;
  timeline?: number;
}

/** GET /cluster from the first node whose REST API answers: the members as etcd knows them. */
export async function clusterMembers(nodes: PatroniNode[]): Promise<ClusterMember[]> {
  for (const node of nodes) {
    const reply = await fetch(`${node.restUrl}/cluster`, { signal: AbortSignal.timeout(2_000) }).catch(() => undefined);
    if (reply?.ok) return ((await reply.json()) as { members: ClusterMember[] }).members;
  }
  throw new Error('no Patroni REST API answered /cluster');
}

/** The running leader, or undefined while there is none. */
export async function runningLeader(nodes: PatroniNode[]): Promise<PatroniNode | undefined> {
  const members = await clusterMembers(nodes).catch(() => []);
  const leader = members.find((member) => member.role === 'leader' && member.state === 'running');
  return nodes.find((node) => node.name === leader?.name);
}

/** Runs one query on a node itself (not through HAProxy), on a connection of its own. */
export async function queryNode<R>(node: PatroniNode, sql: string, database = 'postgres'): Promise<R[]> {
  const client = new Client({ host: '127.0.0.1', port: node.pgPort, user: 'postgres', database, connectionTimeoutMillis: 2_000 });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return (await client.query(sql)).rows as R[];
  } finally {
    await client.end();
  }
}

/**
 * Healthy in `mode`: a running leader whose every other node streams from it, as the synchronous
 * standby in synchronous mode (Patroni's /sync key and the leader's pg_stat_replication agree).
 */
export async function isHealthy(nodes: PatroniNode[], mode: ReplicationMode): Promise<boolean> {
  const members = await clusterMembers(nodes).catch(() => []);
  const leader = nodes.find((node) => members.some((member) => member.name === node.name && member.role === 'leader' && member.state === 'running'));
  if (!leader) return false;
  const standbys = members.filter((member) => member.name !== leader.name);
  const wantedRole = mode === 'synchronous' ? 'sync_standby' : 'replica';
  if (standbys.length !== nodes.length - 1 || standbys.some((member) => member.role !== wantedRole || member.state !== 'running')) return false;
  const streaming = await queryNode<{ application_name: string; sync_state: string }>(
    leader,
    `SELECT application_name, sync_state FROM pg_stat_replication WHERE state = 'streaming'`,
  ).catch(() => []);
  const wantedSyncState = mode === 'synchronous' ? 'sync' : 'async';
  return standbys.every((member) => streaming.some((row) => row.application_name === member.name && row.sync_state === wantedSyncState));
}

/** Polls `condition` every 100 ms; fails with `what` after timeoutMs. Returns the milliseconds it took. */
export async function pollUntil(what: string, timeoutMs: number, condition: () => Promise<boolean>): Promise<number> {
  const startedAt = Date.now();
  while (!(await condition())) {
    if (Date.now() - startedAt > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(100);
  }
  return Date.now() - startedAt;
}

/**
 * Switches the cluster's replication through Patroni's dynamic configuration (PATCH /config):
 * synchronous_mode with synchronous_mode_strict, or neither. Waits until the cluster is healthy in it.
 */
export async function setReplicationMode(nodes: PatroniNode[], mode: ReplicationMode, timeoutMs = 60_000): Promise<void> {
  const synchronous = mode === 'synchronous';
  const reply = await fetch(`${nodes[0].restUrl}/config`, {
    method: 'PATCH',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ synchronous_mode: synchronous, synchronous_mode_strict: synchronous }),
  });
  if (!reply.ok) throw new Error(`PATCH /config answered ${reply.status} ${await reply.text()}`);
  await pollUntil(`the cluster to be healthy in ${mode} mode`, timeoutMs, () => isHealthy(nodes, mode));
}

/** SIGKILLs a node's postmaster (its pid is the first line of postmaster.pid); its backends exit as they notice. */
export async function killPostmaster(node: PatroniNode): Promise<number> {
  const pid = Number((await readFile(join(node.dataDir, 'postmaster.pid'), 'utf8')).split('\n')[0]);
  process.kill(pid, 'SIGKILL');
  return pid;
}
