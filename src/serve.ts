import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createApp } from './app.factory';
import { AppConfig } from './config/app-config';

/** Builds the app and listens; a failed boot ends the process with the reason (an instance that serves nothing must not look alive). */
export function serve(): void {
  createApp()
    .then(listenOrClose)
    .catch((error: unknown) => {
      console.error('Ledgerline failed to start:', error);
      process.exit(1);
    });
}

/** A boot that fails after the app was built still stops what it started (the embedded database, the job queue). */
async function listenOrClose(app: NestFastifyApplication): Promise<void> {
  try {
    const config = app.get(AppConfig);
    await app.listen({ port: config.get('PORT'), host: config.get('HOST') });
  } catch (error) {
    await app.close().catch(() => undefined);
    throw error;
  }
}
