import { describe, expect, it } from 'vitest';
import { createTestApp } from '../support/with-app.js';

describe('CORS', () => {
  it('sends no CORS headers when ACTIVATOR_CORS_ORIGINS is unset', async () => {
    const t = await createTestApp();
    try {
      const response = await t.inject({ method: 'GET', url: '/healthz', headers: { origin: 'https://ui.example.com' } });
      expect(response.headers['access-control-allow-origin']).toBeUndefined();
      expect((await t.inject({ method: 'OPTIONS', url: '/api/v1/admin/users', headers: { origin: 'https://ui.example.com' } })).statusCode).toBe(405);
    } finally {
      await t.close();
    }
  });

  it('allows only the listed origins and answers their preflight', async () => {
    const t = await createTestApp({ ACTIVATOR_CORS_ORIGINS: 'https://ui.example.com' });
    try {
      const allowed = await t.inject({ method: 'GET', url: '/healthz', headers: { origin: 'https://ui.example.com' } });
      expect(allowed.headers['access-control-allow-origin']).toBe('https://ui.example.com');
      const other = await t.inject({ method: 'GET', url: '/healthz', headers: { origin: 'https://evil.example.com' } });
      expect(other.headers['access-control-allow-origin']).toBeUndefined();
      const preflight = await t.inject({ method: 'OPTIONS', url: '/api/v1/admin/users', headers: { origin: 'https://ui.example.com', 'access-control-request-method': 'POST' } });
      expect(preflight.statusCode).toBe(204);
      expect(preflight.headers['access-control-allow-headers']).toContain('x-api-key');
      expect((await t.inject({ method: 'OPTIONS', url: '/api/v1/admin/users', headers: { origin: 'https://evil.example.com' } })).statusCode).toBe(403);
    } finally {
      await t.close();
    }
  });
});
