import { IdempotencyOptions, IdempotentResult, keyInHeader, sendKeyed } from './idempotency';
import { CreateClientRequest, CreditRequest, Deposit, IssuedClient, LedgerCheckReport } from './models';
import { ConnectionOptions, segment, Transport } from './transport';

export interface LedgerlineAdminOptions extends ConnectionOptions {
  /** The service's `ADMIN_TOKEN`, sent as a Bearer token. */
  adminToken: string;
}

/** The operator's API (`/v1/admin/*`): tenants, credits and the ledger check. */
export class LedgerlineAdmin {
  private readonly transport: Transport;

  constructor(options: LedgerlineAdminOptions) {
    this.transport = new Transport(options, { authorization: `Bearer ${options.adminToken}` });
  }

  /**
   * Creates a client (tenant) and returns its secret, shown this once. Not retried: it takes no key
   * (outside the idempotency layer), so a retry after a lost answer would create a second client.
   */
  async createClient(client: CreateClientRequest): Promise<IssuedClient> {
    return (await this.transport.send<IssuedClient>({ method: 'POST', path: '/v1/admin/clients', body: client, retry: false })).data;
  }

  /**
   * Credits a client's wallet from FUNDING: how money enters in production. Exactly once per key, in
   * the operator's own key scope, so it is retried safely under that key like a client's POST.
   */
  creditWallet(walletId: string, credit: CreditRequest, options: IdempotencyOptions = {}): Promise<IdempotentResult<Deposit>> {
    return sendKeyed(this.transport, 'POST', `/v1/admin/wallets/${segment(walletId)}/credits`, credit, keyInHeader(options));
  }

  /** Verifies that every wallet equals its entries and every currency sums to zero. */
  async checkLedger(): Promise<LedgerCheckReport> {
    return (await this.transport.send<LedgerCheckReport>({ method: 'GET', path: '/v1/admin/ledger/check', retry: true })).data;
  }
}
