import { Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { AuthenticatedClient } from './authenticated-client';

export interface VerifiableCredentials {
  client: AuthenticatedClient;
  secretHash: Buffer;
  secretSealed: Buffer | null;
}

interface CachedEntry {
  /** null: the lookup finds no client (remembered, so that a flood of unknown keys costs no query). */
  credentials: VerifiableCredentials | null;
  expiresAt: number;
}

const MAX_ENTRIES = 10_000;

/**
 * API credentials, kept briefly (AUTH_CACHE_TTL_MS) so a hot client costs no query per request.
 * Entries are what the database holds for a lookup (`key <api key>`, or `secret <hex SHA-256 of a
 * bearer secret>`; never anything a caller sent as a credential), or that it holds nothing; every
 * request is still checked against them. Keys are 96 random bits and secrets 256, so remembering
 * that one is unknown never hides a client created meanwhile.
 */
@Injectable()
export class CredentialsCache {
  private readonly entries = new Map<string, CachedEntry>();

  constructor(private readonly config: AppConfig) {}

  /** The lookup's credentials, null when it is known to find nobody, undefined when not cached. */
  get(lookup: string): VerifiableCredentials | null | undefined {
    const entry = this.entries.get(lookup);
    if (entry && entry.expiresAt > Date.now()) return entry.credentials;
    if (entry) this.entries.delete(lookup);
    return undefined;
  }

  set(lookup: string, credentials: VerifiableCredentials | null): void {
    const ttl = this.config.get('AUTH_CACHE_TTL_MS');
    if (ttl === 0) return;
    if (this.entries.size >= MAX_ENTRIES) {
      // Maps iterate in insertion order: drop the oldest entry.
      this.entries.delete(this.entries.keys().next().value as string);
    }
    this.entries.set(lookup, { credentials, expiresAt: Date.now() + ttl });
  }
}
