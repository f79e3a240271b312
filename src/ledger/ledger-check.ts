import { ApiProperty } from '@nestjs/swagger';
import { DataSource } from 'typeorm';

class CurrencySum {
  @ApiProperty({ example: 'USD' }) currency: string;
  @ApiProperty({ example: '0', description: 'Exact decimal string' }) sum: string;
}

class BalanceMismatch {
  @ApiProperty({ format: 'uuid' }) client_id: string;
  @ApiProperty({ format: 'uuid' }) wallet_id: string;
  @ApiProperty({ example: 'USD' }) currency: string;
  @ApiProperty({ example: '101' }) balance: string;
  @ApiProperty({ example: '100' }) entries_sum: string;
}

export class LedgerCheckReport {
  @ApiProperty() ok: boolean;
  /** Per currency: wallet balances plus system-account entries; zero when the books balance. */
  @ApiProperty({ type: [CurrencySum], description: 'Wallet balances plus system-account entries, per currency: zero when the books balance' })
  currencies: CurrencySum[];
  /** Wallets whose balance differs from the sum of their entries. */
  @ApiProperty({ type: [BalanceMismatch] })
  mismatches: BalanceMismatch[];
}

/** Verifies the ledger's two invariants on one consistent snapshot (REPEATABLE READ, read only). */
export async function checkLedger(dataSource: DataSource): Promise<LedgerCheckReport> {
  return dataSource.transaction('REPEATABLE READ', async (tx) => {
    await tx.query('SET TRANSACTION READ ONLY');
    const currencies: LedgerCheckReport['currencies'] = await tx.query(`
      WITH wallet_totals AS (SELECT currency, sum(balance) AS total FROM wallets GROUP BY currency),
           system_totals AS (SELECT currency, sum(amount) AS total FROM ledger_entries
                             WHERE system_account IS NOT NULL GROUP BY currency)
      SELECT currency, (coalesce(w.total, 0) + coalesce(s.total, 0))::text AS sum
      FROM wallet_totals w FULL JOIN system_totals s USING (currency)
      ORDER BY currency`);
    const mismatches: LedgerCheckReport['mismatches'] = await tx.query(`
      SELECT w.client_id, w.id AS wallet_id, w.currency, w.balance::text AS balance,
             coalesce(e.total, 0)::text AS entries_sum
      FROM wallets w
      LEFT JOIN (SELECT client_id, wallet_id, sum(amount) AS total FROM ledger_entries
                 WHERE wallet_id IS NOT NULL GROUP BY client_id, wallet_id) e
        ON e.client_id = w.client_id AND e.wallet_id = w.id
      WHERE w.balance <> coalesce(e.total, 0)
      ORDER BY w.client_id, w.id`);
    return { ok: mismatches.length === 0 && currencies.every((c) => c.sum === '0'), currencies, mismatches };
  });
}
