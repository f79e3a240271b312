import { Injectable } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { AppConfig } from '../config/app-config';
import { ClientsRepository } from './clients.repository';
import { generateCredentials } from './credentials';

export class IssuedClient {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 'acme' }) name: string;
  @ApiProperty({ example: 'ak_0036619e2f1c4a7b9d8e5f21' }) api_key: string;
  /** Shown once, in this response; never stored in clear. */
  @ApiProperty({ example: 'sk_XJb_eJ-MuwEq1NUPmZFjCpsvtV2hJnwEC4ms9IZ4yBw', description: 'Shown once; keep it safe' }) api_secret: string;
}

@Injectable()
export class ClientsService {
  constructor(
    private readonly clients: ClientsRepository,
    private readonly config: AppConfig,
  ) {}

  async create(name: string): Promise<IssuedClient> {
    const credentials = generateCredentials(this.config.credentialsKey);
    const client = await this.clients.insert(name, credentials);
    return { id: client.id, name: client.name, api_key: credentials.apiKey, api_secret: credentials.apiSecret };
  }

  /** Creates the sandbox client unless one exists; returns its credentials only when it was created now. */
  async createSandboxIfAbsent(): Promise<IssuedClient | null> {
    const credentials = generateCredentials(this.config.credentialsKey);
    const client = await this.clients.insertSandboxIfAbsent(credentials);
    if (!client) return null;
    return { id: client.id, name: client.name, api_key: credentials.apiKey, api_secret: credentials.apiSecret };
  }
}
