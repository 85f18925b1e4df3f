// The CLI's HTTP client: obtains (and caches) a token with the client credentials, calls the API, maps failures to exit codes.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import { CliError } from './output.js';

/** SPEC §12 exit codes for client commands. */
export const EXIT_AUTH = 3;
export const EXIT_UNREACHABLE = 4;

/** Global options of client commands (flags win over ACTIVATOR_* variables). */
export interface ClientOptions {
  readonly url: string;
  readonly clientId: string | undefined;
  readonly clientSecret: string | undefined;
  readonly sandbox: string;
  readonly orgId: string;
}

/** Adds `--url`, `--client-id`, `--client-secret`, `--sandbox` to a client command. */
export function withClientOptions(command: Command): Command {
  return command
    .option('--url <url>', 'Activator base URL (env ACTIVATOR_URL)', process.env['ACTIVATOR_URL'] ?? 'http://localhost:8080')
    .option('--client-id <id>', 'API client id (env ACTIVATOR_CLIENT_ID)', process.env['ACTIVATOR_CLIENT_ID'])
    .option('--client-secret <secret>', 'API client secret (env ACTIVATOR_CLIENT_SECRET)', process.env['ACTIVATOR_CLIENT_SECRET'])
    .option('--sandbox <name>', 'sandbox (env ACTIVATOR_SANDBOX)', process.env['ACTIVATOR_SANDBOX'] ?? 'prod')
    .option('--json', 'machine-readable output');
}

interface CachedToken {
  readonly token: string;
  readonly expiresAt: number;
}

/** Tokens are cached per URL and client in a 0600 file, so repeated commands do not re-authenticate. */
function cacheFile(): string {
  return path.join(process.env['ACTIVATOR_CACHE_DIR'] ?? path.join(os.homedir(), '.cache', 'activator'), 'tokens.json');
}

function cacheKey(options: ClientOptions): string {
  return createHash('sha256').update(`${options.url}\n${options.clientId ?? ''}\n${options.clientSecret ?? ''}`).digest('hex');
}

function readCache(): Record<string, CachedToken> {
  try {
    return JSON.parse(readFileSync(cacheFile(), 'utf8')) as Record<string, CachedToken>;
  } catch {
    return {};
  }
}

function writeCache(cache: Record<string, CachedToken>): void {
  mkdirSync(path.dirname(cacheFile()), { recursive: true, mode: 0o700 });
  writeFileSync(cacheFile(), JSON.stringify(cache), { mode: 0o600 });
}

/** A thin JSON client for the gateway-protected API. */
export class ApiClient {
  constructor(private readonly options: ClientOptions) {}

  async get<T>(pathAndQuery: string): Promise<T> {
    return this.request<T>('GET', pathAndQuery, undefined, true);
  }

  /** A JSON request; the answer parsed as JSON (undefined for an empty body). */
  async send<T>(method: string, pathAndQuery: string, body?: unknown): Promise<T> {
    return this.request<T>(method, pathAndQuery, body === undefined ? undefined : { body: JSON.stringify(body), contentType: 'application/json' }, true);
  }

  /** Streams raw bytes (file uploads); `body` is consumed once, so there is no retry. */
  async upload(pathAndQuery: string, body: ReadableStream<Uint8Array>, length: number): Promise<void> {
    await this.token(false);
    await this.request('PUT', pathAndQuery, { body, contentType: 'application/octet-stream', length }, false);
  }

  private async request<T>(method: string, pathAndQuery: string, payload: { body: string | ReadableStream<Uint8Array>; contentType: string; length?: number } | undefined, retryOnAuth: boolean): Promise<T> {
    const token = await this.token(false);
    const response = await this.fetch(`${this.options.url}${pathAndQuery}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`, 'x-api-key': this.options.clientId ?? '', 'x-gw-ims-org-id': this.options.orgId,
        'x-sandbox-name': this.options.sandbox, accept: 'application/json',
        ...(payload === undefined ? {} : { 'content-type': payload.contentType }),
        ...(payload?.length === undefined ? {} : { 'content-length': String(payload.length) }),
      },
      // `duplex: 'half'` lets fetch stream a request body (Node's undici requires it for streams).
      ...(payload === undefined ? {} : { body: payload.body, duplex: 'half' }),
    });
    if (response.status === 401 && retryOnAuth) {
      await this.token(true);
      return this.request<T>(method, pathAndQuery, payload, false);
    }
    const text = await response.text();
    if (!response.ok) throw new CliError(`${method} ${pathAndQuery.split('?')[0] ?? pathAndQuery} failed (${response.status}): ${messageOf(text)}`, response.status === 401 || response.status === 403 ? EXIT_AUTH : 1);
    return (text === '' ? undefined : JSON.parse(text)) as T;
  }

  private async token(refresh: boolean): Promise<string> {
    const { clientId, clientSecret } = this.options;
    if (clientId === undefined || clientSecret === undefined) {
      throw new CliError('Give --client-id and --client-secret (or ACTIVATOR_CLIENT_ID / ACTIVATOR_CLIENT_SECRET); create them with: activator admin credentials create', EXIT_AUTH);
    }
    const cache = readCache();
    const key = cacheKey(this.options);
    const cached = cache[key];
    if (!refresh && cached !== undefined && cached.expiresAt > Date.now() + 60_000) return cached.token;
    const response = await this.fetch(`${this.options.url}/ims/token/v3`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret }).toString(),
    });
    const text = await response.text();
    if (!response.ok) throw new CliError(`Authentication failed (${response.status}): ${messageOf(text)}`, EXIT_AUTH);
    const body = JSON.parse(text) as { access_token: string; expires_in: number };
    writeCache({ ...cache, [key]: { token: body.access_token, expiresAt: Date.now() + body.expires_in * 1000 } });
    return body.access_token;
  }

  private async fetch(url: string, init: RequestInit): Promise<Response> {
    try {
      // Uploads of large files may take long; other calls time out after 30 s.
      return await fetch(url, { ...init, signal: init.body instanceof ReadableStream ? null : AbortSignal.timeout(30_000) });
    } catch (error) {
      throw new CliError(`Cannot reach Activator at ${this.options.url}: ${(error as Error).message}`, EXIT_UNREACHABLE);
    }
  }
}

/** The human message inside any of the API's error envelopes. */
function messageOf(text: string): string {
  try {
    const body = JSON.parse(text) as Record<string, unknown>;
    const nested = body['error'] as { message?: string } | string | undefined;
    const candidates = [body['errorMessage'], body['detail'], body['message'], body['error_description'], typeof nested === 'object' ? nested.message : nested, body['title']];
    return candidates.find((value): value is string => typeof value === 'string') ?? text;
  } catch {
    return text;
  }
}

/** Client options from a command's parsed flags. */
export function clientOptionsOf(flags: { url: string; clientId?: string; clientSecret?: string; sandbox: string }): ClientOptions {
  return { url: flags.url.replace(/\/+$/, ''), clientId: flags.clientId, clientSecret: flags.clientSecret, sandbox: flags.sandbox, orgId: process.env['ACTIVATOR_ORG_ID'] ?? 'ACTIVATOR@Org' };
}
