import 'reflect-metadata';
import cluster from 'node:cluster';
import { loadDotEnv } from './config/dotenv';
import { validateEnv } from './config/env.schema';
import type { serve } from './serve';
import { superviseWorkers } from './workers';

// First, before anything reads a setting.
loadDotEnv();

// Decides the process shape, so it is read before any app (and its config) exists.
const workers = cluster.isPrimary ? validateEnv(process.env).WEB_CONCURRENCY : 1;
if (workers > 1) {
  superviseWorkers(workers);
} else {
  // Required here, not imported at the top: a primary that only supervises workers never loads the app.
  (require('./serve') as { serve: typeof serve }).serve();
}
