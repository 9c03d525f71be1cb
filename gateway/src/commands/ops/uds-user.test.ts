import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { WeightScale } from '@linkwell/device-sim';
import type { Reading } from '@linkwell/firmware-protocol';
import { describe, expect, it, onTestFinished } from 'vitest';
import { startedCommandHome } from '../../../test/command-home.js';
import { until } from '../../../test/feature-home.js';
import { ScaleUserStore } from '../../state/scale-users.js';

const SCALE = 'D0:00:00:00:00:03';
// The simulated household scale knows users 1 (consent 1234) and 2 (consent 5678) before any gateway.
const HOME = [{ kind: 'scale' as const, address: SCALE, options: { unsuccessfulRate: 0 } }];

async function scaleHome(store = ScaleUserStore.inMemory()) {
  const h = await startedCommandHome(HOME, { scaleUsers: store, uds: { quietMs: 20 } });
  const readings: Reading[] = [];
  const consented: number[] = [];
  h.gw.bus.on('reading', (r) => readings.push(r));
  h.gw.bus.on('device.user_consented', (e) => consented.push(e.index));
  const scale = h.home.find('scale') as WeightScale;
  const weights = (slot: number) =>
    readings.filter((r) => r.metric === 'body_weight' && r.slot === slot).map((r) => r.values.weight);
  return { ...h, store, scale, readings, consented, weights };
}

describe('uds_register command', () => {
  it('registers a new user, answers the index the scale assigned, and consents as them from the next link on', async () => {
    const h = await scaleHome();
    const r = await h.send({ op: 'uds_register', address: SCALE, consent: 4321 }, 'reg-1');
    // Users 1 and 2 exist; the scale gives the lowest free index.
    expect(r).toEqual({
      v: 1,
      gw: 'gw_cmd',
      tid: 'reg-1',
      status: 'ok',
      data: { address: SCALE, index: 0, stored: true },
    });
    expect(JSON.stringify(r)).not.toContain('4321');
    expect(h.events.find((e) => e.type === 'device.user_registered')).toEqual({
      type: 'device.user_registered',
      at: h.clock.now(),
      address: SCALE,
      index: 0,
    });
    expect(h.store.list()).toEqual([{ address: SCALE, index: 0, consent: 4321 }]);
    // The session the command connected again consented as the new user.
    await until(() => h.consented.includes(0), 'consent as user 0');
    h.scale.step({ user: 0 });
    h.clock.advance(60_000);
    await until(() => h.weights(0).length === 1, "user 0's weighing");
    expect(h.weights(0)).toEqual([h.scale.taken.at(-1)!.weightKg]);
  });

  it('answers GATEWAY_ERR_UDS_REGISTER_FAILED when the user table is full, and stores nothing', async () => {
    const h = await scaleHome();
    // Eight slots (0-7): 1 and 2 are taken, six more fill the table.
    for (let i = 0; i < 6; i++) {
      const ok = await h.send({ op: 'uds_register', address: SCALE, consent: 1000 + i }, `fill-${i}`);
      expect(ok.status).toBe('ok');
    }
    const before = h.store.list();
    const r = await h.send({ op: 'uds_register', address: SCALE, consent: 9999 }, 'reg-full');
    expect(r).toMatchObject({
      status: 'error',
      error: { code: 'GATEWAY_ERR_UDS_REGISTER_FAILED', message: `${SCALE}: operation_failed` },
    });
    expect(h.store.list()).toEqual(before);
  });

  it('answers GATEWAY_ERR_UNSUPPORTED for a device without a User Control Point', async () => {
    const h = await startedCommandHome([{ kind: 'bp-cuff', address: 'D0:00:00:00:00:02' }]);
    const r = await h.send({ op: 'uds_register', address: 'D0:00:00:00:00:02', consent: 1 }, 'reg-cuff');
    expect(r).toMatchObject({ status: 'error', error: { code: 'GATEWAY_ERR_UNSUPPORTED' } });
  });
});

describe('uds_consent command', () => {
  it('refuses a wrong consent code with GATEWAY_ERR_CONSENT_FAILED, stores nothing, and never echoes the code', async () => {
    const h = await scaleHome();
    const r = await h.send({ op: 'uds_consent', address: SCALE, index: 1, consent: 1111 }, 'con-bad');
    expect(r).toMatchObject({
      status: 'error',
      error: { code: 'GATEWAY_ERR_CONSENT_FAILED', message: `${SCALE}: user_not_authorized` },
    });
    expect(JSON.stringify(r)).not.toContain('1111');
    expect(h.store.list()).toEqual([]);
    expect(h.consented).toEqual([]);
  });

  it('stores an existing user on the right code, and the next link collects that user’s stored weighings', async () => {
    const h = await scaleHome();
    await h.gw.devices.hold(SCALE);
    h.scale.step({ user: 2 });
    h.clock.advance(60_000);
    expect(h.scale.storedReadings(2)).toHaveLength(1);
    const r = await h.send({ op: 'uds_consent', address: SCALE, index: 2, consent: 5678 }, 'con-ok');
    expect(r).toEqual({
      v: 1,
      gw: 'gw_cmd',
      tid: 'con-ok',
      status: 'ok',
      data: { address: SCALE, index: 2, stored: true },
    });
    expect(h.store.list()).toEqual([{ address: SCALE, index: 2, consent: 5678 }]);
    await until(() => h.weights(2).length === 1, "user 2's stored weighing");
    expect(h.weights(2)).toEqual([h.scale.taken[0]!.weightKg]);
    expect(h.scale.storedReadings(2)).toHaveLength(0);
  });

  it('consents, after a restart, as the users a persisted store kept', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lw-scale-users-'));
    onTestFinished(() => rm(dir, { recursive: true, force: true }));
    const first = await scaleHome(await ScaleUserStore.openIn(dir));
    expect(
      (await first.send({ op: 'uds_consent', address: SCALE, index: 1, consent: 1234 }, 'c1')).status,
    ).toBe('ok');
    await first.gw.stop();
    const file = join(dir, 'scale-users.json');
    // Consent codes are secrets: owner-only.
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({
      v: 1,
      users: [{ address: SCALE, index: 1, consent: 1234 }],
    });
    const second = await scaleHome(await ScaleUserStore.openIn(dir));
    // The first link after the restart is consented as user 1, so their weighing is delivered at once.
    second.scale.step({ user: 1 });
    second.clock.advance(60_000);
    await until(() => second.weights(1).length === 1, "user 1's weighing after the restart");
    expect(second.weights(1)).toEqual([second.scale.taken[0]!.weightKg]);
  });

  it('refuses to open a damaged store with GATEWAY_ERR_STATE_IO instead of starting empty', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lw-scale-users-'));
    onTestFinished(() => rm(dir, { recursive: true, force: true }));
    await writeFile(
      join(dir, 'scale-users.json'),
      '{"v":1,"users":[{"address":"x","index":1,"consent":12345}]}',
    );
    await expect(ScaleUserStore.openIn(dir)).rejects.toMatchObject({ code: 'GATEWAY_ERR_STATE_IO' });
    await writeFile(join(dir, 'scale-users.json'), '{"v":1,');
    const err = await ScaleUserStore.openIn(dir).catch((e: Error) => e);
    expect(err).toMatchObject({ code: 'GATEWAY_ERR_STATE_IO' });
    expect((err as Error).message).not.toContain('"v":1');
  });
});
