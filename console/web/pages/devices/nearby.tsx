import { send } from '../../api/client.js';
import type { Household, NearbyDevice } from '../../api/household-types.js';
import { useI18n } from '../../i18n/context.js';
import type { Resource } from '../../use-resource.js';
import type { Actions } from '../account/actions.js';
import { Loaded } from '../account/loaded.js';
import { DeviceFacts, deviceLabel } from './facts.js';

/** Devices the household's gateways have seen and matched to a profile, not yet claimed. */
export function NearbySection({
  household,
  nearby,
  actions,
  onRefresh,
}: {
  household: Household;
  nearby: Resource<{ nearby: NearbyDevice[] }>;
  actions: Actions;
  onRefresh: () => void;
}) {
  const { t } = useI18n();
  const claim = (device: NearbyDevice) =>
    actions.run(async () => {
      await send('POST', `/v1/households/${encodeURIComponent(household.id)}/devices`, actions.csrf, {
        address: device.address,
      });
      return t('devices.claimed', { name: deviceLabel(device) });
    });
  return (
    <section aria-labelledby="nearby-title">
      <div class="page-head">
        <h2 id="nearby-title">{t('nearby.title')}</h2>
        <button type="button" class="secondary" onClick={onRefresh}>
          {t('nearby.refresh')}
        </button>
      </div>
      <p>{t('nearby.intro')}</p>
      <Loaded resource={nearby}>
        {(data) =>
          data.nearby.length === 0 ? (
            <p class="muted">{t('nearby.none')}</p>
          ) : (
            <ul class="cards">
              {data.nearby.map((device) => (
                <li key={device.address} class="card nearby">
                  <div>
                    <p class="title">{deviceLabel(device)}</p>
                    <DeviceFacts
                      model={device.model}
                      maker={device.maker}
                      battery={device.battery_percent}
                      address={device.address}
                    />
                  </div>
                  <button
                    type="button"
                    disabled={actions.busy}
                    aria-label={t('nearby.claimLabel', {
                      name: deviceLabel(device),
                      address: device.address,
                    })}
                    onClick={() => void claim(device)}
                  >
                    {t('nearby.claim')}
                  </button>
                </li>
              ))}
            </ul>
          )
        }
      </Loaded>
    </section>
  );
}
