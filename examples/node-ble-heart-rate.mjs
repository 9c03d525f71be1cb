#!/usr/bin/env node
// Prints heart-rate measurements from a BLE Heart Rate Service device as JSON lines, using only node-ble
// and BlueZ's documented D-Bus API. It runs the same against a real bluetoothd or Linkwell's simulated
// BlueZ: set DBUS_SYSTEM_BUS_ADDRESS to the bus to use (node-ble reads it; the default is the system bus).
//
//   node examples/node-ble-heart-rate.mjs <device name or AA:BB:CC:DD:EE:FF> [count=5] [timeout-ms=30000]
//
// Exit status: 0 after `count` measurements, 1 on a usage error or if the device is not found in time.
import nodeBle from 'node-ble';

const HEART_RATE_SERVICE = '0000180d-0000-1000-8000-00805f9b34fb';
const HEART_RATE_MEASUREMENT = '00002a37-0000-1000-8000-00805f9b34fb';
const ADDRESS = /^[0-9A-F]{2}(:[0-9A-F]{2}){5}$/i;

const [target, countArg = '5', timeoutArg = '30000'] = process.argv.slice(2);
const count = Number(countArg);
const timeoutMs = Number(timeoutArg);
if (!target || !Number.isInteger(count) || count < 1 || !Number.isFinite(timeoutMs)) {
  console.error('usage: node-ble-heart-rate.mjs <device name or address> [count] [timeout-ms]');
  process.exit(1);
}

/** Heart Rate Measurement (HRS v1.0 §3.1.1): flags, then a UINT8 or UINT16 rate, energy, RR intervals. */
function decodeHeartRate(buf) {
  const flags = buf[0];
  let i = 1;
  const bpm = flags & 0x01 ? buf.readUInt16LE(i) : buf[i];
  i += flags & 0x01 ? 2 : 1;
  const out = { bpm };
  if (flags & 0x04) out.contact = Boolean(flags & 0x02);
  if (flags & 0x08) {
    out.energyKj = buf.readUInt16LE(i);
    i += 2;
  }
  if (flags & 0x10) {
    out.rrMs = [];
    for (; i + 1 < buf.length; i += 2) out.rrMs.push(Math.round((buf.readUInt16LE(i) * 1000) / 1024));
  }
  return out;
}

/** Waits for a device BlueZ discovered, by address (node-ble's waitDevice) or by its advertised name. */
async function findDevice(adapter, deadline) {
  if (ADDRESS.test(target)) return adapter.waitDevice(target.toUpperCase(), deadline - Date.now(), 200);
  while (Date.now() < deadline) {
    for (const address of await adapter.devices()) {
      const device = await adapter.getDevice(address);
      const name = await device.getName().catch(() => undefined); // Name is optional until advertised
      if (name === target) return device;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`no device named "${target}" found within ${timeoutMs} ms`);
}

const { bluetooth, destroy } = nodeBle.createBluetooth();
try {
  const adapter = await bluetooth.defaultAdapter();
  const ours = !(await adapter.isDiscovering());
  if (ours) await adapter.startDiscovery();
  const device = await findDevice(adapter, Date.now() + timeoutMs).finally(async () => {
    if (ours) await adapter.stopDiscovery();
  });
  const address = await device.getAddress();
  await device.connect();
  const gatt = await device.gatt();
  const service = await gatt.getPrimaryService(HEART_RATE_SERVICE);
  const hrm = await service.getCharacteristic(HEART_RATE_MEASUREMENT);
  let seen = 0;
  const done = new Promise((resolve) => {
    hrm.on('valuechanged', (buf) => {
      if (seen >= count) return;
      seen += 1;
      console.log(JSON.stringify({ address, ...decodeHeartRate(buf) }));
      if (seen === count) resolve();
    });
  });
  await hrm.startNotifications();
  await done;
  await hrm.stopNotifications();
  await device.disconnect();
} catch (err) {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
} finally {
  destroy();
}
