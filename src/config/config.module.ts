import { DynamicModule, Global, Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { AppConfig } from './app-config';
import { EnvSource, validateEnv } from './env.schema';

@Global()
@Module({})
export class AppConfigModule {
  /**
   * @nestjs/config loads `.env` into the environment; the settings are then validated once, here,
   * at boot. `overrides` lets tests boot differently configured apps in one process.
   */
  static forRoot(overrides: EnvSource = {}): DynamicModule {
    return {
      module: AppConfigModule,
      imports: [ConfigModule.forRoot({ ignoreEnvFile: process.env.NODE_ENV === 'test' })],
      providers: [
        {
          provide: AppConfig,
          useFactory: () => new AppConfig(validateEnv({ ...process.env, ...overrides })),
        },
      ],
      exports: [AppConfig],
    };
  }
}
