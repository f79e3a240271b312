import { Injectable } from '@nestjs/common';
import { InjectTransactionHost } from '@nestjs-cls/transactional';
import { parseMinorUnits } from '../common/money';
import { TxHost } from '../database/transaction';
import { Cart } from './cart';

interface CartRow {
  currency: string;
  version: string;
  id: string | null;
  product_id: number;
  quantity: number;
  denomination: string | null;
  amount: string;
  created_at: Date;
}

/** Writes to a cart are the functions of migration Carts; these are the reads, and the one non-keyed removal. */
@Injectable()
export class CartsRepository {
  constructor(@InjectTransactionHost() private readonly txHost: TxHost) {}

  /** The cart and its lines in one statement, so the version matches the lines. */
  async findCart(clientId: string): Promise<Cart> {
    const rows: CartRow[] = await this.txHost.tx.query(
      `SELECT c.currency, c.version, i.id, i.product_id, i.quantity, i.denomination, i.amount, i.created_at
       FROM carts c LEFT JOIN cart_items i ON i.client_id = c.client_id
       WHERE c.client_id = $1
       ORDER BY i.id`,
      [clientId],
    );
    if (rows.length === 0) return { currency: null, version: 0, items: [] };
    const [{ currency, version }] = rows;
    return {
      currency,
      version: Number(version),
      items: rows
        .filter((row) => row.id !== null)
        .map((row) => ({
          id: row.id!,
          productId: row.product_id,
          quantity: row.quantity,
          denomination: row.denomination === null ? null : parseMinorUnits(row.denomination),
          amount: parseMinorUnits(row.amount),
          currency,
          createdAt: row.created_at,
        })),
    };
  }

  /** False when the client has no such line. */
  async removeItem(clientId: string, itemId: string): Promise<boolean> {
    const [row]: Array<{ removed: boolean }> = await this.txHost.tx.query(`SELECT remove_cart_item(p_client_id => $1, p_item_id => $2) AS removed`, [clientId, itemId]);
    return row.removed;
  }
}
