// `npm run test:ha` only (test/ha/run.sh starts the cluster first); `npm test` never matches *.ha.ts.
const base = require('../../jest.config');

module.exports = {
  ...base,
  rootDir: '../..',
  testRegex: 'test/ha/.*\\.ha\\.ts$',
  // The HA test makes its own databases on the Patroni cluster: no template on the machine's PostgreSQL.
  globalSetup: undefined,
  globalTeardown: undefined,
};
