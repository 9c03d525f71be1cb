/**
 * Dormant-product analysis per device: a linked device is dormant when it has had no reading for more than
 * DORMANT_DEVICE_DAYS (a device linked more recently than that, and never used, is not yet dormant).
 */
export const DORMANT_DEVICE_DAYS = 30;

export function dormantDevices(
  devices: readonly { deviceId: string; linkedDay: number }[],
  lastDayByDevice: ReadonlyMap<string, number>,
  today: number,
): number {
  return devices.filter((d) => today - (lastDayByDevice.get(d.deviceId) ?? d.linkedDay) > DORMANT_DEVICE_DAYS)
    .length;
}
