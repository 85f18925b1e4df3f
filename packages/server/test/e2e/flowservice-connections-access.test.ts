// Who sees and changes connections, on both stores: sandbox isolation (SPEC §1.6, §2.6) and permissions (SPEC §1.2 row 7 and 11, §2.2, §2.3).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { baseBodies, generateSshKeyBase64, secretSet, sourceBody, SPEC_ID, targetBody } from '../support/connection-bodies.js';
import { PERMISSION_MESSAGE, SANDBOXES } from '../support/e2e-expectations.js';
import { expectFlowError, expectFlowNotFound, flowServiceClient, type FlowServiceClient } from '../support/flow-service-expectations.js';
import { describeOnEachStore } from '../support/on-each-store.js';
import { createTestApp, type TestApp, type TestCaller } from '../support/with-app.js';

type Item = { id: string; name: string; etag: string; sandboxId: string; sandboxName: string };
type Kind = 'connections' | 'sourceConnections' | 'targetConnections';
/** The objects of one sandbox, all named alike in both. */
type Objects = Record<Kind, string>;

const SAME_NAME = 'Shared name';

describeOnEachStore('Flow Service connection access', (storeEnv) => {
  let t: TestApp;
  let admin: TestCaller;
  let prod: FlowServiceClient;
  let dev: FlowServiceClient;
  const objects: Record<'prod' | 'dev', Objects> = { prod: { connections: '', sourceConnections: '', targetConnections: '' }, dev: { connections: '', sourceConnections: '', targetConnections: '' } };

  const item = async (client: FlowServiceClient, kind: Kind, id: string): Promise<Item> => {
    const res = await client.get(`/${kind}/${id}`);
    expect(res.statusCode, res.body).toBe(200);
    return res.json<{ items: Item[] }>().items[0] as Item;
  };
  const createAll = async (client: FlowServiceClient, into: Objects) => {
    const secrets = secretSet('access', generateSshKeyBase64());
    const post = async (path: string, body: unknown) => {
      const res = await client.post(path, body);
      expect(res.statusCode, res.body).toBe(201);
      return res.json<{ id: string }>().id;
    };
    into.connections = await post('/connections', baseBodies.sftpPassword(secrets, SAME_NAME));
    into.targetConnections = await post('/targetConnections', targetBody(into.connections, SPEC_ID.sftp, { path: 'shared' }, SAME_NAME));
    into.sourceConnections = await post('/sourceConnections', sourceBody(SAME_NAME));
  };

  beforeAll(async () => {
    t = await createTestApp(await storeEnv());
    admin = await t.caller({ admin: true });
    const created = await t.inject({
      method: 'POST', url: SANDBOXES, headers: admin.headers({ 'content-type': 'application/json' }),
      payload: JSON.stringify({ name: 'dev', title: 'Development', type: 'development' }),
    });
    expect(created.statusCode, created.body).toBe(201);
    prod = flowServiceClient(t, admin);
    dev = flowServiceClient(t, admin, { sandbox: 'dev' });
    await createAll(prod, objects.prod);
    await createAll(dev, objects.dev);
  });
  afterAll(async () => t.close());

  describe('sandbox isolation', () => {
    it('keeps same-named objects apart: each sandbox shows its own, with its sandbox name and id', async () => {
      const prodBase = await item(prod, 'connections', objects.prod.connections);
      const devBase = await item(dev, 'connections', objects.dev.connections);
      expect(prodBase.sandboxName).toBe('prod');
      expect(devBase.sandboxName).toBe('dev');
      expect(devBase.sandboxId).not.toBe(prodBase.sandboxId);
      expect(devBase.id).not.toBe(prodBase.id);
      for (const kind of ['connections', 'sourceConnections', 'targetConnections'] as const) {
        const query = `/${kind}?property=${encodeURIComponent(`name==${SAME_NAME}`)}`;
        expect((await prod.get(query)).json<{ items: Item[] }>().items.map((i) => i.id), `prod ${kind}`).toEqual([objects.prod[kind]]);
        expect((await dev.get(query)).json<{ items: Item[] }>().items.map((i) => i.id), `dev ${kind}`).toEqual([objects.dev[kind]]);
      }
    });

    it.each([
      ['prod', 'dev'],
      ['dev', 'prod'],
    ] as const)('answers GET, PATCH and DELETE of %s objects from %s with 404 FLOW-1439-404', async (owner, other) => {
      const client = other === 'dev' ? dev : prod;
      for (const kind of ['connections', 'sourceConnections', 'targetConnections'] as const) {
        const id = objects[owner][kind];
        expectFlowNotFound(await client.get(`/${kind}/${id}`), kind, id);
        expectFlowNotFound(await client.patch(`/${kind}/${id}`, [{ op: 'replace', path: '/name', value: 'hijacked' }], { 'if-match': '*' }), kind, id);
        expectFlowNotFound(await client.delete(`/${kind}/${id}`), kind, id);
      }
    });

    it('leaves both sandboxes\' objects unchanged after the cross-sandbox attempts', async () => {
      for (const [sandbox, client] of [['prod', prod], ['dev', dev]] as const) {
        for (const kind of ['connections', 'sourceConnections', 'targetConnections'] as const) {
          expect((await item(client, kind, objects[sandbox][kind])).name, `${sandbox} ${kind}`).toBe(SAME_NAME);
        }
      }
    });

    it('does not let a dev target connection use a prod base connection (404 for the base connection)', async () => {
      const res = await dev.post('/targetConnections', targetBody(objects.prod.connections, SPEC_ID.sftp, { path: 'x' }));
      expectFlowNotFound(res, 'connections', objects.prod.connections);
    });

    it('answers a caller whose only role covers dev with FLOW-2100-404 "Sandbox prod not found" on prod, and serves it on dev', async () => {
      const role = await t.inject({
        method: 'POST', url: '/api/v1/admin/roles', headers: admin.headers({ 'content-type': 'application/json' }),
        payload: JSON.stringify({ name: 'Dev destinations', permissions: ['Manage Destinations'], sandboxes: ['dev'] }),
      });
      expect(role.statusCode, role.body).toBe(201);
      const devOnly = await t.caller({ roles: ['Dev destinations'], name: 'dev-only' });
      const onProd = flowServiceClient(t, devOnly);
      expectFlowError(await onProd.get('/connections'), 'FLOW-2100-404', 'Sandbox prod not found');
      expectFlowError(await onProd.get(`/connections/${objects.prod.connections}`), 'FLOW-2100-404', 'Sandbox prod not found');
      expectFlowError(await onProd.post('/connections', baseBodies.dlz()), 'FLOW-2100-404', 'Sandbox prod not found');
      const explicitProd = await t.inject({ method: 'GET', url: '/data/foundation/flowservice/connections', headers: devOnly.headers({ 'x-sandbox-name': 'prod' }) });
      expectFlowError(explicitProd, 'FLOW-2100-404', 'Sandbox prod not found');
      const onDev = flowServiceClient(t, devOnly, { sandbox: 'dev' });
      const list = await onDev.get('/connections');
      expect(list.statusCode, list.body).toBe(200);
      expect(list.json<{ items: Item[] }>().items.map((i) => i.id)).toEqual([objects.dev.connections]);
    });

    it('answers an unknown sandbox with FLOW-2100-404', async () => {
      expectFlowError(await flowServiceClient(t, admin, { sandbox: 'nowhere' }).get('/connections'), 'FLOW-2100-404', 'Sandbox nowhere not found');
    });
  });

  describe('permissions', () => {
    let reader: TestCaller;
    let asReader: FlowServiceClient;
    beforeAll(async () => {
      reader = await t.caller({ roles: ['Read only'], name: 'reader' });
      asReader = flowServiceClient(t, reader);
    });

    it('lets a Read only caller list and read base, source and target connections', async () => {
      for (const kind of ['connections', 'sourceConnections', 'targetConnections'] as const) {
        expect((await asReader.get(`/${kind}`)).statusCode, kind).toBe(200);
        expect((await item(asReader, kind, objects.prod[kind])).id).toBe(objects.prod[kind]);
      }
    });

    it('answers a Read only caller\'s POST, PATCH and DELETE with 403 and x-activator-missing-permissions: Manage Destinations', async () => {
      const attempts = [
        () => asReader.post('/connections', baseBodies.dlz('Not allowed')),
        () => asReader.post('/sourceConnections', sourceBody('Not allowed')),
        () => asReader.post('/targetConnections', targetBody(objects.prod.connections, SPEC_ID.sftp, { path: 'no' })),
        ...(['connections', 'sourceConnections', 'targetConnections'] as const).flatMap((kind) => [
          () => asReader.patch(`/${kind}/${objects.prod[kind]}`, [{ op: 'replace', path: '/name', value: 'Not allowed' }], { 'if-match': '*' }),
          () => asReader.delete(`/${kind}/${objects.prod[kind]}`),
        ]),
      ];
      for (const attempt of attempts) {
        const res = await attempt();
        expectFlowError(res, 'FLOW-2120-403', PERMISSION_MESSAGE);
        expect(res.headers['x-activator-missing-permissions']).toBe('Manage Destinations');
      }
      for (const kind of ['connections', 'sourceConnections', 'targetConnections'] as const) {
        expect((await item(prod, kind, objects.prod[kind])).name).toBe(SAME_NAME);
        expect((await prod.get(`/${kind}?property=${encodeURIComponent('name==Not allowed')}`)).json<{ items: Item[] }>().items).toEqual([]);
      }
    });
  });
});
