import { createTestDatabase, TestDatabase } from '../support/database';

/**
 * The tables that hold no client_id, each with the reason it needs none. Every other table is a
 * client table, and the rules below hold it ready for sharding by client (Citus, distributed on
 * client_id); `schema.*` covers a schema.
 */
const WITHOUT_CLIENT_ID: Record<string, string> = {
  'public.products': 'the catalogue: global, the same for every client (a reference table under Citus)',
  'public.clients': "the tenants themselves: a row's id is the client_id of everything else; api_key is unique across tenants, since authentication finds the tenant by it (a reference table under Citus too)",
  'public.migrations': "TypeORM's record of the migrations applied: the schema's own history",
  'public.sandbox_rail_transfers': "the sandbox's stand-in for an external payout rail: another system's books, keyed as that system keys them (our downstream idempotency key)",
  'pgboss.*': "pg-boss's queue (queues, jobs, archive, schedules, its version): a job names its client in its payload",
};

type Query = TestDatabase['query'];

interface Table {
  oid: number;
  name: string;
  has_client_id: boolean;
}

/**
 * What keeps the schema from being sharded by client, one line per table and constraint: a table
 * without client_id that is not allowed one, a primary key or unique index of a client table
 * without client_id, a foreign key between client tables that does not join client_id to
 * client_id (or into a client table from another), an id column that is neither uuid nor bigint.
 */
async function shardingViolations(query: Query, withoutClientId: Record<string, string>): Promise<string[]> {
  const tables = await query<Table>(`
    SELECT c.oid::int AS oid, n.nspname || '.' || c.relname AS name,
           EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'client_id' AND NOT a.attisdropped) AS has_client_id
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition AND n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\\_%'`);
  const byOid = new Map(tables.map((table) => [table.oid, table]));
  const isClientTable = (oid: number) => byOid.get(oid)?.has_client_id === true;
  const violations: string[] = [];

  const entries = Object.keys(withoutClientId);
  const withoutOne = tables.filter((table) => !table.has_client_id);
  for (const table of withoutOne) {
    if (!entries.some((entry) => matches(entry, table.name))) violations.push(`${table.name}: has no client_id and is not on the list of tables without one`);
  }
  for (const entry of entries) {
    if (!withoutOne.some((table) => matches(entry, table.name))) violations.push(`list of tables without client_id: ${entry} names no such table`);
  }

  const uniqueKeys = await query<{ table: number; name: string; kind: string; definition: string; has_client_id: boolean }>(`
    SELECT i.indrelid::int AS table, coalesce(con.conname, index.relname) AS name,
           CASE con.contype WHEN 'p' THEN 'primary key' WHEN 'u' THEN 'unique constraint' ELSE 'unique index' END AS kind,
           coalesce(pg_get_constraintdef(con.oid), pg_get_indexdef(i.indexrelid)) AS definition,
           EXISTS (SELECT 1 FROM generate_series(0, i.indnkeyatts - 1) k
                   JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[k] WHERE a.attname = 'client_id') AS has_client_id
    FROM pg_index i
    JOIN pg_class index ON index.oid = i.indexrelid
    LEFT JOIN pg_constraint con ON con.conindid = i.indexrelid AND con.contype IN ('p', 'u')
    WHERE i.indisunique`);
  for (const key of uniqueKeys) {
    if (isClientTable(key.table) && !key.has_client_id) violations.push(`${byOid.get(key.table)!.name}: ${key.kind} ${key.name} (${key.definition}) does not include client_id`);
  }

  const foreignKeys = await query<{ table: number; referenced: number; name: string; definition: string; joins_client_id: boolean }>(`
    SELECT con.conrelid::int AS table, con.confrelid::int AS referenced, con.conname AS name, pg_get_constraintdef(con.oid) AS definition,
           EXISTS (SELECT 1 FROM generate_subscripts(con.conkey, 1) k
                   JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = con.conkey[k]
                   JOIN pg_attribute b ON b.attrelid = con.confrelid AND b.attnum = con.confkey[k]
                   WHERE a.attname = 'client_id' AND b.attname = 'client_id') AS joins_client_id
    FROM pg_constraint con WHERE con.contype = 'f'`);
  for (const key of foreignKeys) {
    if (!byOid.has(key.table) || !isClientTable(key.referenced)) continue;
    const where = `${byOid.get(key.table)!.name}: foreign key ${key.name} (${key.definition})`;
    if (!isClientTable(key.table)) violations.push(`${where} points into a client table from a table without client_id`);
    else if (!key.joins_client_id) violations.push(`${where} does not join client_id to client_id`);
  }

  const idColumns = await query<{ table: number; column: string; type: string }>(`
    SELECT a.attrelid::int AS table, a.attname AS column, format_type(a.atttypid, a.atttypmod) AS type
    FROM pg_attribute a
    WHERE a.attnum > 0 AND NOT a.attisdropped AND (a.attname = 'id' OR a.attname LIKE '%client\\_id')`);
  for (const column of idColumns) {
    if (isClientTable(column.table) && !['uuid', 'bigint'].includes(column.type)) {
      violations.push(`${byOid.get(column.table)!.name}: id column ${column.column} is ${column.type}, not uuid or bigint`);
    }
  }
  return violations.sort();
}

/** `schema.table`, or `schema.*` for every table of a schema. */
function matches(entry: string, table: string): boolean {
  return entry.endsWith('.*') ? table.startsWith(entry.slice(0, -1)) : entry === table;
}

describe('schema: ready for sharding by client (Citus)', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(() => db.drop());

  it('holds every client table to client_id in its keys, and lists every table without one', async () => {
    expect(await shardingViolations(db.query, WITHOUT_CLIENT_ID)).toEqual([]);
  });

  it('names the table and the constraint of each violation', async () => {
    await db.query(`CREATE SCHEMA scratch`);
    await db.query(`CREATE TABLE scratch.accounts (client_id uuid NOT NULL, id integer PRIMARY KEY)`);
    await db.query(`CREATE TABLE scratch.tags (client_id uuid NOT NULL, id uuid NOT NULL, account_id integer REFERENCES scratch.accounts (id), label text, PRIMARY KEY (client_id, id))`);
    await db.query(`CREATE UNIQUE INDEX tags_label ON scratch.tags (label)`);
    await db.query(`CREATE TABLE scratch.notes (id serial PRIMARY KEY, account_id integer REFERENCES scratch.accounts (id))`);
    try {
      expect(await shardingViolations(db.query, { ...WITHOUT_CLIENT_ID, 'public.gone': 'dropped long ago' })).toEqual([
        'list of tables without client_id: public.gone names no such table',
        'scratch.accounts: id column id is integer, not uuid or bigint',
        'scratch.accounts: primary key accounts_pkey (PRIMARY KEY (id)) does not include client_id',
        'scratch.notes: foreign key notes_account_id_fkey (FOREIGN KEY (account_id) REFERENCES scratch.accounts(id)) points into a client table from a table without client_id',
        'scratch.notes: has no client_id and is not on the list of tables without one',
        'scratch.tags: foreign key tags_account_id_fkey (FOREIGN KEY (account_id) REFERENCES scratch.accounts(id)) does not join client_id to client_id',
        'scratch.tags: unique index tags_label (CREATE UNIQUE INDEX tags_label ON scratch.tags USING btree (label)) does not include client_id',
      ]);
    } finally {
      await db.query(`DROP SCHEMA scratch CASCADE`);
    }
  });
});
