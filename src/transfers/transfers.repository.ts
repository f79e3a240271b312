import { Injectable } from '@nestjs/common';
import { InjectTransactionHost } from '@nestjs-cls/transactional';
import { TxHost } from '../database/transaction';
import { Transfer } from './transfer.entity';

@Injectable()
export class TransfersRepository {
  constructor(@InjectTransactionHost() private readonly txHost: TxHost) {}

  /** insert(), not save(): save() would first SELECT the row to choose between insert and update. */
  async insert(transfer: Omit<Transfer, 'createdAt'>): Promise<Transfer> {
    const { generatedMaps } = await this.txHost.tx.insert(Transfer, transfer);
    return this.txHost.tx.create(Transfer, { ...transfer, ...generatedMaps[0] });
  }

  findOne(clientId: string, id: string): Promise<Transfer | null> {
    return this.txHost.tx.findOneBy(Transfer, { clientId, id });
  }
}
