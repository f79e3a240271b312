import { DynamicModule, Global, Module } from '@nestjs/common';
import { AppConfig } from './app-config';
import { EnvSource, validateEnv } from './env.schema';

@Global()
@Module({})
export class AppConfigModule {
  /**
   * The settings, validated once, here, at boot (main.ts has loaded `.env` into the environment).
   * `overrides` lets tests boot differently configured apps in one process.
   */
  static forRoot(overrides: EnvSource = {}): DynamicModule {
    return {
      module: AppConfigModule,
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
