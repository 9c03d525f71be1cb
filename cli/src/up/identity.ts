import {
  DEMO_HOME,
  DEMO_HOUSEHOLD,
  type ProviderConfig,
  redirectUriFor,
  seedDemoIdentity,
} from '@linkwell/api';
import { DEMO_PEOPLE, startDemoIdentityProviders } from '@linkwell/identity-sim';
import type { UpState } from './platform.js';
import { pickPort } from './ports.js';

/** The demo person whose WeChat-style identity signs in to the streaming demo account (the first adult). */
export const DEMO_SIGN_IN = Object.freeze({ provider: 'wechat', person: '李伟' });

/** The second adult of the demo household signs in with the Google-like provider. */
export const DEMO_SECOND_SIGN_IN = Object.freeze({ provider: 'google', person: 'Alex Morgan' });

/**
 * Starts the simulated Google-like, Apple-like and WeChat-style providers on stable ports (an OIDC
 * issuer is its URL, so identities stored in ./data match again after a restart), links 李伟's
 * WeChat-style identity to the demo account and Alex Morgan's Google-like identity to the second adult's.
 */
export async function startIdentityProviders(s: UpState): Promise<void> {
  const base = s.opts.idpPort;
  const [google, apple, wechat] = [await pickPort(base), await pickPort(base + 1), await pickPort(base + 2)];
  const publicUrl = `http://127.0.0.1:${s.apiPort}`;
  const sims = await startDemoIdentityProviders({
    redirectUriFor: (id) => redirectUriFor(publicUrl, id),
    ports: { google, apple, wechat },
  });
  s.identity = { providers: sims.providers as ProviderConfig[], close: sims.close };
  const person = DEMO_PEOPLE.wechat.find((p) => p.name === DEMO_SIGN_IN.person)!;
  const googleConfig = sims.providers.find((p) => p.id === 'google');
  const second = DEMO_PEOPLE.google.find((p) => p.name === DEMO_SECOND_SIGN_IN.person)!;
  if (googleConfig?.kind === 'oidc')
    await seedDemoIdentity(
      s.db!,
      {
        provider: 'google',
        issuer: googleConfig.issuer,
        subject: sims.subjectOf('google', second.id),
        name: second.name,
      },
      DEMO_HOUSEHOLD.partner.accountId,
    );
  const wechatConfig = sims.providers.find((p) => p.id === 'wechat');
  if (wechatConfig?.kind !== 'wechat') return;
  await seedDemoIdentity(
    s.db!,
    {
      provider: 'wechat',
      issuer: new URL(wechatConfig.authorize_url).origin,
      subject: sims.subjectOf('wechat', person.id),
      name: person.name,
    },
    DEMO_HOME.accountId,
  );
}
