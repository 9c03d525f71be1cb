import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { requireUser } from '../../auth/guard.js';
import { ApiError } from '../../errors.js';
import { createHouseholdsService } from '../households/index.js';
import { displayUserCode, normalizeUserCode } from './codes.js';
import type { DeviceFlowContext } from './options.js';
import { createDeviceFlowStore, type DeviceAuthorizationRow } from './repository.js';
import { denyRoute, verifyRoute } from './schemas.js';

/**
 * POST /v1/device-authorizations/verify and /deny: a signed-in household member decides on the code
 * a gateway shows. Errors use the API shape and API_ERR_* codes.
 */
export const deviceVerificationRoutes: FastifyPluginAsyncTypebox<DeviceFlowContext> = async (app, ctx) => {
  const store = createDeviceFlowStore(ctx.db);
  const households = createHouseholdsService(ctx.db);

  /** The households the account belongs to, sorted by id. */
  const householdsOf = (accountId: string) => households.householdIdsOf(accountId);

  /** The pending authorization behind what the person typed, or a coded 4xx. */
  async function pendingFor(typed: string): Promise<DeviceAuthorizationRow> {
    const code = normalizeUserCode(typed);
    const row = code === undefined ? undefined : await store.byUserCode(code);
    if (row === undefined) {
      throw new ApiError('API_ERR_USER_CODE_UNKNOWN', 'No gateway is waiting for this code; check it.', {
        user_code: typed,
      });
    }
    if (row.status !== 'pending') {
      throw new ApiError(
        'API_ERR_USER_CODE_USED',
        `This code was already ${row.status === 'denied' ? 'denied' : 'approved'}.`,
        {
          user_code: displayUserCode(row.userCode),
        },
      );
    }
    if (ctx.now() >= row.expiresAtMs) {
      throw new ApiError(
        'API_ERR_USER_CODE_EXPIRED',
        'This code has expired; start linking the gateway again.',
        {
          user_code: displayUserCode(row.userCode),
        },
      );
    }
    return row;
  }

  async function householdFor(accountId: string, requested: string | undefined): Promise<string> {
    const memberOf = await householdsOf(accountId);
    if (requested !== undefined) {
      if (!memberOf.includes(requested)) {
        throw new ApiError('API_ERR_HOUSEHOLD_FORBIDDEN', 'You are not a member of this household.', {
          household_id: requested,
        });
      }
      return requested;
    }
    if (memberOf.length === 1) return memberOf[0]!;
    if (memberOf.length === 0) {
      throw new ApiError('API_ERR_HOUSEHOLD_FORBIDDEN', 'Your account belongs to no household.', {
        reason: 'no_household',
      });
    }
    throw new ApiError(
      'API_ERR_HOUSEHOLD_REQUIRED',
      'Your account belongs to several households; name one.',
      {
        households: memberOf,
      },
    );
  }

  const raced = (row: DeviceAuthorizationRow) =>
    new ApiError('API_ERR_USER_CODE_USED', 'This code was decided on at the same moment by someone else.', {
      user_code: displayUserCode(row.userCode),
    });

  app.post(
    '/v1/device-authorizations/verify',
    { schema: verifyRoute, preHandler: requireUser('gateways:link') },
    async (request) => {
      const accountId = request.principal!.accountId;
      const row = await pendingFor(request.body.user_code);
      const householdId = await householdFor(accountId, request.body.household_id);
      if (!(await store.decide(row.id, 'approved', accountId, householdId))) throw raced(row);
      request.log.info({ authorization: row.id, householdId }, 'gateway link approved');
      return {
        status: 'approved' as const,
        user_code: displayUserCode(row.userCode),
        household_id: householdId,
        ...(row.gatewayName === null ? {} : { gateway_name: row.gatewayName }),
        ...(row.gatewayModel === null ? {} : { gateway_model: row.gatewayModel }),
      };
    },
  );

  app.post(
    '/v1/device-authorizations/deny',
    { schema: denyRoute, preHandler: requireUser('gateways:link') },
    async (request) => {
      const row = await pendingFor(request.body.user_code);
      if (!(await store.decide(row.id, 'denied', request.principal!.accountId, null))) throw raced(row);
      return { status: 'denied' as const, user_code: displayUserCode(row.userCode) };
    },
  );
};
