import {
  type BleLink,
  decodeUserControlPoint,
  encodeUserControlPoint,
  type UserControlPoint,
} from '@linkwell/firmware-protocol';
import { GatewayError, type GatewayErrorCode } from '../../errors.js';
import type { CommandContext, CommandOf } from '../context.js';

const UDS = '181c';
const UCP = '2a9f';
const REGISTER_OP = 0x01;
const CONSENT_OP = 0x02;

type Request = Extract<UserControlPoint, { opCode: 'register_new_user' | 'consent' }>;
type Response = Extract<UserControlPoint, { opCode: 'response_code' }>;

/**
 * Runs one User Control Point procedure (UDS v1.0 §3.4) on a link of its own: a scale takes one central,
 * so a managed scale is released first and connected again afterwards, when its session consents as the
 * stored users. Bonds first (the UCP needs an encrypted link), enables UCP indications, writes the request
 * and waits for its Response Code. Every failure carries `code`; no message carries the consent code.
 */
async function exchange(
  ctx: CommandContext,
  address: string,
  request: Request,
  code: GatewayErrorCode,
  after: (response: Response) => Promise<void>,
): Promise<Response> {
  const { central } = ctx.devices;
  const fail = (message: string, cause?: unknown) =>
    new GatewayError(code, `${address}: ${message}`, cause ? { cause } : {});
  const managedDevice = ctx.devices.get(address);
  if (managedDevice) await ctx.devices.hold(address);
  try {
    const link: BleLink = await central.connect(address);
    let response: Uint8Array | undefined;
    try {
      const chars = await link.characteristics(UDS).catch(() => []);
      if (!chars.some((c) => c.uuid === UCP))
        throw new GatewayError('GATEWAY_ERR_UNSUPPORTED', `${address} has no User Control Point (0x2A9F)`);
      if (!central.pair)
        throw new GatewayError(
          'GATEWAY_ERR_UNSUPPORTED',
          'this central cannot pair; the User Control Point needs a bond',
        );
      try {
        await central.pair(address);
      } catch (err) {
        throw fail(`pairing failed: ${(err as Error).message}`, err);
      }
      let answer: (v: Uint8Array) => void = () => {};
      const answered = new Promise<Uint8Array | undefined>((resolve) => {
        answer = resolve;
        const t = setTimeout(() => resolve(undefined), ctx.udsResponseMs);
        t.unref?.();
      });
      const unsubscribe = await link.subscribe(UDS, UCP, (v) => answer(v));
      try {
        await link.write(UDS, UCP, encodeUserControlPoint(request), { withResponse: true });
        response = await answered;
      } finally {
        await unsubscribe().catch(() => {});
      }
    } finally {
      await link.disconnect().catch(() => {});
    }
    if (!response) throw fail(`no Response Code within ${ctx.udsResponseMs} ms`);
    let r: UserControlPoint;
    try {
      r = decodeUserControlPoint(response);
    } catch (err) {
      throw fail(`unreadable Response Code: ${(err as Error).message}`, err);
    }
    const expected = request.opCode === 'register_new_user' ? REGISTER_OP : CONSENT_OP;
    if (r.opCode !== 'response_code' || r.requestOpCode !== expected)
      throw fail(`unexpected control point answer ${r.opCode}`);
    if (r.result !== 'success') throw fail(r.result);
    // Stored before the scale is connected again, so that very session consents as the user.
    await after(r);
    return r;
  } finally {
    if (managedDevice)
      await ctx.devices.connect(address, managedDevice.profile).catch(() => {
        // Not fatal to the command: a reconnect with backoff is already planned.
      });
  }
}

/**
 * uds_register: Register New User with the member's consent code; answers the index the scale assigned and
 * stores {address, index, consent}, so every later link consents as the new user. A full user table is
 * GATEWAY_ERR_UDS_REGISTER_FAILED "operation_failed" (UDS §3.4).
 */
export async function udsRegisterOp(
  cmd: CommandOf<'uds_register'>,
  ctx: CommandContext,
): Promise<Record<string, unknown>> {
  const address = cmd.address.toUpperCase();
  const r = await exchange(
    ctx,
    address,
    { opCode: 'register_new_user', consentCode: cmd.consent },
    'GATEWAY_ERR_UDS_REGISTER_FAILED',
    async (response) => {
      if (response.userIndex === undefined)
        throw new GatewayError('GATEWAY_ERR_UDS_REGISTER_FAILED', `${address}: success without a user index`);
      await ctx.scaleUsers.put({ address, index: response.userIndex, consent: cmd.consent });
    },
  );
  await ctx
    .publishEvent({ type: 'device.user_registered', at: ctx.now(), address, index: r.userIndex })
    .catch(() => {});
  return { address, index: r.userIndex!, stored: true };
}

/**
 * uds_consent: Consent as a user the scale already has; on success stores {address, index, consent}, so every
 * later link consents as them. A wrong code or unknown index is GATEWAY_ERR_CONSENT_FAILED
 * "user_not_authorized", and nothing is stored.
 */
export async function udsConsentOp(
  cmd: CommandOf<'uds_consent'>,
  ctx: CommandContext,
): Promise<Record<string, unknown>> {
  const address = cmd.address.toUpperCase();
  const user = { address, index: cmd.index, consent: cmd.consent };
  await exchange(
    ctx,
    address,
    { opCode: 'consent', userIndex: cmd.index, consentCode: cmd.consent },
    'GATEWAY_ERR_CONSENT_FAILED',
    () => ctx.scaleUsers.put(user),
  );
  return { address, index: cmd.index, stored: true };
}
