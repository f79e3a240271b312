import { ApiProperty } from '@nestjs/swagger';

/** Each checked dependency by name, with its status (and, when down, why). */
const BY_DEPENDENCY = {
  type: Object,
  additionalProperties: { type: 'object', required: ['status'], properties: { status: { type: 'string', enum: ['up', 'down'] } }, additionalProperties: true },
};

/** A passed health check, as @nestjs/terminus reports it. */
export class HealthReportResponse {
  @ApiProperty({ enum: ['ok'] }) status: string;
  @ApiProperty({ ...BY_DEPENDENCY, example: { database: { status: 'up' } }, description: 'The dependencies that are up' }) info: Record<string, unknown>;
  @ApiProperty({ ...BY_DEPENDENCY, example: {}, description: 'The dependencies that are down (none)' }) error: Record<string, unknown>;
  @ApiProperty({ ...BY_DEPENDENCY, example: { database: { status: 'up' } }, description: 'Every dependency checked' }) details: Record<string, unknown>;
}
