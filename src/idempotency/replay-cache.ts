import { Injectable } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { performance } from 'node:perf_hooks';
import { AppConfig } from '../config/app-config';

/** Rough bytes an entry holds beyond its body: key, hash, date, the cache's own links. */
const ENTRY_OVERHEAD_BYTES = 1024;

export interface RecordScope {
  clientId: string;
  endpoint: string;
  key: string;
}

/** A recorded answer: every answer is JSON, so its status and body are all of it. */
export interface RecordedAnswer {
  status: number;
  body: string;
}

/** What a replay needs of a committed record. */
export interface CachedRecord {
  requestHash: Buffer;
  recorded: RecordedAnswer;
  createdAt: Date;
}

/**
 * Committed idempotency records kept in memory, so that a repeated replay reads no database.
 *
 * Exact across instances because a committed record never changes while it is live: the only
 * writes to it after its commit are a reclaim once it has expired and the sweeper's delete of
 * expired rows. So an entry may be served until its record expires, and no longer. Lifetimes are
 * counted on the monotonic clock from a local moment taken before the database read its own
 * clock (see `remember`), which makes every entry leave the cache before its record expires,
 * whatever the two clocks say. Least recently used entries go first when the cache is full.
 */
@Injectable()
export class ReplayCache {
  private readonly entries: LRUCache<string, CachedRecord> | null;

  constructor(config: AppConfig) {
    const maxBytes = config.get('IDEMPOTENCY_REPLAY_CACHE_MB') * 1024 * 1024;
    this.entries =
      maxBytes > 0
        ? new LRUCache<string, CachedRecord>({
            maxSize: maxBytes,
            sizeCalculation: (record) => record.recorded.body.length + ENTRY_OVERHEAD_BYTES,
            // Every entry carries its own ttl; an expired one is never returned.
            ttlAutopurge: false,
            allowStale: false,
          })
        : null;
  }

  get(scope: RecordScope): CachedRecord | undefined {
    return this.entries?.get(cacheKey(scope));
  }

  /**
   * `startedAt` is a `performance.now()` taken before the call that read the record began, and
   * `lifetimeMs` the record's time left as that call's `now()` saw it.
   */
  remember(scope: RecordScope, record: CachedRecord, startedAt: number, lifetimeMs: number): void {
    const ttl = Math.floor(startedAt + lifetimeMs - performance.now());
    if (this.entries && ttl > 0) this.entries.set(cacheKey(scope), record, { ttl });
  }
}

function cacheKey({ clientId, endpoint, key }: RecordScope): string {
  // None of the three can hold a newline (a UUID, a route, a validated key).
  return `${clientId}\n${endpoint}\n${key}`;
}
