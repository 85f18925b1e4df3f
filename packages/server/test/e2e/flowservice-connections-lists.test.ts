// Connection lists on both stores (SPEC §1.5, §6.6): continuation tokens, count, orderby and property filters.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { baseBodies, generateSshKeyBase64, secretSet, sourceBody, SPEC_ID, targetBody } from '../support/connection-bodies.js';
import { SANDBOXES } from '../support/e2e-expectations.js';
import { expectFlowError, flowServiceClient, type FlowServiceClient } from '../support/flow-service-expectations.js';
import { describeOnEachStore } from '../support/on-each-store.js';
import { createTestApp, type TestApp, type TestCaller } from '../support/with-app.js';

interface Page {
  items: { id: string; name: string; connectionSpec: { id: string } }[];
  _links: { next?: { href: string } };
}

const NEXT_HREF = /^\/connections\?continuationToken=([A-Za-z0-9_-]+)$/;
const property = (filter: string) => `property=${encodeURIComponent(filter)}`;

describeOnEachStore('Flow Service connection lists', (storeEnv) => {
  let t: TestApp;
  let admin: TestCaller;
  /** Requests in the `paging` sandbox, which holds exactly the five connections made here. */
  let fs: FlowServiceClient;
  const ids: Record<string, string> = {};

  const page = async (query: string): Promise<Page> => {
    const res = await fs.get(`/connections${query}`);
    expect(res.statusCode, res.body).toBe(200);
    return res.json<Page>();
  };
  /** Follows `_links.next.href` from `query` to the last page; returns the pages' names. */
  const walk = async (query: string): Promise<string[][]> => {
    const pages: string[][] = [];
    let current = await page(query);
    pages.push(current.items.map((item) => item.name));
    while (current._links.next !== undefined) {
      expect(current._links.next.href).toMatch(NEXT_HREF);
      current = await page(current._links.next.href.slice('/connections'.length));
      pages.push(current.items.map((item) => item.name));
      if (pages.length > 10) throw new Error('continuation tokens do not end');
    }
    expect(current._links).toEqual({});
    return pages;
  };

  beforeAll(async () => {
    t = await createTestApp(await storeEnv());
    admin = await t.caller({ admin: true });
    const sandbox = await t.inject({
      method: 'POST', url: SANDBOXES, headers: admin.headers({ 'content-type': 'application/json' }),
      payload: JSON.stringify({ name: 'paging', title: 'Paging', type: 'development' }),
    });
    expect(sandbox.statusCode, sandbox.body).toBe(201);
    fs = flowServiceClient(t, admin, { sandbox: 'paging' });
    const secrets = secretSet('lists', generateSshKeyBase64());
    // All five are created at the same fake instant: the order must still be total and the pages stable.
    for (const [name, body] of [
      ['Conn C', baseBodies.s3(secrets, 'Conn C')], ['Conn A', baseBodies.dlz('Conn A')], ['Conn E', baseBodies.s3(secrets, 'Conn E')],
      ['Conn B', baseBodies.s3(secrets, 'Conn B')], ['Conn D', baseBodies.dlz('Conn D')],
    ] as const) {
      const res = await fs.post('/connections', body);
      expect(res.statusCode, res.body).toBe(201);
      ids[name] = res.json<{ id: string }>().id;
    }
  });
  afterAll(async () => t.close());

  it('pages five connections two at a time through continuation tokens, without gaps or duplicates, ending with empty _links', async () => {
    const pages = await walk('?limit=2');
    expect(pages.map((names) => names.length)).toEqual([2, 2, 1]);
    const names = pages.flat();
    expect(new Set(names).size).toBe(5);
    expect([...names].sort()).toEqual(['Conn A', 'Conn B', 'Conn C', 'Conn D', 'Conn E']);
    expect(names).toEqual((await page('')).items.map((item) => item.name));
  });

  it('pages by name with orderby=name and in reverse with orderby=-name', async () => {
    expect(await walk('?limit=2&orderby=name')).toEqual([['Conn A', 'Conn B'], ['Conn C', 'Conn D'], ['Conn E']]);
    expect(await walk('?limit=2&orderby=-name')).toEqual([['Conn E', 'Conn D'], ['Conn C', 'Conn B'], ['Conn A']]);
  });

  it('ignores every other list parameter when continuationToken is present', async () => {
    const first = await page('?limit=2&orderby=name');
    const token = NEXT_HREF.exec(first._links.next?.href ?? '')?.[1] ?? '';
    expect(token).not.toContain('=');
    const plain = await page(`?continuationToken=${token}`);
    const noisy = await page(`?continuationToken=${token}&limit=1&orderby=-name&${property('name==Conn A')}`);
    expect(plain.items.map((item) => item.name)).toEqual(['Conn C', 'Conn D']);
    expect(noisy).toEqual(plain);
  });

  it('lists the most recently updated connection first by default (-updatedAt)', async () => {
    t.clock.advance(60_000);
    const current = (await fs.get(`/connections/${ids['Conn C'] ?? ''}`)).json<{ items: { etag: string }[] }>().items[0]?.etag ?? '';
    const res = await fs.patch(`/connections/${ids['Conn C'] ?? ''}`, [{ op: 'replace', path: '/description', value: 'touched' }], { 'if-match': current });
    expect(res.statusCode, res.body).toBe(200);
    expect((await page('')).items[0]?.name).toBe('Conn C');
    expect((await page('?orderby=-updatedAt&limit=1')).items.map((item) => item.name)).toEqual(['Conn C']);
    expect((await page('?orderby=+updatedAt')).items.at(-1)?.name).toBe('Conn C');
  });

  it('treats a limit above 100 as 100', async () => {
    const res = await page('?limit=500');
    expect(res.items).toHaveLength(5);
    expect(res._links).toEqual({});
  });

  it('refuses a limit below 1 with 400 in the flow envelope', async () => {
    const res = await fs.get('/connections?limit=0');
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json()).toMatchObject({ type: expect.stringMatching(/^https:\/\/ns\.adobe\.com\/aep\/errors\/FLOW-\d{4}-400$/), status: 400 });
  });

  it('answers count=true with {count} only', async () => {
    const res = await fs.get('/connections?count=true');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({ count: 5 });
    expect((await fs.get(`/connections?count=true&${property(`connectionSpec.id==${SPEC_ID.dlz}`)}`)).json()).toEqual({ count: 2 });
  });

  it('refuses count=true with limit (FLOW-1401-400)', async () => {
    expectFlowError(await fs.get('/connections?count=true&limit=2'), 'FLOW-1401-400', 'Parameters limit and count cannot be used together');
  });

  it('filters by connectionSpec.id, by any of several ids, by name and state, ANDing repeated property parameters', async () => {
    const names = async (query: string) => (await page(query)).items.map((item) => item.name).sort();
    expect(await names(`?${property(`connectionSpec.id==${SPEC_ID.s3}`)}`)).toEqual(['Conn B', 'Conn C', 'Conn E']);
    expect(await names(`?${property(`connectionSpec.id!=${SPEC_ID.s3}`)}`)).toEqual(['Conn A', 'Conn D']);
    expect(await names(`?${property(`id==${ids['Conn A'] ?? ''},${ids['Conn E'] ?? ''}`)}`)).toEqual(['Conn A', 'Conn E']);
    expect(await names(`?${property('name==Conn B')}`)).toEqual(['Conn B']);
    expect(await names(`?${property('state==ENABLED')}`)).toHaveLength(5);
    expect(await names(`?${property(`connectionSpec.id==${SPEC_ID.s3}`)}&${property('name==Conn A')}`)).toEqual([]);
    expect(await names(`?${property(`connectionSpec.id==${SPEC_ID.dlz}`)}&${property('name==Conn A')}`)).toEqual(['Conn A']);
  });

  it('answers an unknown filter field with FLOW-1449-400', async () => {
    expectFlowError(await fs.get(`/connections?${property('bucketName==acme')}`), 'FLOW-1449-400', 'Invalid filter field: bucketName');
    expectFlowError(await fs.get(`/targetConnections?${property('state==enabled')}`), 'FLOW-1449-400', 'Invalid filter field: state');
  });

  it("answers the '~' operator with FLOW-1440-400", async () => {
    expectFlowError(await fs.get(`/connections?${property('name~Conn')}`), 'FLOW-1440-400', "Operator '~' not implemented");
  });

  it('answers several values with an operator other than == with FLOW-1443-400', async () => {
    expectFlowError(await fs.get(`/connections?${property('name!=Conn A,Conn B')}`), 'FLOW-1443-400', "Operator '!=' is not allowed for multiple values");
  });

  it('filters target connections by baseConnectionId and source connections by connectionSpec.id', async () => {
    const target = await fs.post('/targetConnections', targetBody(ids['Conn A'] ?? '', SPEC_ID.dlz, { path: 'exports' }, 'DLZ target'));
    expect(target.statusCode, target.body).toBe(201);
    const source = await fs.post('/sourceConnections', sourceBody());
    expect(source.statusCode, source.body).toBe(201);
    const targets = (await fs.get(`/targetConnections?${property(`baseConnectionId==${ids['Conn A'] ?? ''}`)}`)).json<Page>();
    expect(targets.items.map((item) => item.id)).toEqual([target.json<{ id: string }>().id]);
    expect((await fs.get(`/targetConnections?${property(`baseConnectionId==${ids['Conn D'] ?? ''}`)}`)).json<Page>().items).toEqual([]);
    const sources = (await fs.get(`/sourceConnections?${property(`connectionSpec.id==${SPEC_ID.profileStore}`)}`)).json<Page>();
    expect(sources.items.map((item) => item.id)).toEqual([source.json<{ id: string }>().id]);
    expect(sources._links).toEqual({});
  });
});
