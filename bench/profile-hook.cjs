// Preloaded (node --require) into the profiling instance of the service only, never into the
// instance whose figures are reported. Driven over the IPC channel the harness opens: 'start'
// starts the V8 CPU profiler, 'stop' stops it and answers with the profile's file, so each
// profile covers exactly one load run. (Signals are taken: Nest shuts down on SIGUSR2, and
// SIGUSR1 opens the inspector.)
'use strict';
const fs = require('node:fs');
const inspector = require('node:inspector');

const file = process.env.BENCH_PROFILE_FILE;
if (file && process.send) {
  const session = new inspector.Session();
  session.connect();
  let count = 0;
  session.post('Profiler.enable', () => session.post('Profiler.setSamplingInterval', { interval: 500 }));
  process.on('message', (message) => {
    if (message === 'start') {
      session.post('Profiler.start', () => process.send({ started: true }));
    } else if (message === 'stop') {
      session.post('Profiler.stop', (error, result) => {
        const written = `${file}.${++count}.cpuprofile`;
        fs.writeFileSync(written, error ? JSON.stringify({ error: String(error) }) : JSON.stringify(result.profile));
        process.send({ written });
      });
    }
  });
  // The channel must not keep the service alive once it has shut down.
  process.channel?.unref();
}
