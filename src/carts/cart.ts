/** A line of a client's cart, priced when it was added; at checkout it becomes the order with its id. */
export interface CartItem {
  id: string;
  productId: number;
  quantity: number;
  denomination: bigint | null;
  amount: bigint;
  currency: string;
  createdAt: Date;
}

/** A client's one cart: every line in one currency (null while it has never held one). */
export interface Cart {
  currency: string | null;
  /** Moves on every change of the lines; a checkout may name the version it expects. */
  version: number;
  items: CartItem[];
}
