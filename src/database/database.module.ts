import { Global, Inject, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { createDataSource, runMigrations } from './data-source';
import { EmbeddedDatabase, startEmbeddedPostgres } from './embedded-postgres';

const EMBEDDED_DATABASE = Symbol('EMBEDDED_DATABASE');

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
      provide: DataSource,
      inject: [AppConfig, EMBEDDED_DATABASE],
      useFactory: async (config: AppConfig, embedded: EmbeddedDatabase | null): Promise<DataSource> => {
        const url = config.get('DATABASE_URL') ?? embedded!.url;
        const dataSource = await createDataSource(url, config.get('DATABASE_POOL_SIZE')).initialize();
        const applied = await runMigrations(dataSource);
        if (applied.length > 0) new Logger('Database').log(`Applied migrations: ${applied.join(', ')}`);
        return dataSource;
      },
    },
  ],
  exports: [DataSource],
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
