import { describe, expect, it } from 'vitest';
import { IDSIM_ERRORS, startSimOidcIssuer, startSimWechatProvider } from '../src/index.js';

const RP = { client_id: 'rp', client_secret: 's', redirect_uris: ['https://rp.example/cb'] };
const APP = { appid: 'wx1', secret: 's', redirect_uri_prefixes: ['https://rp.example/'] };

describe('start-up options', () => {
  it('refuses an OIDC issuer whose two people share id "a" with IDSIM_ERR_INVALID_OPTIONS', async () => {
    const people = [
      { id: 'a', name: 'A' },
      { id: 'a', name: 'B' },
    ];
    await expect(startSimOidcIssuer({ displayName: 'X', people, clients: [RP] })).rejects.toMatchObject({
      code: 'IDSIM_ERR_INVALID_OPTIONS',
      message: 'IDSIM_ERR_INVALID_OPTIONS: person id "a" is empty or repeated',
    });
  });

  it('refuses a WeChat-style provider without apps with IDSIM_ERR_INVALID_OPTIONS', async () => {
    await expect(
      startSimWechatProvider({ displayName: 'X', people: [{ id: 'a', name: 'A' }], apps: [] }),
    ).rejects.toMatchObject({
      code: 'IDSIM_ERR_INVALID_OPTIONS',
      message: 'IDSIM_ERR_INVALID_OPTIONS: no app given',
    });
    await expect(
      startSimWechatProvider({ displayName: 'X', people: [{ id: 'a', name: 'A' }], apps: [APP, APP] }),
    ).rejects.toMatchObject({ code: 'IDSIM_ERR_INVALID_OPTIONS' });
  });

  it('catalogues exactly the three IDSIM_ERR_* codes', () => {
    expect(Object.keys(IDSIM_ERRORS)).toEqual([
      'IDSIM_ERR_INVALID_OPTIONS',
      'IDSIM_ERR_UNKNOWN_APP',
      'IDSIM_ERR_UNKNOWN_PERSON',
    ]);
  });
});
