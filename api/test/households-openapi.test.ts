import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HouseholdsApi, startHouseholdsApi } from './households-kit.js';

interface Operation {
  tags?: string[];
  responses?: Record<string, unknown>;
}

describe('OpenAPI for dependents, handover, sharing, readings and the inbox', () => {
  let api: HouseholdsApi;
  beforeAll(async () => {
    api = await startHouseholdsApi({ accounts: {} });
  });
  afterAll(async () => {
    await api?.close();
  });

  it('documents every route with its tag, success status and 404', async () => {
    const doc = (await api.app.inject({ method: 'GET', url: '/docs/json' })).json() as {
      paths: Record<string, Record<string, Operation>>;
    };
    const want: [string, string, string, string][] = [
      ['/v1/households/{id}/dependents', 'post', 'households', '201'],
      ['/v1/households/{id}/dependents', 'get', 'households', '200'],
      ['/v1/households/{id}/dependents/{accountId}', 'patch', 'households', '200'],
      ['/v1/households/{id}/members/{accountId}/handover', 'post', 'households', '201'],
      ['/v1/households/{id}/handovers/{handoverId}', 'delete', 'households', '204'],
      ['/v1/handovers/accept', 'post', 'households', '200'],
      ['/v1/households/{id}/shares', 'get', 'households', '200'],
      ['/v1/households/{id}/shares/{viewerId}', 'put', 'households', '200'],
      ['/v1/households/{id}/shares/{viewerId}', 'delete', 'households', '204'],
      ['/v1/households/{id}/members/{accountId}/readings', 'get', 'readings', '200'],
      ['/v1/readings/{id}/reassign', 'post', 'readings', '202'],
      ['/v1/households/{id}/inbox', 'get', 'inbox', '200'],
      ['/v1/households/{id}/inbox/{itemId}/file', 'post', 'inbox', '202'],
      ['/v1/households/{id}/inbox/{itemId}/discard', 'post', 'inbox', '200'],
      ['/v1/households/{id}/moves/{moveId}', 'get', 'inbox', '200'],
      ['/v1/households/{id}/attribution-rules', 'get', 'inbox', '200'],
      ['/v1/households/{id}/attribution-rules', 'post', 'inbox', '201'],
      ['/v1/households/{id}/attribution-rules/{ruleId}', 'delete', 'inbox', '204'],
    ];
    for (const [path, method, tag, ok] of want) {
      const op = doc.paths[path]?.[method];
      expect(op, `${method} ${path}`).toBeDefined();
      expect(op!.tags, `${method} ${path}`).toEqual([tag]);
      expect(Object.keys(op!.responses ?? {}), `${method} ${path}`).toEqual(
        expect.arrayContaining([ok, '401', '404']),
      );
    }
  });
});
