import { Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { AuthenticatedClient } from './authenticated-client';

export interface VerifiableCredentials {
  client: AuthenticatedClient;
  secretHash: Buffer;
  secretSealed: Buffer | null;
}

interface CachedCredentials extends VerifiableCredentials {
  expiresAt: number;
}

const MAX_ENTRIES = 10_000;

/**
 * API credentials, kept briefly (AUTH_CACHE_TTL_MS) so a hot client costs no query per request.
 * Entries are what the database holds for a key (never anything a caller sent); every request
 * is still checked against them.
 */
@Injectable()
export class CredentialsCache {
  private readonly entries = new Map<string, CachedCredentials>();

  constructor(private readonly config: AppConfig) {}

  get(apiKey: string): CachedCredentials | undefined {
    const entry = this.entries.get(apiKey);
    if (entry && entry.expiresAt > Date.now()) return entry;
    if (entry) this.entries.delete(apiKey);
    return undefined;
  }

  set(apiKey: string, credentials: VerifiableCredentials): void {
    const ttl = this.config.get('AUTH_CACHE_TTL_MS');
    if (ttl === 0) return;
    if (this.entries.size >= MAX_ENTRIES) {
      // Maps iterate in insertion order: drop the oldest entry.
      this.entries.delete(this.entries.keys().next().value as string);
    }
    this.entries.set(apiKey, { ...credentials, expiresAt: Date.now() + ttl });
  }
}
