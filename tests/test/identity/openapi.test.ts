import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type IdentityStack, startIdentityStack } from '../../src/identity/index.js';

describe('OpenAPI document of the identity endpoints', () => {
  let stack: IdentityStack;
  let paths: Record<string, Record<string, { responses: Record<string, unknown>; security?: unknown[] }>>;

  beforeAll(async () => {
    stack = await startIdentityStack();
    paths = ((await (await fetch(`${stack.apiUrl}/docs/json`)).json()) as { paths: typeof paths }).paths;
  });
  afterAll(async () => {
    await stack?.close();
  });

  it.each([
    ['get', '/v1/me', '200'],
    ['get', '/v1/me/identities', '200'],
    ['post', '/v1/me/identities/link', '200'],
    ['delete', '/v1/me/identities/{id}', '204'],
    ['get', '/v1/me/link-suggestions', '200'],
    ['post', '/v1/me/merges', '201'],
    ['get', '/v1/me/merges', '200'],
    ['post', '/v1/me/merges/{id}/undo', '200'],
    ['get', '/v1/me/audit', '200'],
    ['get', '/v1/auth/providers', '200'],
    ['get', '/v1/auth/session', '200'],
    ['post', '/v1/auth/signout', '204'],
    ['post', '/v1/auth/step-up', '200'],
    ['post', '/v1/auth/tokens', '200'],
    ['post', '/v1/auth/token', '200'],
  ])('documents %s %s with its %s response', (method, path, status) => {
    expect(paths[path]?.[method]?.responses).toHaveProperty(status);
  });

  it('documents the problem details of a guarded route and both ways to authenticate', () => {
    const unlink = paths['/v1/me/identities/{id}']!.delete!;
    expect(Object.keys(unlink.responses).sort()).toEqual([
      '204',
      '400',
      '401',
      '403',
      '404',
      '409',
      '410',
      '500',
    ]);
    expect(unlink.security).toEqual([{ bearerAuth: [] }, { sessionCookie: [] }]);
    expect(Object.keys((unlink.responses['409'] as { content: object }).content)).toEqual([
      'application/problem+json',
    ]);
  });
});
