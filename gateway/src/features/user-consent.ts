import { decodeUserControlPoint, encodeUserControlPoint } from '@linkwell/firmware-protocol';
import { GatewayError } from '../errors.js';
import { type ScaleUserStore, scaleUsersOf } from '../state/scale-users.js';
import type { DeviceFeature, LinkSession } from './types.js';

const UDS = '181c';
const UCP = '2a9f';
const CONSENT_OP = 0x02;

/** A household member's place on a multi-user scale: UDS user index and the 4-digit consent code. */
export interface ScaleUserConfig {
  address: string;
  index: number;
  consent: number;
}

export interface UserConsentOptions {
  /** The start-up configuration. */
  users: readonly ScaleUserConfig[];
  /**
   * Users registered or consented through the command channel (uds_register, uds_consent); read on every
   * link, so a user stored while the scale is connected is consented from the next link on.
   */
  store?: ScaleUserStore;
  /** How long to wait for the Response Code indication. Default 5 s. */
  responseTimeoutMs?: number;
  /**
   * With several users on one scale: once no reading arrived for this long after consent, the link is closed
   * and opened again for the next user. Default 3 s.
   */
  quietMs?: number;
  /**
   * With several users on one scale: once every user had a turn, stay on the link this long and then start
   * the next round. Without it (the default) the gateway stays until the scale drops the link, as real
   * scales do when they power down after a weighing; a scale that stays awake keeps the other users'
   * weighings until a central consents as them (UDS §3.2), so a gateway near such a scale sets this.
   */
  revisitMs?: number;
}

/**
 * UDS consent for multi-user scales. When the GATT table has the User Control Point (0x181C/0x2A9F) and
 * users are configured for the device, the link is bonded (if the central can pair), UCP indications are
 * enabled, Consent is written for one user and its Response Code checked, all before the weight and body
 * composition indications are enabled, so the scale replays that user's stored readings. Readings without a
 * user id in the frame get the consented index as their slot. A scale accepts one consented user per link,
 * so with more users the gateway consents them in turn, one per connection: after `quietMs` without a
 * reading it reconnects for the next one until each had a turn, then stays on the link; the next round
 * starts when the link drops. The users are the start-up configuration together with the store the
 * uds_register and uds_consent commands fill (docs/gateways.md).
 */
export function userConsentFeature(opts: UserConsentOptions): DeviceFeature {
  const timeoutMs = opts.responseTimeoutMs ?? 5000;
  const quietMs = opts.quietMs ?? 3000;
  const rounds = new Map<string, { cursor: number; left: number }>();
  const usersOf = (address: string) => scaleUsersOf(address, opts.users, opts.store);
  /** Links that still have to hand over to the next user once the replay went quiet. */
  const rotate = new WeakSet<LinkSession>();

  async function consent(s: LinkSession, user: ScaleUserConfig): Promise<void> {
    const fail = (message: string, cause?: unknown) =>
      new GatewayError('GATEWAY_ERR_CONSENT_FAILED', `${s.address} user ${user.index}: ${message}`, {
        ...(cause ? { cause } : {}),
      });
    if (!s.central.pair) throw fail('the central cannot pair, and the User Control Point needs a bond');
    try {
      await s.central.pair(s.address);
    } catch (err) {
      throw fail(`pairing failed: ${(err as Error).message}`, err);
    }
    let answer: (v: Uint8Array) => void = () => {};
    const response = new Promise<Uint8Array | undefined>((resolve) => {
      answer = resolve;
      const t = setTimeout(() => resolve(undefined), timeoutMs);
      t.unref?.();
    });
    s.addCleanup(await s.link.subscribe(UDS, UCP, (v) => answer(v)));
    await s.link.write(
      UDS,
      UCP,
      encodeUserControlPoint({ opCode: 'consent', userIndex: user.index, consentCode: user.consent }),
      { withResponse: true },
    );
    const frame = await response;
    if (!frame) throw fail(`no Response Code within ${timeoutMs} ms`);
    const r = decodeUserControlPoint(frame);
    if (r.opCode !== 'response_code' || r.requestOpCode !== CONSENT_OP)
      throw fail(`unexpected control point answer ${r.opCode}`);
    if (r.result !== 'success') throw fail(r.result);
  }

  return {
    name: 'user-consent',
    async prepare(s) {
      const users = usersOf(s.address);
      if (users.length === 0 || !s.gatt.has(UDS, UCP)) return;
      const round = rounds.get(s.address) ?? { cursor: 0, left: 0 };
      if (round.left === 0) round.left = users.length;
      const user = users[round.cursor % users.length]!;
      round.cursor += 1;
      round.left -= 1;
      rounds.set(s.address, round);
      if (round.left > 0) rotate.add(s);
      await consent(s, user);
      s.addTransform((r) =>
        r.slot === null && !r.quality.includes('unknown_user') ? { ...r, slot: user.index } : r,
      );
      s.bus.emit('device.user_consented', { address: s.address, index: user.index });
    },
    ready(s) {
      if (!rotate.has(s)) {
        if (opts.revisitMs === undefined || usersOf(s.address).length < 2 || !s.gatt.has(UDS, UCP)) return;
        const revisit = setTimeout(() => s.requestReconnect('next round of UDS users'), opts.revisitMs);
        revisit.unref?.();
        s.addCleanup(() => clearTimeout(revisit));
        return;
      }
      let timer: ReturnType<typeof setTimeout> | undefined;
      const arm = () => {
        if (timer) clearTimeout(timer);
        timer = setTimeout(() => s.requestReconnect('next UDS user'), quietMs);
        timer.unref?.();
      };
      const onReading = (r: { device: string }) => {
        if (r.device === s.address) arm();
      };
      s.bus.on('reading', onReading);
      arm();
      s.addCleanup(() => {
        if (timer) clearTimeout(timer);
        s.bus.off('reading', onReading);
      });
    },
  };
}
