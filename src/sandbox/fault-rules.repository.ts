import { Injectable } from '@nestjs/common';
import { InjectTransactionHost } from '@nestjs-cls/transactional';
import { TxHost } from '../database/transaction';

export interface FaultRuleRow {
  id: string;
  fault: string;
  endpoint: string | null;
  key_prefix: string | null;
  remaining: number;
  created_at: Date;
}

@Injectable()
export class FaultRulesRepository {
  constructor(@InjectTransactionHost() private readonly txHost: TxHost) {}

  /** Newest first; `beforeId` is the last id of the previous page. */
  findPage(clientId: string, limit: number, beforeId?: string): Promise<FaultRuleRow[]> {
    return this.txHost.tx.query(
      `SELECT id, fault, endpoint, key_prefix, remaining, created_at FROM sandbox_fault_rules
       WHERE client_id = $1 AND ($2::uuid IS NULL OR id < $2) ORDER BY id DESC LIMIT $3`,
      [clientId, beforeId ?? null, limit + 1],
    );
  }

  async delete(clientId: string, id: string): Promise<boolean> {
    const [, deleted]: [unknown, number] = await this.txHost.tx.query(`DELETE FROM sandbox_fault_rules WHERE client_id = $1 AND id = $2`, [clientId, id]);
    return deleted > 0;
  }

  /** The clients with a request-fault rule armed. */
  async armedClients(): Promise<string[]> {
    const rows: Array<{ client_id: string }> = await this.txHost.tx.query(
      `SELECT DISTINCT client_id FROM sandbox_fault_rules WHERE remaining > 0 AND fault <> 'rail-reject'`,
    );
    return rows.map((row) => row.client_id);
  }

  /** One use of the oldest matching rule (`spend_fault_rule`), and whether any rule is still armed for the client. */
  async spend(clientId: string, endpoints: string[], key: string): Promise<{ fault: string | null; armed: boolean }> {
    const [row]: Array<{ fault: string | null; armed: boolean }> = await this.txHost.tx.query(
      `SELECT fault, armed FROM spend_fault_rule(p_client_id => $1, p_endpoints => $2, p_key => $3)`,
      [clientId, endpoints, key],
    );
    return row;
  }

  /** Deletes up to `limit` rules spent more than `ageSeconds` ago. */
  async deleteSpent(ageSeconds: number, limit: number): Promise<number> {
    const [, deleted]: [unknown, number] = await this.txHost.tx.query(
      `DELETE FROM sandbox_fault_rules r
       USING (SELECT client_id, id FROM sandbox_fault_rules WHERE spent_at < now() - make_interval(secs => $1) LIMIT $2) spent
       WHERE r.client_id = spent.client_id AND r.id = spent.id`,
      [ageSeconds, limit],
    );
    return deleted;
  }
}
