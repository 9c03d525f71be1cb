import { useI18n } from '../../i18n/context.js';

/** What the console knows of a device from its profile and DIS: model, maker, battery, address. */
export function DeviceFacts({
  model,
  maker,
  battery,
  address,
}: {
  model: string | null | undefined;
  maker: string | null | undefined;
  battery: number | null | undefined;
  address: string;
}) {
  const { t } = useI18n();
  return (
    <>
      {typeof model === 'string' && model !== '' && <p>{t('devices.model', { model })}</p>}
      {typeof maker === 'string' && maker !== '' && <p>{t('devices.maker', { maker })}</p>}
      {typeof battery === 'number' && <p>{t('devices.battery', { percent: battery })}</p>}
      <p class="muted small">{t('devices.address', { address })}</p>
    </>
  );
}

/** A device's name for headings: its own name, else its model, else its address. */
export function deviceLabel(device: {
  name?: string | null;
  model?: string | null;
  address: string;
}): string {
  if (typeof device.name === 'string' && device.name !== '') return device.name;
  if (typeof device.model === 'string' && device.model !== '') return device.model;
  return device.address;
}
