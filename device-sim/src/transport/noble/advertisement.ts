import type { Advertisement } from '../../gatt/types.js';
import { toNobleUuid } from './uuid.js';

/** The advertisement object noble's HCI stack builds from AD structures, field for field. */
export interface NobleAdvertisement {
  localName: string | undefined;
  txPowerLevel: number | undefined;
  /** Company identifier (little-endian) followed by the data (Core Supplement Part A §1.4). */
  manufacturerData: Buffer | undefined;
  serviceData: { uuid: string; data: Buffer }[];
  serviceUuids: string[];
  serviceSolicitationUuids: string[];
}

export function toNobleAdvertisement(a: Advertisement): NobleAdvertisement {
  return {
    localName: a.localName,
    txPowerLevel: a.txPower,
    manufacturerData: manufacturerDataOf(a.manufacturerData),
    serviceData: Object.entries(a.serviceData ?? {}).map(([uuid, bytes]) => ({
      uuid: toNobleUuid(uuid),
      data: Buffer.from(bytes),
    })),
    serviceUuids: a.serviceUuids.map(toNobleUuid),
    serviceSolicitationUuids: [],
  };
}

/** noble keeps one Manufacturer Specific Data structure; like its parser, the last one wins. */
function manufacturerDataOf(data: Advertisement['manufacturerData']): Buffer | undefined {
  const last = Object.entries(data ?? {}).at(-1);
  if (!last) return undefined;
  const [company, bytes] = last;
  const head = Buffer.alloc(2);
  head.writeUInt16LE(Number(company));
  return Buffer.concat([head, Buffer.from(bytes)]);
}

/**
 * noble's HCI bindings match a scan filter against the advertised service UUIDs and the Service Data
 * UUIDs together, so an advert-only scale is found by the service its data belongs to.
 */
export function matchesScanFilter(adv: NobleAdvertisement, filter: readonly string[]): boolean {
  if (filter.length === 0) return true;
  const offered = [...adv.serviceUuids, ...adv.serviceData.map((d) => d.uuid)];
  return offered.some((u) => filter.includes(u));
}
