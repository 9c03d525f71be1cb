import {
  decodeRacp,
  encodeRacp,
  RACP_OPERATORS,
  type RacpMessage,
  type RacpOperatorName,
  type RacpQueryRequest,
  type RacpResponseCodeName,
} from '@linkwell/firmware-protocol';
import { ATT, SimGattError } from '../gatt/errors.js';
import type { CharacteristicDef } from '../gatt/types.js';
import type { RecordStore, StoredRecord } from './record-store.js';

// Op codes and operator values (GSS "Record Access Control Point", Op Code and Operator tables).
const REPORT = 0x01;
const DELETE = 0x02;
const ABORT = 0x03;
const REPORT_NUMBER = 0x04;
const OPERATOR_NULL = 0x00;
const FILTER_SEQUENCE_NUMBER = 0x01;

export interface RacpServerOptions<T> {
  store: RecordStore<T>;
  /** Sends one stored record on the measurement characteristic; resolves true once confirmed. */
  sendRecord: (record: StoredRecord<T>) => Promise<boolean>;
  /** Indicates a RACP response on 0x2A52; resolves true once confirmed. */
  indicate: (frame: Uint8Array) => Promise<boolean>;
  /** Whether the connected central has enabled RACP indications. */
  indicationsEnabled: () => boolean;
  /**
   * Operators served; others get "operator not supported". Defaults to all six. PLXS v1.0.1 itself defines only
   * "all records" (its records carry no sequence number), so a strict PLXS server passes `['all_records']`.
   */
  operators?: readonly RacpOperatorName[];
}

interface Procedure {
  abortRequested: boolean;
  cancelled: boolean;
}

type Parsed =
  | { request: RacpQueryRequest | { opCode: 'abort_operation' } }
  | { reject: RacpResponseCodeName };

/**
 * Record Access Control Point server (PLXS v1.0.1 §3.5 with the GSS RACP procedures): Report Stored Records,
 * Delete Stored Records, Report Number of Stored Records and Abort, over any RecordStore. One procedure runs at
 * a time; records go out one indication at a time, each confirmed before the next, then the Response Code.
 * Besides "all records" it can serve the sequence-number operators (≤, ≥, within range, first, last) of GSS RACP.
 */
export class RacpServer<T> {
  /**
   * Fault switch: every report, count and delete acts on all records, whatever the operator and operand
   * select, as firmware that never parsed the operand does.
   */
  ignoreFilter = false;
  private procedure: Procedure | undefined;

  constructor(private readonly opts: RacpServerOptions<T>) {}

  get busy(): boolean {
    return this.procedure !== undefined;
  }

  /** The 0x2A52 declaration: write and indicate. */
  characteristic(): CharacteristicDef {
    return { uuid: '2a52', properties: ['write', 'indicate'], write: (value) => this.accept(value) };
  }

  /** The link went away: a running procedure stops without a response. */
  cancel(): void {
    if (!this.procedure) return;
    this.procedure.cancelled = true;
    this.procedure = undefined;
  }

  private accept(value: Uint8Array): void {
    if (!this.opts.indicationsEnabled())
      throw new SimGattError('SIM_ERR_CCCD_IMPROPER', 'RACP indications are not enabled');
    if (this.procedure) {
      // GSS RACP: only Abort may interrupt a running procedure; anything else is "procedure already in progress".
      if (value[0] === ABORT) {
        this.procedure.abortRequested = true;
        return;
      }
      throw new SimGattError(
        'SIM_ERR_PROCEDURE_IN_PROGRESS',
        'a RACP procedure is already in progress',
        ATT.PROCEDURE_IN_PROGRESS,
      );
    }
    const procedure: Procedure = { abortRequested: false, cancelled: false };
    this.procedure = procedure;
    // The write is acknowledged first; records and the response follow as indications.
    void Promise.resolve().then(() => this.run(Uint8Array.from(value), procedure));
  }

  private async run(value: Uint8Array, p: Procedure): Promise<void> {
    if (p.cancelled) return;
    const opCode = value[0] ?? 0;
    const parsed = parse(value);
    if ('reject' in parsed) return this.finish(p, responseCode(opCode, parsed.reject));
    const { request } = parsed;
    if (request.opCode === 'abort_operation') return this.finish(p, responseCode(ABORT, 'success'));
    if (this.opts.operators && !this.opts.operators.includes(request.query.operator))
      return this.finish(p, responseCode(opCode, 'operator_not_supported'));

    const records = this.ignoreFilter ? this.opts.store.all() : this.opts.store.select(request.query);
    if (records === undefined) return this.finish(p, responseCode(opCode, 'operand_not_supported'));

    if (request.opCode === 'report_number_of_stored_records')
      return this.finish(p, { opCode: 'number_of_stored_records_response', numberOfRecords: records.length });
    if (records.length === 0) return this.finish(p, responseCode(opCode, 'no_records_found'));
    if (request.opCode === 'delete_stored_records') {
      this.opts.store.remove(records);
      return this.finish(p, responseCode(opCode, 'success'));
    }
    for (const record of records) {
      if (p.cancelled) return;
      if (p.abortRequested) return this.finish(p, responseCode(ABORT, 'success'));
      let confirmed = false;
      try {
        confirmed = await this.opts.sendRecord(record);
      } catch {
        confirmed = false;
      }
      if (p.cancelled) return;
      if (!confirmed) return this.finish(p, responseCode(REPORT, 'procedure_not_completed'));
    }
    if (p.abortRequested) return this.finish(p, responseCode(ABORT, 'success'));
    return this.finish(p, responseCode(REPORT, 'success'));
  }

  /** Ends the procedure, then sends its response, so a client may start the next one as soon as it hears it. */
  private async finish(p: Procedure, response: RacpMessage): Promise<void> {
    if (p.cancelled) return;
    if (this.procedure === p) this.procedure = undefined;
    await this.opts.indicate(encodeRacp(response));
  }
}

function responseCode(requestOpCode: number, code: RacpResponseCodeName): RacpMessage {
  return { opCode: 'response_code', requestOpCode, responseCode: code };
}

/** Classifies a request into the response code GSS RACP assigns to each kind of bad request. */
function parse(value: Uint8Array): Parsed {
  const opCode = value[0];
  if (opCode !== REPORT && opCode !== DELETE && opCode !== ABORT && opCode !== REPORT_NUMBER)
    return { reject: 'op_code_not_supported' };
  const operator = value[1];
  if (operator === undefined || operator >= RACP_OPERATORS.length) return { reject: 'invalid_operator' };
  if ((opCode === ABORT) !== (operator === OPERATOR_NULL)) return { reject: 'invalid_operator' };
  const filtered = operator >= 2 && operator <= 4;
  if (filtered && value.length > 2 && value[2] !== FILTER_SEQUENCE_NUMBER)
    return { reject: 'operand_not_supported' };
  let message: RacpMessage;
  try {
    message = decodeRacp(value);
  } catch {
    return { reject: 'invalid_operand' };
  }
  if (message.opCode === 'abort_operation') return { request: message };
  if (!('query' in message)) return { reject: 'op_code_not_supported' };
  const q = message.query;
  if (
    q.operator === 'within_range_of' &&
    q.minimum.filterType === 'sequence_number' &&
    q.maximum.filterType === 'sequence_number' &&
    q.minimum.sequenceNumber > q.maximum.sequenceNumber
  )
    return { reject: 'invalid_operand' };
  return { request: message as RacpQueryRequest };
}
