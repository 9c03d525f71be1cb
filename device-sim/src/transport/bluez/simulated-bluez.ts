import dbus, { type Message, type MessageBus } from 'dbus-next';
import { SimGattError } from '../../gatt/errors.js';
import type { SimPeripheral } from '../../peripheral.js';
import { AgentManagerInterface, AgentRegistry } from './agents.js';
import { BluezAdapter } from './bluez-adapter.js';
import { BLUEZ_ROOT, BLUEZ_SERVICE, devicePath } from './names.js';
import { ObjectManagerInterface, ObjectTree } from './object-tree.js';
import { type SimLogger, silentLogger } from './sim-logger.js';
import { WireSender } from './wire.js';

export interface SimulatedBluezOptions {
  /** A private bus (`unix:path=…`), e.g. from startPrivateBus(); never the system bus. */
  busAddress: string;
  peripherals?: readonly SimPeripheral[];
  /** Address of the simulated hci0; peripherals bond with this identity. */
  adapterAddress?: string;
  adapterName?: string;
  logger?: SimLogger;
  /** How often an open discovery looks at the advertisements again, in real milliseconds. */
  scanIntervalMs?: number;
  /** How long a pairing waits for the agent (bluetoothd waits 60 s). */
  agentTimeoutMs?: number;
  /** ATT MTU reported on characteristics while connected. */
  mtu?: number;
  /** How long to wait for the bus to accept the connection. */
  connectTimeoutMs?: number;
}

export interface SimulatedBluez {
  readonly adapterPath: string;
  readonly adapterAddress: string;
  /** Unique bus name of the simulated bluetoothd, the sender of its signals. */
  readonly uniqueName: string;
  add(peripheral: SimPeripheral): void;
  /** The peripheral goes out of range: its link times out; its object stays only if it is bonded. */
  remove(address: string): void;
  devicePath(address: string): string;
  stop(): Promise<void>;
}

export const DEFAULT_ADAPTER_ADDRESS = 'C0:DE:C0:DE:00:01';
const NAME_OWNER_CHANGED =
  "type='signal',sender='org.freedesktop.DBus',interface='org.freedesktop.DBus',member='NameOwnerChanged'";

function unavailable(busAddress: string, why: string): SimGattError {
  return new SimGattError('SIM_ERR_BUS_UNAVAILABLE', `simulated BlueZ on ${busAddress}: ${why}`);
}

/**
 * Connects to the bus. dbus-next dials `unix:path=` through the native `usocket` addon when present, and
 * ending a usocket whose connect is still pending crashes the process, so a bus that never answered is
 * abandoned rather than disconnected.
 */
async function connectBus(busAddress: string, timeoutMs: number): Promise<MessageBus> {
  const bus = dbus.sessionBus({ busAddress });
  let settled = false;
  let timer: NodeJS.Timeout | undefined;
  try {
    await new Promise<void>((resolve, reject) => {
      bus.once('error', (e: Error) => {
        settled = true;
        reject(unavailable(busAddress, `cannot connect (${e.message})`));
      });
      bus.once('connect', () => {
        settled = true;
        resolve();
      });
      timer = setTimeout(
        () => reject(unavailable(busAddress, `no answer within ${timeoutMs} ms`)),
        timeoutMs,
      );
    });
    return bus;
  } catch (e) {
    bus.on('error', () => {});
    if (settled) bus.disconnect();
    throw e;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Messages already in the socket buffer are still dispatched after disconnect(), and dbus-next answers
 * method calls among them by writing to the closed stream, which throws from its socket handler (an
 * uncaught exception). A stopped bluetoothd has nothing left to say, so its replies are dropped.
 */
function silence(bus: MessageBus): void {
  (bus as unknown as { send: (msg: unknown) => void }).send = () => {};
}

/**
 * Starts a simulated bluetoothd: owns org.bluez on `busAddress` and exports /org/bluez (AgentManager1),
 * /org/bluez/hci0 (Adapter1), a Device1 per peripheral that discovery finds, and each connected device's
 * GATT objects, so that an unmodified BlueZ client (node-ble, bluetoothctl, bleak) drives the peripherals
 * with DBUS_SYSTEM_BUS_ADDRESS pointed at the bus.
 */
export async function startSimulatedBluez(opts: SimulatedBluezOptions): Promise<SimulatedBluez> {
  const log = opts.logger ?? silentLogger;
  const bus = await connectBus(opts.busAddress, opts.connectTimeoutMs ?? 5000);
  bus.on('error', (err: unknown) => log.warn({ err }, 'simulated BlueZ: bus error'));
  const owned = await bus.requestName(BLUEZ_SERVICE, dbus.NameFlag.DO_NOT_QUEUE);
  if (owned !== dbus.RequestNameReply.PRIMARY_OWNER) {
    bus.disconnect();
    throw unavailable(opts.busAddress, 'org.bluez is already owned on this bus (is a bluetoothd attached?)');
  }

  const wire = new WireSender(bus);
  const objects = new ObjectTree(bus, wire);
  bus.addMethodHandler((msg: Message) => objects.handle(msg));
  const agents = new AgentRegistry(bus, opts.agentTimeoutMs ?? 60_000);
  const adapterName = opts.adapterName ?? 'hci0';
  const adapterPath = `${BLUEZ_ROOT}/${adapterName}`;
  const adapterAddress = (opts.adapterAddress ?? DEFAULT_ADAPTER_ADDRESS).toUpperCase();
  const adapter = new BluezAdapter(
    { objects, agents, adapterPath, adapterAddress, mtu: opts.mtu ?? 247, log },
    {
      address: adapterAddress,
      name: `linkwell-sim-${adapterName}`,
      scanIntervalMs: opts.scanIntervalMs ?? 1000,
    },
  );

  bus.export('/', new ObjectManagerInterface());
  objects.export(BLUEZ_ROOT, new AgentManagerInterface(agents, objects));
  objects.export(adapterPath, adapter.iface);
  for (const p of opts.peripherals ?? []) adapter.add(p);

  // Sessions, agents and notify registrations die with the client that made them, as in bluetoothd.
  bus.on('message', (msg: Message) => {
    if (msg.type !== dbus.MessageType.SIGNAL || msg.member !== 'NameOwnerChanged') return;
    const [name, , newOwner] = msg.body as [string, string, string];
    if (!name.startsWith(':') || newOwner !== '') return;
    agents.drop(name);
    adapter.dropClient(name).catch(adapter.onUnexpected);
  });
  await bus.call(
    new dbus.Message({
      destination: 'org.freedesktop.DBus',
      path: '/org/freedesktop/DBus',
      interface: 'org.freedesktop.DBus',
      member: 'AddMatch',
      signature: 's',
      body: [NAME_OWNER_CHANGED],
    }),
  );

  let stopped = false;
  return {
    adapterPath,
    adapterAddress,
    uniqueName: (bus as unknown as { name: string }).name,
    add: (p) => adapter.add(p),
    remove: (address) => adapter.remove(address),
    devicePath: (address) => devicePath(adapterPath, address),
    async stop() {
      if (stopped) return;
      stopped = true;
      adapter.stop();
      silence(bus);
      bus.disconnect();
    },
  };
}
