import { Module } from '@nestjs/common';
import { ClientsModule } from '../clients/clients.module';
import { ConsoleAssets } from './console-assets';
import { ConsoleController } from './console.controller';
import { ConsoleSweeper } from './console-sweeper';

@Module({
  imports: [ClientsModule],
  controllers: [ConsoleController],
  providers: [ConsoleAssets, ConsoleSweeper],
})
export class ConsoleModule {}
