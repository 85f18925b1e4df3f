// Unit tests of the preview and estimate shapes while running, failed, and sampled (SPEC §5.5).
import { describe, expect, it } from 'vitest';
import type { Preview } from '../../domain/audiences/preview-service.js';
import { estimateJson, previewResultsJson } from './preview-json.js';

const base: Preview = { id: 'p-1', queryId: 'q-1', createdAt: 0, state: 'RUNNING' };
const member = {
  profileKey: 'CRMID:C-1', sources: ['ds'], lastModifiedAt: 0, attributes: { loyalty: { points: 5 } },
  identities: [{ namespace: 'CRMID', id: 'C-1', primary: true }, { namespace: 'Email', id: 'a@x.com', primary: false }],
};

describe('preview and estimate JSON', () => {
  it('answers zero counts while RUNNING, and the error when FAILED', () => {
    expect(previewResultsJson(base, 20, true)).toEqual({ state: 'RUNNING', results: [], page: { totalCount: 0, pageSize: 0 }, link: '', sampled: false });
    expect(estimateJson(base)).toMatchObject({ state: 'RUNNING', estimatedSize: 0, totalRows: 0, estimatedNamespaceDistribution: [], _links: { preview: '/preview/p-1' } });
    const failed: Preview = { ...base, state: 'FAILED', error: 'the preview could not be evaluated: x' };
    expect(previewResultsJson(failed, 20, true)).toMatchObject({ state: 'FAILED', error: 'the preview could not be evaluated: x' });
    expect(estimateJson(failed)).toMatchObject({ state: 'FAILED', error: 'the preview could not be evaluated: x' });
  });

  it('scales the namespace distribution of a sample like the size, and lists identities per View Identity Graph', () => {
    const sampled: Preview = {
      ...base, state: 'RESULT_READY',
      result: { totalProfiles: 1000, profilesRead: 100, matched: 7, sampled: true, estimatedSize: 70, standardError: 24.3, byNamespace: { Email: 3, CRMID: 7 }, members: [member] },
    };
    expect(estimateJson(sampled)).toMatchObject({
      estimatedSize: 70, profilesReadSoFar: 100, profilesMatchedSoFar: 7, totalRows: 1000, numRowsToRead: 100, confidenceInterval: '95%', standardError: 24.3, sampled: true,
      estimatedNamespaceDistribution: [{ namespaceId: 'CRMID', profilesMatchedSoFar: 70 }, { namespaceId: 'Email', profilesMatchedSoFar: 30 }],
    });
    expect(previewResultsJson(sampled, 20, false)).toMatchObject({
      sampled: true, page: { totalCount: 70, pageSize: 1 },
      results: [{ entityId: 'CRMID:C-1', entity: { identities: [{ id: 'C-1', namespace: { code: 'CRMID' }, primary: true }], loyalty: { points: 5 } } }],
    });
    expect(previewResultsJson(sampled, 20, true).results[0]?.entity['identities']).toHaveLength(2);
  });
});
