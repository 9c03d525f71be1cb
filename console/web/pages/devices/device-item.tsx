import { useState } from 'preact/hooks';
import { send } from '../../api/client.js';
import type { Device, Household } from '../../api/household-types.js';
import type { ConfirmRequest } from '../../components/confirm-dialog.js';
import { useI18n } from '../../i18n/context.js';
import type { Actions } from '../account/actions.js';
import { AttributionPicker } from './attribution-picker.js';
import { CommandButtons } from './commands.js';
import { DeviceFacts, deviceLabel } from './facts.js';
import { OwnerPicker } from './owner-picker.js';
import { SlotMap } from './slot-map.js';

export function DeviceItem({
  household,
  device,
  actions,
  confirm,
}: {
  household: Household;
  device: Device;
  actions: Actions;
  confirm: (request: ConfirmRequest) => void;
}) {
  const { t } = useI18n();
  const label = deviceLabel(device);
  const path = `/v1/devices/${encodeURIComponent(device.id)}`;
  const [name, setName] = useState(device.name ?? '');
  const rename = (event: Event) => {
    event.preventDefault();
    void actions.run(async () => {
      await send('PATCH', path, actions.csrf, { name: name.trim() });
      return t('devices.renamed', { name: name.trim() });
    });
  };
  const unclaim = () =>
    confirm({
      title: t('devices.unclaimTitle', { name: label }),
      body: t('devices.unclaimBody'),
      confirm: t('devices.unclaim'),
      onConfirm: () =>
        void actions.run(async () => {
          await send('DELETE', path, actions.csrf);
          return t('devices.unclaimed', { name: label });
        }),
    });
  const nameId = `device-name-${device.id}`;
  return (
    <li class="card device" aria-labelledby={`device-title-${device.id}`}>
      <div>
        <h3 class="title" id={`device-title-${device.id}`}>
          {label}
        </h3>
        <DeviceFacts
          model={device.model}
          maker={device.maker}
          battery={device.battery_percent}
          address={device.address}
        />
        <form class="inline-form" onSubmit={rename}>
          <label for={nameId}>{t('devices.newName')}</label>
          <input
            id={nameId}
            value={name}
            maxLength={100}
            required
            onInput={(event) => setName((event.currentTarget as HTMLInputElement).value)}
          />
          <button
            type="submit"
            class="secondary"
            disabled={actions.busy || name.trim() === '' || name === (device.name ?? '')}
          >
            {t('devices.rename')}
          </button>
        </form>
        <AttributionPicker device={device} actions={actions} />
        {device.attribution === 'single' && (
          <OwnerPicker household={household} device={device} actions={actions} />
        )}
        {device.attribution === 'slots' && (
          <SlotMap household={household} device={device} actions={actions} />
        )}
        {device.attribution === 'weight' && <p class="muted">{t('devices.weightIntro')}</p>}
        <CommandButtons device={device} csrf={actions.csrf} />
      </div>
      <div class="buttons">
        <button
          type="button"
          class="secondary"
          disabled={actions.busy}
          aria-label={t('devices.unclaimLabel', { name: label })}
          onClick={unclaim}
        >
          {t('devices.unclaim')}
        </button>
      </div>
    </li>
  );
}
