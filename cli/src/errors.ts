import { CodedError } from '@linkwell/firmware-protocol';

/** CLI error catalog; documented in docs/errors.md. */
export const CLI_ERRORS = {
  CLI_ERR_MISSING_SYSTEM_PACKAGE:
    'A required system binary is missing and could not be installed automatically.',
  CLI_ERR_INFLUXD_START: 'The managed influxd did not start; its log file is named in the message.',
  CLI_ERR_PORT_IN_USE: 'A requested port is taken by another process.',
  CLI_ERR_BAD_ARGUMENT: 'A command-line argument is invalid.',
  CLI_ERR_ALREADY_LINKED:
    'The gateway credentials file already exists; `gateway link` keeps it unless --force is given.',
  CLI_ERR_NOT_CONFIRMED:
    'A command that changes a device was not confirmed: the answer was not "y", or stdin is not a terminal and --yes was not given.',
  CLI_ERR_NODE_VERSION:
    'A linkwell bin was started on a Node older than the pinned Node 24 (cli/bin/node-version.js); run it through npx or an npm script.',
  CLI_ERR_PASSKEY_REQUIRED:
    'The device asked for a passkey, none was given with --passkey, and stdin is not a terminal to ask on.',
  CLI_ERR_NO_TOKEN:
    '`linkwell export` found no access token: no --token, no LINKWELL_TOKEN, and no token in the `linkwell up` state file.',
  CLI_ERR_API_UNREACHABLE: '`linkwell export` could not connect to the API at --api (or the one in up.json).',
  CLI_ERR_EXPORT_REFUSED:
    'The API refused or failed an export request; the message carries the HTTP status and the API’s error code.',
} as const;

export type CliErrorCode = keyof typeof CLI_ERRORS;

export class CliError extends CodedError<CliErrorCode> {}
