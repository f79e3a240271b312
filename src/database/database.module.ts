import { Global, Inject, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { createDataSource, migrate } from './data-source';
import { EmbeddedDatabase, startEmbeddedPostgres } from './embedded-postgres';

const EMBEDDED_DATABASE = Symbol('EMBEDDED_DATABASE');

/** Where what needs a session of its own connects (migrations, the job queue): never a transaction-mode pooler. */
export abstract class DirectDatabase {
  abstract readonly url: string;
}

@Global()
@Module({
  providers: [
    {
      // With no DATABASE_URL, the app runs its own PostgreSQL so a fresh machine needs no install.
      provide: EMBEDDED_DATABASE,
      inject: [AppConfig],
      useFactory: (config: AppConfig): Promise<EmbeddedDatabase> | null =>
        config.get('DATABASE_URL') ? null : startEmbeddedPostgres(config.get('EMBEDDED_PG_DIR'), config.get('EMBEDDED_PG_PORT')),
    },
    {
      provide: DirectDatabase,
      inject: [AppConfig, EMBEDDED_DATABASE],
      useFactory: (config: AppConfig, embedded: EmbeddedDatabase | null): DirectDatabase => ({
        url: config.get('DATABASE_DIRECT_URL') ?? config.get('DATABASE_URL') ?? embedded!.url,
      }),
    },
    {
      // Requests' connections: DATABASE_URL, which may be a transaction-mode pooler.
      provide: DataSource,
      inject: [AppConfig, EMBEDDED_DATABASE, DirectDatabase],
      useFactory: async (config: AppConfig, embedded: EmbeddedDatabase | null, direct: DirectDatabase): Promise<DataSource> => {
        const applied = await migrate(direct.url);
        if (applied.length > 0) new Logger('Database').log(`Applied migrations: ${applied.join(', ')}`);
        return createDataSource(config.get('DATABASE_URL') ?? embedded!.url, config.get('DATABASE_POOL_SIZE'), config.get('DATABASE_POOL_WAIT_MS')).initialize();
      },
    },
  ],
  exports: [DataSource, DirectDatabase],
})
export class DatabaseModule implements OnApplicationShutdown {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(EMBEDDED_DATABASE) private readonly embedded: EmbeddedDatabase | null,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
    await this.embedded?.stop();
  }
}
