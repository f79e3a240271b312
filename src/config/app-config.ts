import { Env } from './env.schema';

/** Not a secret: it only keeps development databases from holding API secrets in clear. */
const DEVELOPMENT_CREDENTIALS_KEY = Buffer.from('ledgerline-development-only-key!', 'utf8');

/** Typed, read-only access to the settings validated at boot (see env.schema.ts). */
export class AppConfig {
  constructor(private readonly env: Readonly<Env>) {}

  get<K extends keyof Env>(key: K): Env[K] {
    return this.env[key];
  }

  get isProduction(): boolean {
    return this.env.NODE_ENV === 'production';
  }

  /** Sandbox faults and fault rules: everywhere but production. */
  get sandboxEnabled(): boolean {
    return !this.isProduction;
  }

  get consoleEnabled(): boolean {
    return this.env.CONSOLE_ENABLED === undefined ? !this.isProduction : this.env.CONSOLE_ENABLED === 'true';
  }

  get requestLogEnabled(): boolean {
    return this.env.REQUEST_LOG_ENABLED === undefined ? this.consoleEnabled : this.env.REQUEST_LOG_ENABLED === 'true';
  }

  /** The key sealing stored API secrets; outside production a fixed, public development key. */
  get credentialsKey(): Buffer {
    return this.env.CREDENTIALS_KEY ? Buffer.from(this.env.CREDENTIALS_KEY, 'base64') : DEVELOPMENT_CREDENTIALS_KEY;
  }
}
