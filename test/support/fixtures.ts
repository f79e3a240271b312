import { Client } from 'pg';
import { ADMIN_TOKEN, Credentials, TestApp, withKey } from './test-app';

/** A wallet of `currency` holding `balance` minor units (funded through a real deposit). */
export async function fundedWallet(t: TestApp, who: Credentials, currency: string, balance: number): Promise<string> {
  const wallet = await t.request('POST', '/v1/wallets', { headers: who.headers, body: { currency } });
  if (wallet.status !== 201) throw new Error(`wallet creation failed: ${wallet.body}`);
  if (balance > 0) {
    const deposit = await t.request('POST', `/v1/wallets/${wallet.json.id}/deposits`, { headers: withKey(who.headers), body: { amount: balance } });
    if (deposit.status !== 201) throw new Error(`deposit failed: ${deposit.body}`);
  }
  return wallet.json.id;
}

export async function balanceOf(t: TestApp, who: Credentials, walletId: string): Promise<number> {
  return (await t.request('GET', `/v1/wallets/${walletId}`, { headers: who.headers })).json.balance;
}

export async function ledgerIsBalanced(t: TestApp): Promise<boolean> {
  const check = await t.request('GET', '/v1/admin/ledger/check', { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
  return check.json.ok === true;
}

/** Runs `work` while another connection holds the wallet's row lock in an open transaction. */
export async function whileWalletLocked<T>(t: TestApp, walletId: string, work: () => Promise<T>): Promise<T> {
  const holder = new Client({ connectionString: t.db.url });
  await holder.connect();
  try {
    await holder.query('BEGIN');
    await holder.query('SELECT 1 FROM wallets WHERE id = $1 FOR UPDATE', [walletId]);
    return await work();
  } finally {
    await holder.query('ROLLBACK');
    await holder.end();
  }
}
