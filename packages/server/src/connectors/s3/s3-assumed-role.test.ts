// The S3 connector's "Assumed Role" credentials end to end: STS AssumeRole signed with the environment's AWS
// credentials (answered by the test front, which checks the external id), then S3 calls with the temporary keys.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { putFile } from '../../../test/support/connector-test-helpers.js';
import { startS3Server, type S3Server } from '../../../test/support/with-s3-server.js';
import { createConnectorFactory } from '../connector-factory.js';
import { ConnectorError, type ConnectorTarget } from '../connector.js';

const factory = createConnectorFactory({ callTimeoutMs: 20_000 });

async function failureOf(promise: Promise<unknown>): Promise<ConnectorError> {
  const outcome = await promise.then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(outcome).toBeInstanceOf(ConnectorError);
  return outcome as ConnectorError;
}

const put = (target: ConnectorTarget, folder: string, name: string, data: Buffer) => putFile(factory, target, folder, name, data);

describe('S3 connector with assumed role credentials (STS answered by the test front)', () => {
  let server: S3Server;

  beforeAll(async () => {
    server = await startS3Server();
  });

  const variables = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE', 'AWS_ENDPOINT_URL_STS'] as const;
  const saved = new Map(variables.map((name) => [name, process.env[name]]));

  /** Activator's own environment credentials, as the standard AWS variables. */
  function useEnvironmentCredentials(secretAccessKey: string) {
    delete process.env.AWS_SESSION_TOKEN;
    delete process.env.AWS_PROFILE;
    process.env.AWS_ACCESS_KEY_ID = server.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY = secretAccessKey;
    process.env.AWS_ENDPOINT_URL_STS = server.endpoint;
  }

  afterAll(async () => {
    for (const [name, value] of saved) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    await server?.stop();
  });

  it('assumes the role with the environment’s credentials and writes with the temporary keys it got', async () => {
    useEnvironmentCredentials(server.secretAccessKey);
    const start = server.front.requests.length;
    await put(server.target({ credentials: { type: 'role', roleArn: server.role.roleArn, externalId: server.role.externalId } }), 'role', 'x.csv', Buffer.from('via role\n'));
    expect((await server.readObject('role/x.csv'))?.toString()).toBe('via role\n');
    const seen = server.front.requests.slice(start);
    expect(seen.filter((request) => request.accessKeyId === server.accessKeyId).length).toBe(1);
    const writes = seen.filter((request) => request.method === 'PUT');
    expect(writes.map((request) => [request.path, request.accessKeyId?.startsWith('ASIA'), request.refusedWith])).toEqual([[`/${server.bucket}/role/x.csv`, true, undefined]]);
  });

  it('reports a wrong external id as AUTH_FAILED naming the role but not the external id', async () => {
    useEnvironmentCredentials(server.secretAccessKey);
    const target = server.target({ credentials: { type: 'role', roleArn: server.role.roleArn, externalId: 'not-the-external-id' } });
    const error = await failureOf(put(target, 'role', 'denied.csv', Buffer.from('x')));
    expect(error.code).toBe('AUTH_FAILED');
    expect(error.message).toContain(server.role.roleArn);
    expect(error.message).toContain('AccessDenied');
    expect(error.message).not.toContain('not-the-external-id');
    expect(await server.readObject('role/denied.csv')).toBeUndefined();
  });

  it('reports wrong environment credentials as AUTH_FAILED on the connection check', async () => {
    useEnvironmentCredentials('not-the-environment-secret');
    const connector = factory.open(server.target({ credentials: { type: 'role', roleArn: server.role.roleArn, externalId: server.role.externalId } }));
    try {
      const error = await failureOf(connector.checkConnection());
      expect(error.code).toBe('AUTH_FAILED');
      expect(error.message).toContain('SignatureDoesNotMatch');
      expect(error.message).toContain("check Activator's own AWS credentials");
      expect(error.message).not.toContain('not-the-environment-secret');
    } finally {
      await connector.close();
    }
  });
});
