import { describe, expect, it } from 'vitest';
import { redactSecrets } from './audit-service.js';

describe('redactSecrets', () => {
  it('masks secret-named fields at any depth and keeps everything else', () => {
    const input = {
      name: 'ci',
      auth: { params: { accessId: 'AKIA', secretAccessKey: 'abc', password: 'p', sshKey: 'k', connectionString: 'c' } },
      ops: [{ op: 'replace', path: '/auth/params/s3SecretKey', value: 'x', clientSecret: 'y' }],
    };
    expect(redactSecrets(input)).toEqual({
      name: 'ci',
      auth: { params: { accessId: 'AKIA', secretAccessKey: '********', password: '********', sshKey: '********', connectionString: '********' } },
      ops: [{ op: 'replace', path: '/auth/params/s3SecretKey', value: '********', clientSecret: '********' }],
    });
  });
});
