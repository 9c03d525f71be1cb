import { useState } from 'preact/hooks';
import { send } from '../../api/client.js';
import type { Attribution, Device } from '../../api/household-types.js';
import { useI18n } from '../../i18n/context.js';
import type { Actions } from '../account/actions.js';

const MODES: readonly Attribution[] = ['single', 'slots', 'weight'];

/**
 * How a device's readings find their person: one owner, a member per device user (UDS, BLS), or by
 * weight for a shared scale without users. Claiming picks it from the profile; this corrects it.
 */
export function AttributionPicker({ device, actions }: { device: Device; actions: Actions }) {
  const { t } = useI18n();
  const [mode, setMode] = useState<Attribution>(device.attribution);
  const id = `mode-${device.id}`;
  const save = (event: Event) => {
    event.preventDefault();
    void actions.run(async () => {
      await send('PUT', `/v1/devices/${encodeURIComponent(device.id)}/attribution`, actions.csrf, { mode });
      return t('mode.saved', { mode: t(`attribution.${mode}`) });
    });
  };
  return (
    <form class="inline-form" onSubmit={save}>
      <label for={id}>{t('mode.label')}</label>
      <select
        id={id}
        value={mode}
        onChange={(e) => setMode((e.currentTarget as HTMLSelectElement).value as Attribution)}
      >
        {MODES.map((m) => (
          <option key={m} value={m}>
            {t(`attribution.${m}`)}
          </option>
        ))}
      </select>
      <button type="submit" class="secondary" disabled={actions.busy || mode === device.attribution}>
        {t('mode.save')}
      </button>
    </form>
  );
}
