import { BeforeApplicationShutdown, Injectable } from '@nestjs/common';

/**
 * Set when shutdown begins, before the HTTP server closes. Responses then carry
 * `Connection: close`: a keep-alive connection that was busy when the server started closing would
 * otherwise stay open until its keep-alive timeout, and hold up the exit.
 */
@Injectable()
export class Drain implements BeforeApplicationShutdown {
  draining = false;

  beforeApplicationShutdown(): void {
    this.draining = true;
  }
}
