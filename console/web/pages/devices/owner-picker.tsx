import { useState } from 'preact/hooks';
import { send } from '../../api/client.js';
import type { Device, Household } from '../../api/household-types.js';
import { useI18n } from '../../i18n/context.js';
import type { Actions } from '../account/actions.js';
import { memberName } from '../household-scope.js';

/** A single-user device (a wristband) belongs to one member; every reading it sends is theirs. */
export function OwnerPicker({
  household,
  device,
  actions,
}: {
  household: Household;
  device: Device;
  actions: Actions;
}) {
  const { t } = useI18n();
  const current = device.owner ?? '';
  const [owner, setOwner] = useState(current);
  const id = `owner-${device.id}`;
  const save = (event: Event) => {
    event.preventDefault();
    void actions.run(async () => {
      await send('PUT', `/v1/devices/${encodeURIComponent(device.id)}/owner`, actions.csrf, {
        account_id: owner,
      });
      return t('owner.saved', { name: memberName(household, owner) });
    });
  };
  return (
    <form class="inline-form" onSubmit={save}>
      <label for={id}>{t('owner.label')}</label>
      <select
        id={id}
        value={owner}
        onChange={(event) => setOwner((event.currentTarget as HTMLSelectElement).value)}
      >
        {current === '' && <option value="">{t('owner.nobody')}</option>}
        {household.members.map((m) => (
          <option key={m.account_id} value={m.account_id}>
            {m.display_name}
          </option>
        ))}
      </select>
      <button type="submit" class="secondary" disabled={actions.busy || owner === '' || owner === current}>
        {t('owner.save')}
      </button>
    </form>
  );
}
