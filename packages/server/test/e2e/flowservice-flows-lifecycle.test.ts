// Enabling, disabling and deleting dataflows (SPEC §7.6), and connections that flows still use (FLOW-1418-400), on both stores.
import { expect, it } from 'vitest';
import { FS, expectFlowError, flowSuite } from '../support/flow-fixtures.js';
import { describeOnEachStore } from '../support/on-each-store.js';

const notFound = (type: string, id: string) => `The requested ${type} resource ${id} is not found. Verify the resource ID before trying again.`;

describeOnEachStore('Flow Service: enabling, disabling and deleting dataflows', (storeEnv) => {
  const suite = flowSuite(storeEnv);

  const action = (id: string, op: string) => suite.t.inject({ method: 'POST', url: `${FS}/flows/${id}/action?op=${op}`, headers: suite.fs.caller.headers() });
  const remove = (path: string) => suite.t.inject({ method: 'DELETE', url: `${FS}${path}`, headers: suite.fs.caller.headers() });

  it('creates flows enabled, disables with op=DISABLE and enables with op=Enable, each with a new etag and no If-Match', async () => {
    const { id, etag } = await suite.fs.createFlow(suite.dlz);
    expect((await suite.fs.getFlow(id)).state).toBe('enabled');
    const disabled = await action(id, 'DISABLE');
    expect(disabled.statusCode, disabled.body).toBe(200);
    expect(disabled.json()).toEqual({ id, etag: expect.stringMatching(/^"[0-9a-f-]{36}"$/) });
    expect(disabled.json().etag).not.toBe(etag);
    const afterDisable = await suite.fs.getFlow(id);
    expect([afterDisable.state, afterDisable.etag, afterDisable.version]).toEqual(['disabled', disabled.json().etag, disabled.json().etag]);
    const enabled = await action(id, 'Enable');
    expect(enabled.statusCode, enabled.body).toBe(200);
    expect(new Set([etag, disabled.json().etag, enabled.json().etag]).size).toBe(3);
    expect((await suite.fs.getFlow(id)).state).toBe('enabled');
  });

  it('answers disabling an already disabled flow with 200 and still a new etag', async () => {
    const { id } = await suite.fs.createFlow(suite.dlz);
    const first = await action(id, 'disable');
    const second = await action(id, 'disable');
    expect([first.statusCode, second.statusCode]).toEqual([200, 200]);
    expect(second.json().etag).not.toBe(first.json().etag);
    expect((await suite.fs.getFlow(id)).state).toBe('disabled');
  });

  it('makes a PATCH with the etag from before a disable stale', async () => {
    const { id, etag } = await suite.fs.createFlow(suite.dlz);
    const disabled = await action(id, 'disable');
    const res = await suite.fs.patchFlow(id, etag, [{ op: 'replace', path: '/name', value: 'late' }]);
    expectFlowError(res, 'FLOW-1404-412', `Supplied version=[${etag}] does not match the current version on entity=[${disabled.json().etag}]`);
  });

  it('refuses any other op with 400 and leaves the flow as it was', async () => {
    const { id, etag } = await suite.fs.createFlow(suite.dlz);
    for (const op of ['pause', 'delete', '']) {
      const res = await action(id, op);
      expect(res.statusCode, `op=${op}: ${res.body}`).toBe(400);
      expect(res.json().type).toMatch(/^https:\/\/ns\.adobe\.com\/aep\/errors\/FLOW-\d{4}-400$/);
    }
    expect((await suite.fs.getFlow(id)).etag).toBe(etag);
  });

  it('answers an action on an unknown flow with FLOW-1439-404', async () => {
    const unknown = 'ef2dcbd6-36fc-49a3-afed-d7b8e8f724eb';
    expectFlowError(await action(unknown, 'enable'), 'FLOW-1439-404', notFound('flows', unknown), { id: unknown, type: 'flows' });
  });

  it('deletes a flow with 202 and an empty body; later GET, PATCH and DELETE answer FLOW-1439-404', async () => {
    const { id, etag } = await suite.fs.createFlow(suite.dlz);
    const deleted = await remove(`/flows/${id}`);
    expect(deleted.statusCode).toBe(202);
    expect(deleted.body).toBe('');
    const resource = { id, type: 'flows' };
    expectFlowError(await suite.fs.get(`/flows/${id}`), 'FLOW-1439-404', notFound('flows', id), resource);
    expectFlowError(await suite.fs.patchFlow(id, etag, [{ op: 'replace', path: '/name', value: 'x' }]), 'FLOW-1439-404', notFound('flows', id), resource);
    expectFlowError(await remove(`/flows/${id}`), 'FLOW-1439-404', notFound('flows', id), resource);
    expect((await suite.fs.get(`/flows?property=id==${id}`)).json()).toEqual({ items: [], _links: {} });
  });

  it('refuses to delete a target connection a flow uses with FLOW-1418-400 naming the flow', async () => {
    const targetId = await suite.fs.dlzTarget(suite.dlz.baseId, 'Target in use');
    const { id } = await suite.fs.createFlow({ ...suite.dlz, targetId });
    expectFlowError(await remove(`/targetConnections/${targetId}`), 'FLOW-1418-400', `The targetConnections ${targetId} is still used by: ${id}`);
    expect((await suite.fs.get(`/targetConnections/${targetId}`)).statusCode).toBe(200);
  });

  it('names every flow that still uses the target connection', async () => {
    const targetId = await suite.fs.dlzTarget(suite.dlz.baseId, 'Target used twice');
    const first = (await suite.fs.createFlow({ ...suite.dlz, targetId })).id;
    const second = (await suite.fs.createFlow({ ...suite.dlz, targetId })).id;
    const res = await remove(`/targetConnections/${targetId}`);
    expectFlowError(res, 'FLOW-1418-400', expect.stringMatching(new RegExp(`^The targetConnections ${targetId} is still used by: `)));
    const named = (res.json().errorMessage as string).split(': ')[1]?.split(', ').sort();
    expect(named).toEqual([first, second].sort());
  });

  it('deletes the target connection once the flow using it is deleted', async () => {
    const targetId = await suite.fs.dlzTarget(suite.dlz.baseId, 'Target freed');
    const { id } = await suite.fs.createFlow({ ...suite.dlz, targetId });
    expect((await remove(`/flows/${id}`)).statusCode).toBe(202);
    const deleted = await remove(`/targetConnections/${targetId}`);
    expect(deleted.statusCode, deleted.body).toBe(202);
    expect(deleted.body).toBe('');
    expect((await suite.fs.get(`/targetConnections/${targetId}`)).statusCode).toBe(404);
  });

  it('refuses to delete the source connection a flow uses with FLOW-1418-400', async () => {
    const { id } = await suite.fs.createFlow(suite.dlz);
    expectFlowError(await remove(`/sourceConnections/${suite.dlz.sourceId}`), 'FLOW-1418-400', expect.stringMatching(new RegExp(`^The sourceConnections ${suite.dlz.sourceId} is still used by: .*${id}`)));
  });
});
