import { Injectable } from '@nestjs/common';
import { InjectTransactionHost, TransactionHost } from '@nestjs-cls/transactional';
import { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { ClsService } from 'nestjs-cls';

/** The transaction host every repository injects; `txHost.tx` is the current transaction's EntityManager. */
export type TxHost = TransactionHost<TransactionalAdapterTypeOrm>;

/**
 * Opens a CLS context and a transaction around `work`. CLS is opened here, per unit of work, instead
 * of on every request: mounting it globally cost most of a bare endpoint's throughput (docs/architecture.md, step 3).
 */
@Injectable()
export class UnitOfWork {
  constructor(
    private readonly cls: ClsService,
    @InjectTransactionHost() private readonly txHost: TxHost,
  ) {}

  run<T>(work: () => Promise<T>): Promise<T> {
    return this.cls.run(() => this.txHost.withTransaction(work));
  }
}
