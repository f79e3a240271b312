import { Module } from '@nestjs/common';
import { PayoutSettlement } from './payout-settlement';
import { PayoutsController } from './payouts.controller';
import { PayoutsRepository } from './payouts.repository';
import { PayoutsService } from './payouts.service';
import { SandboxPayoutRail } from './sandbox-payout-rail';
import { StrandedPayouts } from './stranded-payouts';

@Module({
  controllers: [PayoutsController],
  providers: [PayoutsService, PayoutsRepository, PayoutSettlement, SandboxPayoutRail, StrandedPayouts],
  exports: [PayoutsService],
})
export class PayoutsModule {}
