import { describe, expect, it } from 'vitest';
import type { MessageKey } from '../web/i18n/en.js';
import { DICTIONARIES, LOCALES } from '../web/i18n/index.js';

// WCAG 2.5.3 Label in Name for the household, devices and inbox pages: a button whose accessible name is
// longer than its text (it names the member, device or reading) must contain the text it shows.
const LABELLED: readonly (readonly [label: MessageKey, visible: MessageKey])[] = [
  ['members.removeLabel', 'members.remove'],
  ['members.transferLabel', 'members.transfer'],
  ['members.handoverLabel', 'members.handover'],
  ['invites.revokeLabel', 'invites.revoke'],
  ['code.copyCode', 'common.copy'],
  ['code.copyLink', 'common.copy'],
  ['gateways.revokeLabel', 'gateways.revoke'],
  ['gateways.resetLabel', 'gateways.reset'],
  ['nearby.claimLabel', 'nearby.claim'],
  ['devices.unclaimLabel', 'devices.unclaim'],
  ['slots.saveLabel', 'slots.save'],
  ['slots.clearLabel', 'slots.clear'],
  ['inbox.fileLabel', 'inbox.file'],
  ['inbox.discardLabel', 'inbox.discard'],
  ['rules.removeLabel', 'rules.remove'],
  ['readings.reassignLabel', 'readings.reassign'],
];

describe('household pages’ button labels', () => {
  it.each(LOCALES)('%s keeps each button’s visible text inside its longer accessible name', (locale) => {
    const dict = DICTIONARIES[locale];
    const missing = LABELLED.filter(([label, visible]) => !dict[label].includes(dict[visible]));
    expect(missing).toEqual([]);
  });
});
