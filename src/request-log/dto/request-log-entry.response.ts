import { ApiProperty } from '@nestjs/swagger';

export class RequestLogEntryResponse {
  @ApiProperty({ example: '0b6f3f0e-8d5c-4c38-9a51-0f6f8e0a6a1b', description: 'The request id (X-Request-Id)' }) id: string;
  @ApiProperty({ example: 'POST' }) method: string;
  @ApiProperty({ example: '/api/v1/orders', description: 'The route template' }) route: string;
  @ApiProperty({ example: '/api/v1/orders', description: 'The path as requested, with its query' }) path: string;
  @ApiProperty({ example: 201, nullable: true, type: Number, description: 'null when no answer was sent (drop-response)' }) status: number | null;
  @ApiProperty({ example: 'ord_abc123_1705689660', nullable: true, type: String }) idempotency_key: string | null;
  @ApiProperty({ enum: ['executed', 'replayed', 'reused', 'in_use', null], nullable: true, description: 'null for a request without a key' }) idempotency_outcome: string | null;
  @ApiProperty({ example: 'drop-response', nullable: true, type: String, description: 'The sandbox fault it carried: X-Sandbox-Fault or a fault rule' }) sandbox_fault: string | null;
  @ApiProperty({ example: 4.2 }) duration_ms: number;
  @ApiProperty({ nullable: true, type: String, description: 'As received, secrets replaced by "[redacted]", at most 16 KiB' }) request_body: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'As answered, secrets replaced by "[redacted]", at most 16 KiB' }) response_body: string | null;
  @ApiProperty({ format: 'date-time', description: 'When the request arrived' }) created_at: string;
}
