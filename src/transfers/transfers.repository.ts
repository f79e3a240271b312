import { Injectable } from '@nestjs/common';
import { InjectTransactionHost } from '@nestjs-cls/transactional';
import { TxHost } from '../database/transaction';
import { Transfer } from './transfer.entity';

@Injectable()
export class TransfersRepository {
  constructor(@InjectTransactionHost() private readonly txHost: TxHost) {}

  findOne(clientId: string, id: string): Promise<Transfer | null> {
    return this.txHost.tx.findOneBy(Transfer, { clientId, id });
  }
}
