import dbus, { type DBusError, type Message, type MessageBus, type Variant } from 'dbus-next';
import { propertyError } from './bluez-errors.js';
import { BluezInterface, type PropertySink } from './bluez-interface.js';
import { IFACE } from './names.js';
import type { WireSender } from './wire.js';

type InterfaceProps = Record<string, Variant>;

/** dbus-next's typings declare the first parameter a string; at run time it is the call being answered. */
const newError = dbus.Message.newError as unknown as (call: Message, name: string, text: string) => Message;

/** Interfaces every bluetoothd object carries besides its own, as GetManagedObjects lists them. */
const STANDARD_INTERFACES = [IFACE.introspectable, IFACE.properties];

/**
 * The objects the simulated BlueZ exports, with the parts of org.freedesktop.DBus.Properties and
 * ObjectManager (on "/", as bluetoothd registers it) that dbus-next cannot do the BlueZ way: optional
 * properties, and integer-keyed dictionaries (see wire.ts). Method calls also record their sender here,
 * because BlueZ keys discovery sessions, agents and notify sessions by the caller's unique bus name.
 */
export class ObjectTree implements PropertySink {
  private readonly objects = new Map<string, Map<string, BluezInterface>>();
  /** Unique name of the client whose method call is being dispatched (read synchronously on entry). */
  sender = '';

  constructor(
    private readonly bus: MessageBus,
    private readonly wire: WireSender,
  ) {}

  export(path: string, ...ifaces: BluezInterface[]): void {
    let entry = this.objects.get(path);
    if (!entry) {
      entry = new Map();
      this.objects.set(path, entry);
    }
    const added: Record<string, InterfaceProps> = {};
    for (const iface of ifaces) {
      entry.set(iface.interfaceName, iface);
      this.bus.export(path, iface);
      iface.attach(path, this);
      added[iface.interfaceName] = this.snapshot(iface);
    }
    this.wire.signal('/', IFACE.objectManager, 'InterfacesAdded', 'oa{sa{sv}}', [path, added]);
  }

  /** Removes `path` and every object below it, children first, as bluetoothd tears down a device. */
  unexportTree(path: string): void {
    const doomed = [...this.objects.keys()]
      .filter((p) => p === path || p.startsWith(`${path}/`))
      .sort((a, b) => b.length - a.length);
    for (const p of doomed) {
      const entry = this.objects.get(p)!;
      this.objects.delete(p);
      // dbus-next's typings demand an interface; without one it drops the whole path, which is the aim.
      (this.bus as unknown as { unexport(path: string): void }).unexport(p);
      for (const iface of entry.values()) iface.detach();
      this.wire.signal('/', IFACE.objectManager, 'InterfacesRemoved', 'oas', [p, [...entry.keys()]]);
    }
  }

  has(path: string): boolean {
    return this.objects.has(path);
  }

  propertiesChanged(path: string, iface: BluezInterface, names: readonly string[]): void {
    const changed: InterfaceProps = {};
    const invalidated: string[] = [];
    const specs = iface.propertySpecs();
    for (const name of names) {
      const spec = specs[name];
      if (!spec) continue;
      if (iface.hasProperty(name))
        changed[name] = new dbus.Variant(spec.signature, iface.propertyValue(name));
      else invalidated.push(name);
    }
    this.wire.signal(path, IFACE.properties, 'PropertiesChanged', 'sa{sv}as', [
      iface.interfaceName,
      changed,
      invalidated,
    ]);
  }

  /** Installed with MessageBus.addMethodHandler; true when the call was answered here. */
  handle(msg: Message): boolean {
    this.sender = msg.sender;
    if (msg.interface === IFACE.objectManager && msg.member === 'GetManagedObjects' && msg.path === '/') {
      this.wire.reply(msg, 'a{oa{sa{sv}}}', [this.managedObjects()]);
      return true;
    }
    if (msg.interface !== IFACE.properties || !this.objects.has(msg.path)) return false;
    try {
      this.answerProperties(msg);
    } catch (e) {
      const err = e as DBusError;
      this.bus.send(newError(msg, err.type, err.text));
    }
    return true;
  }

  private answerProperties(msg: Message): void {
    const entry = this.objects.get(msg.path)!;
    const [ifaceName, name, value] = msg.body as [string, string?, Variant?];
    const iface = entry.get(ifaceName);
    if (!iface) throw propertyError.noSuchInterface(ifaceName);
    if (msg.member === 'GetAll') {
      this.wire.reply(msg, 'a{sv}', [this.snapshot(iface)]);
      return;
    }
    const spec = iface.propertySpecs()[name ?? ''];
    if (!spec || !iface.hasProperty(name!)) throw propertyError.noSuchProperty(name ?? '');
    if (msg.member === 'Get') {
      this.wire.reply(msg, 'v', [new dbus.Variant(spec.signature, iface.propertyValue(name!))]);
      return;
    }
    if (msg.member === 'Set' && value) {
      if (spec.access === 'read') throw propertyError.readOnly(name!);
      if (value.signature !== spec.signature) throw propertyError.invalidSignature();
      iface.setProperty(name!, value.value);
      this.wire.reply(msg, '', []);
      return;
    }
    throw propertyError.noSuchProperty(name ?? '');
  }

  private snapshot(iface: BluezInterface): InterfaceProps {
    const out: InterfaceProps = {};
    for (const [name, spec] of Object.entries(iface.propertySpecs())) {
      if (spec.access !== 'write' && iface.hasProperty(name))
        out[name] = new dbus.Variant(spec.signature, iface.propertyValue(name));
    }
    return out;
  }

  private managedObjects(): Record<string, Record<string, InterfaceProps>> {
    const out: Record<string, Record<string, InterfaceProps>> = {};
    for (const [path, entry] of this.objects) {
      const ifaces: Record<string, InterfaceProps> = {};
      for (const name of STANDARD_INTERFACES) ifaces[name] = {};
      for (const [name, iface] of entry) ifaces[name] = this.snapshot(iface);
      out[path] = ifaces;
    }
    return out;
  }
}

/**
 * org.freedesktop.DBus.ObjectManager on "/", declared so it introspects like bluetoothd's. ObjectTree
 * answers GetManagedObjects and sends both signals itself; these members are never dispatched.
 */
export class ObjectManagerInterface extends BluezInterface {
  constructor() {
    super(IFACE.objectManager);
  }
  GetManagedObjects(): never {
    throw new dbus.DBusError('org.freedesktop.DBus.Error.Failed', 'answered by the object tree');
  }
  InterfacesAdded(): never {
    throw new Error('sent by the object tree');
  }
  InterfacesRemoved(): never {
    throw new Error('sent by the object tree');
  }
}

ObjectManagerInterface.configureMembers({
  methods: { GetManagedObjects: { outSignature: 'a{oa{sa{sv}}}' } },
  signals: { InterfacesAdded: { signature: 'oa{sa{sv}}' }, InterfacesRemoved: { signature: 'oas' } },
});
