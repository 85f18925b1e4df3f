// Walking a long dataflow list through its continuation links (SPEC §1.5): 95 flows in pages of 7, then the 100-item page cap.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { flowClient, type FlowClient, type FlowConnections } from '../support/flow-fixtures.js';
import { createTestApp, type TestApp } from '../support/with-app.js';

interface Created {
  readonly id: string;
  readonly updatedAt: number;
}

/** SPEC §1.5 default order: newest updatedAt first, ties by ascending id — computed here independently of the server. */
function byNewestThenId(left: Created, right: Created): number {
  if (left.updatedAt !== right.updatedAt) return right.updatedAt - left.updatedAt;
  return left.id < right.id ? -1 : left.id > right.id ? 1 : 0;
}

describe('Flow Service: walking 95 dataflows in pages of 7 [sqlite only: ~100 creates keep CI fast]', () => {
  let t: TestApp;
  let fs: FlowClient;
  let dlz: FlowConnections;
  const created: Created[] = [];

  beforeAll(async () => {
    t = await createTestApp({ ACTIVATOR_MAX_FLOWS_PER_SANDBOX: '101' });
    fs = flowClient(t, await t.caller({ admin: true }));
    dlz = await fs.dlzConnections();
    for (let n = 1; n <= 95; n += 1) {
      const updatedAt = t.clock.now();
      created.push({ id: (await fs.createFlow(dlz, { name: `Flow ${String(n).padStart(3, '0')}` })).id, updatedAt });
      // Every third flow shares its creation time with the next one, so ties must be broken by id.
      if (n % 3 !== 0) t.clock.advance(1_000);
    }
  });
  afterAll(async () => t.close());

  /** Follows `_links.next.href` the way AEP clients do (`href.split("=")[1]`) until the last page. */
  async function walk(firstQuery: string): Promise<{ pages: string[][]; hrefs: string[] }> {
    const pages: string[][] = [];
    const hrefs: string[] = [];
    let res = await fs.get(`/flows${firstQuery}`);
    for (;;) {
      expect(res.statusCode, res.body).toBe(200);
      const body = res.json();
      pages.push(body.items.map((flow: { id: string }) => flow.id));
      if (body._links.next === undefined) {
        expect(body._links).toEqual({});
        return { pages, hrefs };
      }
      const href: string = body._links.next.href;
      hrefs.push(href);
      if (pages.length > 20) throw new Error('the walk does not end');
      res = await fs.get(`/flows?continuationToken=${href.split('=')[1]}`);
    }
  }

  it('visits all 95 flows exactly once in 14 pages, newest-updated first with ties by id, the last page with empty _links', async () => {
    const { pages, hrefs } = await walk('?limit=7');
    expect(pages).toHaveLength(14);
    expect(pages.map((page) => page.length)).toEqual([...Array<number>(13).fill(7), 4]);
    const seen = pages.flat();
    expect(new Set(seen).size).toBe(95);
    expect(seen).toEqual([...created].sort(byNewestThenId).map((flow) => flow.id));
    for (const href of hrefs) expect(href).toMatch(/^\/flows\?continuationToken=[A-Za-z0-9_-]+$/);
  });

  it('ignores every other list parameter when a continuation token is present', async () => {
    const { hrefs } = await walk('?limit=7');
    const token = hrefs[0]?.split('=')[1] ?? '';
    const plain = (await fs.get(`/flows?continuationToken=${token}`)).json();
    const withOthers = (await fs.get(`/flows?continuationToken=${token}&limit=2&orderby=name&property=state==disabled&count=true`)).json();
    expect(withOthers).toEqual(plain);
    expect(plain.items).toHaveLength(7);
  });

  it('counts all 95 with count=true', async () => {
    expect((await fs.get('/flows?count=true')).json()).toEqual({ count: 95 });
  });

  it('walks in name order too, each flow once', async () => {
    const { pages } = await walk('?limit=7&orderby=-name');
    expect(pages).toHaveLength(14);
    const names = created.map((_, index) => `Flow ${String(index + 1).padStart(3, '0')}`);
    const idByName = new Map(created.map((flow, index) => [names[index], flow.id]));
    expect(pages.flat()).toEqual([...names].sort().reverse().map((name) => idByName.get(name)));
  });

  it('caps a page at 100 items: with 101 flows, limit=500 and the default both give 100 and a link to the last one', async () => {
    for (let n = 96; n <= 101; n += 1) {
      t.clock.advance(1_000);
      created.push({ id: (await fs.createFlow(dlz, { name: `Flow ${n}` })).id, updatedAt: t.clock.now() });
    }
    const oldest = [...created].sort(byNewestThenId).at(-1)?.id;
    for (const query of ['?limit=500', '']) {
      const { pages } = await walk(query);
      expect(pages.map((page) => page.length)).toEqual([100, 1]);
      expect(pages[1]).toEqual([oldest]);
    }
  });
});
