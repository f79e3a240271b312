import 'reflect-metadata';
import cluster from 'node:cluster';
import { validateEnv } from './config/env.schema';
import type { serve } from './serve';
import { superviseWorkers } from './workers';

// Read from the environment itself (not .env, which each worker's config loads): it decides the process shape.
const workers = cluster.isPrimary ? validateEnv(process.env).WEB_CONCURRENCY : 1;
if (workers > 1) {
  superviseWorkers(workers);
} else {
  // Required here, not imported at the top: a primary that only supervises workers never loads the app.
  (require('./serve') as { serve: typeof serve }).serve();
}
