import { useState } from 'preact/hooks';
import { send } from '../../api/client.js';
import type { Device, Household } from '../../api/household-types.js';
import { useI18n } from '../../i18n/context.js';
import type { Actions } from '../account/actions.js';
import { memberName } from '../household-scope.js';

/** When the API does not say how many users the device keeps: the API's own default, 4. */
const DEFAULT_SLOTS = 4;

function SlotRow({
  household,
  device,
  slot,
  mapped,
  actions,
}: {
  household: Household;
  device: Device;
  slot: number;
  mapped: string | undefined;
  actions: Actions;
}) {
  const { t } = useI18n();
  const [member, setMember] = useState(mapped ?? '');
  // First-sync guard (issue 12): nothing a slot stored reaches anyone until the slot is mapped. Mapping it
  // the first time asks whether that history is the member's; it is unless they untick it, because
  // discarding is the step that loses data. A remap leaves the API's default (held readings import).
  const [importHistory, setImportHistory] = useState(true);
  // UDS scales guard each user with a four-digit consent code (UDS v1.0 §3.4); the API passes it to the
  // gateway and never shows it again, so the field is cleared after saving.
  const uds = device.kind === 'scale';
  const [consent, setConsent] = useState('');
  const consentValid = consent === '' || /^[0-9]{4}$/.test(consent);
  const path = `/v1/devices/${encodeURIComponent(device.id)}/slots/${slot}`;
  const selectId = `slot-${device.id}-${slot}`;
  const importId = `slot-import-${device.id}-${slot}`;
  const consentId = `slot-consent-${device.id}-${slot}`;
  const hintId = `slot-consent-hint-${device.id}-${slot}`;
  const save = (event: Event) => {
    event.preventDefault();
    void actions.run(async () => {
      await send('PUT', path, actions.csrf, {
        account_id: member,
        ...(mapped === undefined ? { import_history: importHistory } : {}),
        ...(uds && consent !== '' ? { consent_code: consent } : {}),
      });
      const name = memberName(household, member);
      const withCode = uds && consent !== '';
      setConsent('');
      return withCode ? t('slots.savedConsent', { slot, name }) : t('slots.saved', { slot, name });
    });
  };
  const clear = () =>
    actions.run(async () => {
      await send('DELETE', path, actions.csrf);
      return t('slots.cleared', { slot });
    });
  return (
    <li>
      <form class="inline-form slot" onSubmit={save}>
        <label for={selectId}>{t('slots.user', { slot })}</label>
        <select
          id={selectId}
          value={member}
          onChange={(event) => setMember((event.currentTarget as HTMLSelectElement).value)}
        >
          <option value="">{t('slots.nobody')}</option>
          {household.members.map((m) => (
            <option key={m.account_id} value={m.account_id}>
              {m.display_name}
            </option>
          ))}
        </select>
        {mapped === undefined && (
          <span class="check">
            <input
              type="checkbox"
              id={importId}
              checked={importHistory}
              onChange={(event) => setImportHistory((event.currentTarget as HTMLInputElement).checked)}
            />
            <label for={importId}>{t('slots.importHistory', { slot })}</label>
          </span>
        )}
        {uds && (
          <span class="consent">
            <label for={consentId}>{t('slots.consentCode', { slot })}</label>
            <input
              id={consentId}
              type="password"
              inputMode="numeric"
              autoComplete="off"
              pattern="[0-9]{4}"
              maxLength={4}
              size={4}
              value={consent}
              aria-describedby={hintId}
              aria-invalid={!consentValid}
              onInput={(event) => setConsent((event.currentTarget as HTMLInputElement).value)}
            />
            <span id={hintId} class="muted small">
              {t('slots.consentHint')}
            </span>
          </span>
        )}
        <button
          type="submit"
          class="secondary"
          disabled={actions.busy || member === '' || !consentValid || (member === mapped && consent === '')}
          aria-label={t('slots.saveLabel', { slot })}
        >
          {t('slots.save')}
        </button>
        {mapped !== undefined && (
          <button
            type="button"
            class="secondary"
            disabled={actions.busy}
            aria-label={t('slots.clearLabel', { slot })}
            onClick={() => void clear()}
          >
            {t('slots.clear')}
          </button>
        )}
      </form>
    </li>
  );
}

/** A multi-user device (UDS user index, BLS user id): which member each of its users is. */
export function SlotMap({
  household,
  device,
  actions,
}: {
  household: Household;
  device: Device;
  actions: Actions;
}) {
  const { t } = useI18n();
  const mapped = new Map((device.slots ?? []).map((s) => [s.slot, s.account_id]));
  const count = device.slot_count ?? DEFAULT_SLOTS;
  // Slots are the device's own user numbers, 0 to count − 1, shown as the device numbers them.
  const slots = Array.from({ length: count }, (_, i) => i);
  return (
    <fieldset class="slots">
      <legend>{t('slots.title')}</legend>
      <p class="muted small">{t('slots.intro')}</p>
      <ul class="plain">
        {slots.map((slot) => (
          <SlotRow
            key={`${slot}:${mapped.get(slot) ?? ''}`}
            household={household}
            device={device}
            slot={slot}
            mapped={mapped.get(slot)}
            actions={actions}
          />
        ))}
      </ul>
    </fieldset>
  );
}
