import { DynamicModule, Global, Module, Provider } from '@nestjs/common';
import { APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import { ClsPluginTransactional } from '@nestjs-cls/transactional';
import { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { ClsModule } from 'nestjs-cls';
import { DataSource } from 'typeorm';
import { UnitOfWork } from './transaction';

/**
 * ClsModule.forRoot always adds a global guard and interceptor, no-ops unless CLS is mounted per
 * request; UnitOfWork opens CLS itself, so they are left out: each cost every request an extra
 * enhancer hop (an rxjs pipe and an AsyncResource.bind).
 */
function withoutRequestEnhancers(module: DynamicModule): DynamicModule {
  const isRequestEnhancer = (provider: Provider): boolean =>
    typeof provider === 'object' && 'provide' in provider && (provider.provide === APP_GUARD || provider.provide === APP_INTERCEPTOR);
  return { ...module, providers: module.providers?.filter((provider) => !isRequestEnhancer(provider)) };
}

@Global()
@Module({
  imports: [
    withoutRequestEnhancers(
      ClsModule.forRoot({
        global: true,
        plugins: [new ClsPluginTransactional({ adapter: new TransactionalAdapterTypeOrm({ dataSourceToken: DataSource }) })],
      }),
    ),
  ],
  providers: [UnitOfWork],
  exports: [UnitOfWork],
})
export class TransactionModule {}
