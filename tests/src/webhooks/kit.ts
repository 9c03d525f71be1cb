import { expect } from 'vitest';
import type { SignedIn } from '../identity/attack-kit.js';
import { call, type IdentityStack } from '../identity/index.js';
import { claimsOf } from '../oauth/attack.js';
import { connectApp, type RegisteredApp, registerApp } from '../oauth/kit.js';
import type { Receiver } from './receiver.js';

export interface Endpoint {
  id: string;
  status: string;
  secrets: { id: string }[];
  ed25519_public_key: string | null;
}

export const hooks = (app: RegisteredApp) => `/v1/developer/apps/${app.client_id}/webhooks`;

/**
 * An app that several people connected and that then went to sandbox mode, so its receiver may be plain http
 * on loopback (sandbox is checked when a person connects, not afterwards: the grants stay).
 */
export async function connectedSandboxApp(
  stack: IdentityStack,
  developer: SignedIn,
  people: { person: SignedIn; scope: string }[],
): Promise<{ app: RegisteredApp; subjects: string[] }> {
  const app = await registerApp(stack, developer, {
    scopes: ['heart_rate.read', 'blood_pressure.read', 'body.read', 'spo2.read'],
  });
  const subjects: string[] = [];
  for (const { person, scope } of people) {
    const { tokens } = await connectApp(stack, person, app, { scope });
    subjects.push(claimsOf(tokens.access_token).sub as string);
  }
  const res = await call(developer.browser, stack.apiUrl, 'PATCH', `/v1/developer/apps/${app.client_id}`, {
    sandbox: true,
  });
  expect(res.status).toBe(200);
  return { app, subjects };
}

/** Registers an endpoint for the receiver, gives the receiver the secret shown once, and verifies. */
export async function verifiedEndpoint(
  stack: IdentityStack,
  developer: SignedIn,
  app: RegisteredApp,
  receiver: Receiver,
  body: Record<string, unknown>,
): Promise<{ endpoint: Endpoint; secret: string }> {
  const res = await call(developer.browser, stack.apiUrl, 'POST', hooks(app), { url: receiver.url, ...body });
  const created = (await res.json()) as {
    endpoint: Endpoint;
    secret: string;
    verification: { verified: boolean };
  };
  expect(res.status, JSON.stringify(created)).toBe(201);
  expect(created.endpoint.status).toBe('unverified');
  receiver.secrets = [created.secret, ...receiver.secrets];
  const v = await call(
    developer.browser,
    stack.apiUrl,
    'POST',
    `${hooks(app)}/${created.endpoint.id}/verify`,
  );
  const endpoint = (await v.json()) as Endpoint;
  expect(v.status, JSON.stringify(endpoint)).toBe(200);
  expect(endpoint.status).toBe('active');
  return { endpoint, secret: created.secret };
}

export async function until<T>(
  what: string,
  probe: () => T | Promise<T>,
  timeoutMs = 10_000,
): Promise<NonNullable<T>> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v as NonNullable<T>;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
