// Places orders through the Ledgerline SDK while the sandbox drops answers and fails commits, then
// shows that each order was charged exactly once. See examples/README.md to run it.
import { Ledgerline, LedgerlineError } from '../sdk/dist/index.js';

const GIFT_CARD = 123; // the seeded catalogue's USD gift card: 1000, 2500, 5000 or 10000 minor units

/** Each order, and the sandbox fault its successive attempts run into (none past the list). */
const ORDERS = [
  { denomination: 1000, faults: ['drop-response'] }, // committed, answer lost: the retry gets the replay
  { denomination: 2500, faults: ['fail-before-commit'] }, // rolled back with a 500: the retry executes
  { denomination: 5000, faults: ['fail-before-commit', 'drop-response'] },
  { denomination: 10000, faults: ['drop-response', 'fail-before-commit'] }, // a replay ignores its fault
  { denomination: 2500, faults: [] },
];

function requiredEnv(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: use the sandbox credentials \`npm start\` printed (see examples/README.md)`);
  return value;
}

/** A fetch that asks the sandbox, through X-Sandbox-Fault, for the planned fault on each POST. */
function faultInjector() {
  let planned = [];
  return {
    plan(faults) {
      planned = [...faults];
    },
    fetch(url, init) {
      const fault = init.method === 'POST' ? planned.shift() : undefined;
      if (!fault) return fetch(url, init);
      const headers = new Headers(init.headers);
      headers.set('X-Sandbox-Fault', fault);
      return fetch(url, { ...init, headers });
    },
  };
}

/** Minor units as a decimal amount, without floating point (USD has two decimals). */
function formatUsd(minorUnits) {
  const sign = minorUnits < 0 ? '-' : '';
  const units = Math.abs(minorUnits);
  return `${sign}${Math.trunc(units / 100)}.${String(units % 100).padStart(2, '0')} USD`;
}

async function main() {
  const baseUrl = process.env.LEDGERLINE_URL ?? 'http://localhost:3000';
  const walletId = requiredEnv('LEDGERLINE_WALLET_ID');
  const faults = faultInjector();
  const ledgerline = new Ledgerline({
    baseUrl,
    apiKey: requiredEnv('LEDGERLINE_API_KEY'),
    apiSecret: requiredEnv('LEDGERLINE_API_SECRET'),
    fetch: faults.fetch,
  });

  const before = (await ledgerline.getWallet(walletId)).balance;
  console.log(`Ledgerline at ${baseUrl}, wallet ${walletId}: balance before ${formatUsd(before)}\n`);

  // Our own order references: they are the idempotency keys, and the orders can be found by them.
  const run = Date.now().toString(36);
  let total = 0;
  let chargedOnce = 0;
  for (const [index, { denomination, faults: plannedFaults }] of ORDERS.entries()) {
    const reference = `charge-once-${run}-${index + 1}`;
    faults.plan(plannedFaults);
    const { data: order, attempts, replayed } = await ledgerline.placeOrder(
      { wallet_id: walletId, product_id: GIFT_CARD, denomination, quantity: 1 },
      { clientOrderId: reference },
    );
    const ordersUnderReference = (await ledgerline.listOrders({ client_order_id: reference })).data.length;
    total += order.amount;
    if (ordersUnderReference === 1) chargedOnce++;
    console.log(
      [
        `order ${index + 1} ${reference} (${order.id})`,
        `  ${formatUsd(order.amount)}, faults injected: ${plannedFaults.join(', ') || 'none'}`,
        `  attempts: ${attempts}, final answer a replay: ${replayed}`,
        `  orders under this reference: ${ordersUnderReference} -> ${ordersUnderReference === 1 ? 'charged once' : 'NOT charged once'}`,
      ].join('\n'),
    );
  }

  const after = (await ledgerline.getWallet(walletId)).balance;
  console.log(`\nbalance after ${formatUsd(after)}: debited ${formatUsd(before - after)}, the orders total ${formatUsd(total)}`);
  // The balance check assumes nothing else used the wallet meanwhile.
  if (chargedOnce === ORDERS.length && before - after === total) {
    console.log(`OK: all ${ORDERS.length} orders charged exactly once`);
  } else {
    console.log(`FAILED: ${chargedOnce} of ${ORDERS.length} orders charged exactly once; the balance moved by ${before - after}, expected ${total}`);
    process.exitCode = 1;
  }
}

main().catch((error) => {
  if (error instanceof LedgerlineError) {
    console.error(`Ledgerline error ${error.status} ${error.code}: ${error.message} (request ${error.requestId ?? 'none'})`);
  } else {
    console.error(error instanceof Error ? error.message : error);
  }
  process.exitCode = 1;
});
