import { Foundation1763870400000 } from './1763870400000-foundation';
import { IdempotencyKeys1763874000000 } from './1763874000000-idempotency-keys';
import { MoneyMovements1763877600000 } from './1763877600000-money-movements';
import { Dialects1763881200000 } from './1763881200000-dialects';
import { Webhooks1763884800000 } from './1763884800000-webhooks';
import { EffectRefusal1763888400000 } from './1763888400000-effect-refusal';
import { ExternalTransfers1763891000000 } from './1763891000000-external-transfers';
import { OperatorCredits1763891200000 } from './1763891200000-operator-credits';
import { SignaturesSeen1763891500000 } from './1763891500000-signatures-seen';
import { Operations1763892000000 } from './1763892000000-operations';
import { HotRowKeys1763895600000 } from './1763895600000-hot-row-keys';
import { WebhookStandard1764600000000 } from './1764600000000-webhook-standard';
import { SecretLookup1764610000000 } from './1764610000000-secret-lookup';
import { Carts1764610100000 } from './1764610100000-carts';
import { ShardableTransfers1764620000000 } from './1764620000000-shardable-transfers';
import { Console1764630000000 } from './1764630000000-console';
import { UnloggedRequestLog1764640000000 } from './1764640000000-unlogged-request-log';
import { StrandedPayouts1764650000000 } from './1764650000000-stranded-payouts';
import { WebhookAttemptsByEvent1764660000000 } from './1764660000000-webhook-attempts-by-event';
import { SettlementAbandoned1764670000000 } from './1764670000000-settlement-abandoned';
import { WebhookEndpointLimit1764680000000 } from './1764680000000-webhook-endpoint-limit';
import { FaultRuleLimit1764690000000 } from './1764690000000-fault-rule-limit';
import { WebhookLogRetention1764700000000 } from './1764700000000-webhook-log-retention';
import { DeadLetteredSettlements1764710000000 } from './1764710000000-dead-lettered-settlements';

/** Every migration, in order. Listed explicitly so the same list runs from source (tests) and from dist. */
export const migrations = [Foundation1763870400000, IdempotencyKeys1763874000000, MoneyMovements1763877600000, Dialects1763881200000, Webhooks1763884800000, EffectRefusal1763888400000, ExternalTransfers1763891000000, OperatorCredits1763891200000, SignaturesSeen1763891500000, Operations1763892000000, HotRowKeys1763895600000, WebhookStandard1764600000000, SecretLookup1764610000000, Carts1764610100000, ShardableTransfers1764620000000, Console1764630000000, UnloggedRequestLog1764640000000, StrandedPayouts1764650000000, WebhookAttemptsByEvent1764660000000, SettlementAbandoned1764670000000, WebhookEndpointLimit1764680000000, FaultRuleLimit1764690000000, WebhookLogRetention1764700000000, DeadLetteredSettlements1764710000000];
