import { Injectable } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { DataSource } from 'typeorm';

export class RecordSummary {
  @ApiProperty({ example: 'ord_abc123_1705689660' }) key: string;
  @ApiProperty({ example: 'POST /v1/orders' }) endpoint: string;
  @ApiProperty({ enum: ['COMPLETED', 'EXPIRED'] }) state: 'COMPLETED' | 'EXPIRED';
  @ApiProperty({ type: 'integer', example: 201 }) response_status: number;
  @ApiProperty({ format: 'date-time' }) created_at: string;
  @ApiProperty({ format: 'date-time' }) expires_at: string;
}

@Injectable()
export class IdempotencyRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** The caller's own records under one key, across endpoints (inspection). */
  findSummaries(clientId: string, key: string): Promise<RecordSummary[]> {
    return this.dataSource.query(
      `SELECT key, endpoint, CASE WHEN expires_at <= now() THEN 'EXPIRED' ELSE 'COMPLETED' END AS state,
              response_status,
              to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS created_at,
              to_char(expires_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS expires_at
       FROM idempotency_keys WHERE client_id = $1 AND key = $2
       ORDER BY created_at DESC, endpoint`,
      [clientId, key],
    );
  }

  /** Deletes up to `limit` remembered signatures past their window (migration SignaturesSeen). */
  async deleteExpiredSignatures(limit: number): Promise<number> {
    const [, deleted]: [unknown, number] = await this.dataSource.query(
      `DELETE FROM signatures_seen s
       USING (SELECT client_id, signature FROM signatures_seen WHERE expires_at <= now() ORDER BY expires_at LIMIT $1 FOR UPDATE SKIP LOCKED) expired
       WHERE s.client_id = expired.client_id AND s.signature = expired.signature`,
      [limit],
    );
    return deleted;
  }

  /** Deletes up to `limit` expired records; rows a claimer holds locked are skipped, not waited on. */
  async deleteExpired(limit: number): Promise<number> {
    const [, deleted]: [unknown, number] = await this.dataSource.query(
      `DELETE FROM idempotency_keys k
       USING (SELECT client_id, endpoint, key FROM idempotency_keys
              WHERE expires_at <= now() ORDER BY expires_at LIMIT $1 FOR UPDATE SKIP LOCKED) expired
       WHERE k.client_id = expired.client_id AND k.endpoint = expired.endpoint AND k.key = expired.key`,
      [limit],
    );
    return deleted;
  }
}
