import 'reflect-metadata';
import { createApp } from './app.factory';
import { AppConfig } from './config/app-config';

async function bootstrap(): Promise<void> {
  const app = await createApp();
  await app.listen({ port: app.get(AppConfig).get('PORT'), host: '0.0.0.0' });
}

void bootstrap();
