import { ServerProcess } from '../../support/server-process';

/**
 * Stops a server process: SIGTERM for a graceful shutdown, then SIGKILL if it has not ended within
 * graceMs (a shutdown can wait forever behind a request that never finishes), so a failed test
 * never leaves a process behind.
 */
export async function stopServer(server: ServerProcess | undefined, graceMs = 5_000): Promise<void> {
  if (!server || server.child.exitCode !== null || server.child.signalCode !== null) return;
  server.child.kill('SIGTERM');
  const timer = setTimeout(() => server.child.kill('SIGKILL'), graceMs);
  await server.exited;
  clearTimeout(timer);
}
