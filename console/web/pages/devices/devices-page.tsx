import { useCallback, useState } from 'preact/hooks';
import type { Device, Household, NearbyDevice } from '../../api/household-types.js';
import type { Session } from '../../api/types.js';
import { ConfirmDialog, type ConfirmRequest } from '../../components/confirm-dialog.js';
import { PageTitle } from '../../components/page-title.js';
import { Alert, Status } from '../../components/problem.js';
import { useI18n } from '../../i18n/context.js';
import { useResource } from '../../use-resource.js';
import { useActions } from '../account/actions.js';
import { Loaded } from '../account/loaded.js';
import { HouseholdScope } from '../household-scope.js';
import { DeviceItem } from './device-item.js';
import { NearbySection } from './nearby.js';

function HouseholdDevices({ household, session }: { household: Household; session: Session }) {
  const { t } = useI18n();
  const base = `/v1/households/${encodeURIComponent(household.id)}`;
  const [devices, reloadDevices] = useResource<{ devices: Device[] }>(`${base}/devices`);
  const [nearby, reloadNearby] = useResource<{ nearby: NearbyDevice[] }>(`${base}/nearby`);
  const reload = useCallback(() => {
    reloadDevices();
    reloadNearby();
  }, [reloadDevices, reloadNearby]);
  const state = useActions(session.csrf_token, reload);
  const [request, setRequest] = useState<ConfirmRequest | undefined>(undefined);
  return (
    <>
      <Alert view={state.alert} />
      <Status message={state.status} />
      <NearbySection household={household} nearby={nearby} actions={state.actions} onRefresh={reloadNearby} />
      <section aria-labelledby="claimed-title">
        <h2 id="claimed-title">{t('devices.claimedTitle', { household: household.name })}</h2>
        <Loaded resource={devices}>
          {(data) =>
            data.devices.length === 0 ? (
              <p>{t('devices.none')}</p>
            ) : (
              <ul class="cards">
                {data.devices.map((device) => (
                  <DeviceItem
                    key={device.id}
                    household={household}
                    device={device}
                    actions={state.actions}
                    confirm={setRequest}
                  />
                ))}
              </ul>
            )
          }
        </Loaded>
      </section>
      <ConfirmDialog request={request} onClose={() => setRequest(undefined)} />
    </>
  );
}

export function DevicesPage({ session }: { session: Session }) {
  const { t } = useI18n();
  return (
    <div class="stack">
      <PageTitle>{t('devices.title')}</PageTitle>
      <HouseholdScope>
        {(household) => <HouseholdDevices household={household} session={session} />}
      </HouseholdScope>
    </div>
  );
}
