import { Point } from '@influxdata/influxdb-client';
import type { Reading } from '@linkwell/firmware-protocol';
import type { DeviceAccount } from '../registry/resolver.js';

/**
 * One point per reading: measurement = metric, tags account and device only (bounded cardinality),
 * timestamp = measurement time so a resent reading overwrites itself instead of duplicating.
 */
export function toLine(r: Reading, who: DeviceAccount): string {
  const p = new Point(r.metric).tag('account', who.accountId).tag('device', who.deviceId);
  for (const [k, v] of Object.entries(r.values)) p.floatField(k, v);
  if (r.quality.length > 0) p.stringField('quality', r.quality.join(','));
  if (r.slot !== null) p.intField('slot', r.slot);
  p.timestamp(String(r.t));
  return p.toLineProtocol()!;
}
