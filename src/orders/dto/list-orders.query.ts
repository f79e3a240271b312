import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Length } from 'class-validator';
import { PageQuery } from '../../common/pagination';

export class ListOrdersQuery extends PageQuery {
  /** All orders placed under this reference, newest first (a reference may be reused after its key expires). */
  @ApiPropertyOptional({ example: 'cart-1001' })
  @IsOptional() @IsString() @Length(1, 250)
  client_order_id?: string;
}
