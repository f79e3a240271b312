import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, Matches } from 'class-validator';
import { PageQuery } from '../../common/pagination';

export class RequestLogQuery extends PageQuery {
  @ApiPropertyOptional({ description: 'Only requests under this idempotency key (every attempt, across endpoints)', example: 'ord_abc123_1705689660' })
  @IsOptional() @Matches(/^[\x21-\x7e]{1,256}$/, { message: 'idempotency_key must be 1–256 visible ASCII characters' })
  idempotency_key?: string;

  @ApiPropertyOptional({ description: 'An exact status (`409`) or a class (`4xx`)', example: '4xx' })
  @IsOptional() @Matches(/^[1-5]([0-9]{2}|xx)$/, { message: 'status must be a status code such as 409, or a class such as 4xx' })
  status?: string;

  @ApiPropertyOptional({ description: 'A route template', example: '/api/v1/orders' })
  @IsOptional() @Matches(/^\/[\x21-\x7e]{0,199}$/, { message: 'route must be a route template such as /v1/orders' })
  route?: string;
}
