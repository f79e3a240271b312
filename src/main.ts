import 'reflect-metadata';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createApp } from './app.factory';
import { AppConfig } from './config/app-config';

async function bootstrap(): Promise<void> {
  const app = await createApp();
  await listenOrClose(app);
}

/** A boot that fails after the app was built still stops what it started (the embedded database, the job queue). */
async function listenOrClose(app: NestFastifyApplication): Promise<void> {
  try {
    await app.listen({ port: app.get(AppConfig).get('PORT'), host: '0.0.0.0' });
  } catch (error) {
    await app.close().catch(() => undefined);
    throw error;
  }
}

// A failed boot ends the process with the reason: an instance that serves nothing must not look alive.
bootstrap().catch((error: unknown) => {
  console.error('Ledgerline failed to start:', error);
  process.exit(1);
});
