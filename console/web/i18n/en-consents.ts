// English for "Privacy & consents" on the account page (docs/consents.md; part of en.ts).
export const enConsents = {
  'consents.title': 'Privacy & consents',
  'consents.intro':
    'Choose what Linkwell may use your data for. Everything but running the service is off until you turn it on, and you can turn it off again at any time.',
  'consents.purpose.service': 'Running the service',
  'consents.purpose.product_analytics': 'Product analytics',
  'consents.purpose.marketing': 'Marketing',
  'consents.purpose.research': 'Research',
  'consents.purpose.care_programme': 'Care programmes',
  'consents.category.usage': 'Usage',
  'consents.category.health': 'Health',
  'consents.category.contact': 'Contact',
  'consents.toggle': '{purpose}: {category}',
  'consents.textVersion': 'Text version {version}',
  'consents.agreed': 'Agreed to version {version} on {date}',
  'consents.expires': 'until {date}',
  'consents.expired': 'Expired on {date}',
  'consents.withdrawn': 'Withdrawn on {date}',
  'consents.granted': 'Consent given: {name}.',
  'consents.withdrawnNow': 'Consent withdrawn: {name}.',
  'consents.others': 'Sharing with partners',
  'consents.share': 'Sharing with {partner}',
  'audit.action.consent_grant': 'Gave a consent',
  'audit.action.consent_withdraw': 'Withdrew a consent',
  'error.API_ERR_CONSENT_TEXT_OUTDATED':
    'The consent text has changed since this page loaded. Read the new text and choose again.',
  'error.API_ERR_CONSENT_TEXT_MISMATCH':
    'The consent text shown here is not the one Linkwell holds. Reload the page and choose again.',
  'error.API_ERR_CONSENT_APP_FORBIDDEN': 'Apps cannot see or change your consents.',
} as const;
