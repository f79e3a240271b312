export const WEBHOOK_EVENT_TYPES = ['order.completed', 'payout.completed', 'payout.failed', 'transfer.completed', 'deposit.completed'] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];
