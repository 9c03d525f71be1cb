import { enConsents } from './en-consents.js';
import { enDevices } from './en-devices.js';
import { enExport } from './en-export.js';
import { enHousehold } from './en-household.js';
import { enInbox } from './en-inbox.js';
import { enMarketer } from './en-marketer.js';
import { enOAuth } from './en-oauth.js';
import { enTrends } from './en-trends.js';
import { enWebhooks } from './en-webhooks.js';

// English, the reference dictionary: its keys are the console's message keys (zh-CN.ts must have them all).
// `{name}` marks a value filled in at run time. The household, devices and inbox pages keep theirs in
// en-*.ts, spread in at the end.
export const en = {
  'app.name': 'Linkwell',
  'app.skipToMain': 'Skip to main content',
  'nav.label': 'Main',
  'nav.account': 'Account',
  'nav.signIn': 'Sign in',
  'nav.signOut': 'Sign out',
  'lang.label': 'Language',
  'lang.en': 'English',
  'lang.zh-CN': '简体中文',
  'common.loading': 'Loading…',
  'common.retry': 'Try again',
  'common.cancel': 'Cancel',
  'common.errorCode': 'Error code: {code}',
  'notFound.title': 'Page not found',
  'notFound.body': 'There is no page at this address.',
  'notFound.home': 'Go to the start page',
  'signin.title': 'Sign in to Linkwell',
  'signin.intro':
    'Sign in with an account you already have. The first time you do, Linkwell creates your account for you.',
  'signin.providers': 'Sign-in options',
  'signin.continueWith': 'Continue with {provider}',
  'signin.none': 'No sign-in options are available right now. Please try again later.',
  'signin.failed': 'Sign-in did not complete.',
  'signin.loadFailed': 'The sign-in options could not be loaded.',
  'account.title': 'Your account',
  'account.memberSince': 'Member since {date}',
  'account.id': 'Account ID: {id}',
  'identities.title': 'Your identities',
  'identities.intro': 'You can sign in to Linkwell with any of these.',
  'identities.emailVerified': '{email} (verified)',
  'identities.emailUnverified': '{email} (not verified)',
  'identities.linkedAt': 'Linked {date}',
  'identities.lastUsed': 'Last used {date}',
  'identities.unlink': 'Unlink',
  'identities.unlinkLabel': 'Unlink {provider} identity {name}',
  'identities.unlinked': 'The {provider} identity was unlinked.',
  'link.title': 'Link another identity',
  'link.intro':
    'Sign in with another account you have. Afterwards you can use it to sign in to Linkwell as well.',
  'link.provider': 'Provider',
  'link.submit': 'Continue',
  'suggestions.title': 'Other accounts that may be yours',
  'suggestions.intro':
    'Linkwell noticed other accounts that may belong to you. To combine one with this account, use “Link another identity” and sign in with that account’s identity: Linkwell then offers to merge the two.',
  'suggestions.item': 'An account that signs in with {providers}',
  'suggestions.itemUnnamed': 'Another Linkwell account',
  'suggestions.noticed': 'Noticed {date}',
  'merge.offerTitle': 'Merge the other account into this one?',
  'merge.offerBody':
    'The identity you just signed in with already belongs to another Linkwell account. If you merge, that account’s identities and data move into this account. You can undo a merge for a limited time.',
  'merge.confirm': 'Merge into this account',
  'merge.dismiss': 'Not now',
  'merge.done': 'The accounts were merged. You can undo this until {date}.',
  'merges.title': 'Merged accounts',
  'merges.item': 'Account {id}, merged {date}',
  'merges.undo': 'Undo merge',
  'merges.undoLabel': 'Undo merge of account {id}',
  'merges.undoUntil': 'You can undo this until {date}.',
  'merges.undoExpired': 'This merge can no longer be undone.',
  'merges.undone': 'Undone {date}',
  'merges.undoneNow': 'The merge was undone.',
  'audit.title': 'Recent activity',
  'audit.empty': 'No activity yet.',
  'audit.from': 'From {ip}',
  'audit.action.sign_in': 'Signed in',
  'audit.action.sign_out': 'Signed out',
  'audit.action.link': 'Linked an identity',
  'audit.action.unlink': 'Unlinked an identity',
  'audit.action.merge': 'Merged another account',
  'audit.action.merge_undo': 'Undid a merge',
  'audit.action.step_up': 'Confirmed it was you',
  'audit.action.account_created': 'Account created',
  'audit.action.other': 'Other activity ({action})',
  'stepUp.title': 'Confirm it’s you',
  'stepUp.body':
    'This change needs a recent sign-in. Sign in again with one of your identities; you then come back here and can make the change.',
  'stepUp.with': 'Continue with {provider}',
  'error.generic': 'Something went wrong.',
  'error.network': 'Linkwell could not be reached. Check your connection and try again.',
  'error.API_ERR_UNAUTHORIZED': 'You are not signed in, or your session has ended. Please sign in again.',
  'error.API_ERR_CSRF': 'This page was out of date. Reload it and try again.',
  'error.API_ERR_RATE_LIMITED': 'Too many attempts. Wait a moment and try again.',
  'error.API_ERR_INTERNAL': 'Linkwell ran into a problem. Please try again later.',
  'error.API_ERR_STEP_UP_REQUIRED': 'Please confirm it’s you before making this change.',
  'error.API_ERR_LAST_IDENTITY':
    'This is your only identity, so it cannot be unlinked: you would no longer be able to sign in. Link another identity first.',
  'error.API_ERR_IDENTITY_IN_USE': 'That identity already belongs to another Linkwell account.',
  'error.API_ERR_PROVIDER_UNKNOWN':
    'That sign-in option does not exist (any more). Choose one of the options shown.',
  'error.API_ERR_PROVIDER_MISMATCH':
    'The provider’s answer did not match the sign-in you started. Please start again.',
  'error.API_ERR_SIGNIN_STATE_INVALID': 'This sign-in link is not valid. Please start again.',
  'error.API_ERR_SIGNIN_REPLAYED': 'This sign-in was already used. Please start again.',
  'error.API_ERR_SIGNIN_EXPIRED': 'The sign-in took longer than 10 minutes. Please start again.',
  'error.API_ERR_SIGNIN_BROWSER_MISMATCH':
    'The sign-in finished in a different browser from the one it started in. Please start again here.',
  'error.API_ERR_UPSTREAM_DENIED': 'The sign-in was cancelled at the provider.',
  'error.API_ERR_UPSTREAM_ERROR':
    'The provider reported a problem. Please try again, or choose another way to sign in.',
  'error.API_ERR_UPSTREAM_UNAVAILABLE':
    'The provider could not be reached. Please try again later, or choose another way to sign in.',
  'error.API_ERR_UPSTREAM_REAUTH_REQUIRED': 'The provider needs you to sign in again.',
  'error.API_ERR_ID_TOKEN_INVALID': 'The provider’s answer could not be verified, so you were not signed in.',
  'error.API_ERR_RETURN_TO_INVALID': 'That sign-in link points to another site, so it was not followed.',
  'error.API_ERR_STEP_UP_MISMATCH':
    'You confirmed with an identity of another account. Confirm with one of this account’s identities.',
  'error.API_ERR_IDENTITY_NOT_FOUND': 'That identity is no longer linked to your account.',
  'error.API_ERR_MERGE_OFFER_INVALID':
    'This merge offer has expired or was already used. Link the other identity again to get a new one.',
  'error.API_ERR_MERGE_NOT_FOUND': 'That merge does not exist.',
  'error.API_ERR_MERGE_UNDO_EXPIRED': 'A merge can be undone for 30 days; this one is older.',
  'error.API_ERR_MERGE_ALREADY_UNDONE': 'This merge was already undone.',
  'error.API_ERR_MERGE_CONFLICT':
    'A later merge into this account depends on this one. Undo the later merge first.',
  ...enHousehold,
  ...enDevices,
  ...enInbox,
  ...enTrends,
  ...enOAuth,
  ...enExport,
  ...enWebhooks,
  ...enConsents,
  ...enMarketer,
} as const;

export type MessageKey = keyof typeof en;
