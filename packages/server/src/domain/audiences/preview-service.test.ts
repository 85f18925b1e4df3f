// Unit tests of the preview lifecycle that need an evaluation held open: RUNNING state, DELETE and expiry abort it, a failure is FAILED.
// The engine here is a gate the test opens or fails (a real DuckDB evaluation cannot be held open on purpose); the e2e tests use the real one.
import { describe, expect, it } from 'vitest';
import type { PreviewRequest, PreviewResult } from '../../engine/engine.js';
import type { DatasetSchema } from '../../engine/lake-schema.js';
import type { SandboxScopedStore } from '../../storage/store.js';
import { PREVIEW_TTL_MS, PreviewService } from './preview-service.js';

const RESULT: PreviewResult = { totalProfiles: 3, profilesRead: 3, matched: 1, sampled: false, estimatedSize: 1, standardError: 0, byNamespace: { CRMID: 1 }, members: [] };

/** An engine whose evaluations wait until the test settles them. */
function gatedEngine() {
  const calls: { request: PreviewRequest; resolve: (result: PreviewResult) => void; reject: (error: Error) => void }[] = [];
  return {
    calls,
    previewSegment: (request: PreviewRequest) => new Promise<PreviewResult>((resolve, reject) => {
      request.signal?.addEventListener('abort', () => reject(request.signal?.reason as Error));
      calls.push({ request, resolve, reject });
    }),
  };
}

function setup() {
  let now = Date.UTC(2026, 0, 1);
  let next = 0;
  const engine = gatedEngine();
  const service = new PreviewService({
    clock: { now: () => now }, ids: { uuid: () => `id-${(next += 1)}` }, engine, sampleSize: 1000,
    datasets: { list: () => Promise.resolve([{ profileEnabled: true, schema: { class: 'profile', fields: [{ path: 'points', type: 'integer', required: false }], identities: [] } satisfies DatasetSchema }]) },
    policies: { get: (_scope, id) => Promise.resolve({ id }), defaultPolicy: () => Promise.resolve({ id: 'default-mp' }) },
    profileScope: () => Promise.resolve({ profileScope: { sandboxId: 's1', profileDatasets: [], eventDatasets: [], rules: { identityGraph: 'none', attributeMerge: { type: 'timestampOrdered' } }, derivedDir: '/tmp/none' } }),
  });
  const scope = { sandboxId: 's1', segmentDefinitions: { getMany: () => Promise.resolve([]) }, segmentSnapshots: { latestVisible: () => Promise.resolve(new Map()) } } as unknown as SandboxScopedStore;
  const input = { predicateExpression: 'points > 1', predicateType: 'pql/text', predicateModel: '_xdm.context.profile', graphType: 'pdg' as const };
  return { engine, service, scope, input, advance: (ms: number) => { now += ms; } };
}

describe('PreviewService', () => {
  it('is RUNNING until the evaluation ends, then RESULT_READY; the graph type overrides the policy', async () => {
    const { engine, service, scope, input } = setup();
    const preview = await service.create(scope, input);
    expect(service.get(scope, preview.id).state).toBe('RUNNING');
    expect(engine.calls[0]?.request).toMatchObject({ scope: { rules: { identityGraph: 'pdg' } }, sampleSize: 1000, limit: 100, query: { fields: ['points'] } });
    engine.calls[0]?.resolve(RESULT);
    await service.whenIdle();
    expect(service.get(scope, preview.id)).toMatchObject({ state: 'RESULT_READY', result: RESULT });
  });

  it('DELETE aborts the running evaluation', async () => {
    const { engine, service, scope, input } = setup();
    const preview = await service.create(scope, input);
    service.delete(scope, preview.id);
    expect(engine.calls[0]?.request.signal?.aborted).toBe(true);
    await service.whenIdle();
    expect(() => service.get(scope, preview.id)).toThrow(`Preview ${preview.id} not found`);
  });

  it('an hour after its creation a running preview is aborted and forgotten', async () => {
    const { engine, service, scope, input, advance } = setup();
    const preview = await service.create(scope, input);
    advance(PREVIEW_TTL_MS - 1);
    expect(service.get(scope, preview.id).state).toBe('RUNNING');
    advance(1);
    expect(() => service.get(scope, preview.id)).toThrow(/not found/);
    expect(engine.calls[0]?.request.signal?.aborted).toBe(true);
  });

  it('a failed evaluation is FAILED with its reason', async () => {
    const { engine, service, scope, input } = setup();
    const preview = await service.create(scope, input);
    engine.calls[0]?.reject(new Error('Binder Error: boom'));
    await service.whenIdle();
    const failed = service.get(scope, preview.id);
    expect(failed).toMatchObject({ state: 'FAILED', error: 'the preview could not be evaluated: Binder Error: boom' });
  });
});
