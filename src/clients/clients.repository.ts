import { Injectable } from '@nestjs/common';
import { InjectTransactionHost } from '@nestjs-cls/transactional';
import { v7 as uuidv7 } from 'uuid';
import { TxHost } from '../database/transaction';
import { Client } from './client.entity';
import { NewCredentials, UsedSignature } from './credentials';

@Injectable()
export class ClientsRepository {
  constructor(@InjectTransactionHost() private readonly txHost: TxHost) {}

  /** Remembers a signature with the request it signed; false when it already signed another request. */
  async firstUseOf(clientId: string, signature: UsedSignature): Promise<boolean> {
    const [row]: Array<{ first: boolean }> = await this.txHost.tx.query(
      `SELECT signature_first_use(p_client_id => $1, p_signature => $2, p_request_hash => $3) AS first`,
      [clientId, signature.bytes, signature.requestHash],
    );
    return row.first;
  }

  findByApiKey(apiKey: string): Promise<Client | null> {
    return this.txHost.tx.findOneBy(Client, { apiKey });
  }

  /** The client whose secret hashes to this (unique, indexed: migration SecretLookup). */
  findBySecretHash(secretHash: Buffer): Promise<Client | null> {
    return this.txHost.tx.findOneBy(Client, { secretHash });
  }

  async insert(name: string, credentials: NewCredentials): Promise<Client> {
    const client = this.txHost.tx.create(Client, {
      id: uuidv7(),
      name,
      apiKey: credentials.apiKey,
      secretHash: credentials.secretHash,
      secretSealed: credentials.secretSealed,
      isSandbox: false,
    });
    return this.txHost.tx.save(client);
  }

  /** Inserts the one sandbox client unless it exists; returns it only if this call created it. */
  async insertSandboxIfAbsent(credentials: NewCredentials): Promise<Client | null> {
    const rows: Array<{ id: string }> = await this.txHost.tx.query(
      `INSERT INTO clients (id, name, api_key, secret_hash, secret_sealed, is_sandbox)
       VALUES ($1, 'sandbox', $2, $3, $4, true)
       ON CONFLICT ((true)) WHERE is_sandbox DO NOTHING
       RETURNING id`,
      [uuidv7(), credentials.apiKey, credentials.secretHash, credentials.secretSealed],
    );
    return rows[0] ? this.txHost.tx.findOneByOrFail(Client, { id: rows[0].id }) : null;
  }
}
