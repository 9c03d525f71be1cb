import dbus, { type DBusError } from 'dbus-next';
import { bluezError, propertyError } from './bluez-errors.js';

export interface PropertySpec {
  signature: string;
  access: 'read' | 'write' | 'readwrite';
}

/** Where an exported interface reports its property changes (the object tree). */
export interface PropertySink {
  propertiesChanged(path: string, iface: BluezInterface, names: readonly string[]): void;
}

/**
 * Base of every simulated BlueZ interface. Properties are getters named as on the bus. Unlike dbus-next's
 * own Properties handler, the object tree asks `hasProperty` first, because BlueZ leaves optional
 * properties (Name, RSSI, TxPower, ManufacturerData, Value…) out of GetAll until they are known and
 * answers Get for them with InvalidArgs.
 */
export abstract class BluezInterface extends dbus.interface.Interface {
  private sink: { path: string; tree: PropertySink } | undefined;

  constructor(readonly interfaceName: string) {
    super(interfaceName);
  }

  hasProperty(_name: string): boolean {
    return true;
  }

  /** Properties.Set; interfaces with read-write properties override it. */
  setProperty(name: string, _value: unknown): void {
    throw propertyError.readOnly(name);
  }

  propertySpecs(): Readonly<Record<string, PropertySpec>> {
    return (this as unknown as { $properties?: Record<string, PropertySpec> }).$properties ?? {};
  }

  propertyValue(name: string): unknown {
    return (this as unknown as Record<string, unknown>)[name];
  }

  attach(path: string, tree: PropertySink): void {
    this.sink = { path, tree };
  }

  detach(): void {
    this.sink = undefined;
  }

  get exportedPath(): string | undefined {
    return this.sink?.path;
  }

  /** PropertiesChanged for `names`; properties that no longer exist go out as invalidated. */
  changed(...names: string[]): void {
    this.sink?.tree.propertiesChanged(this.sink.path, this, names);
  }
}

/**
 * Runs a method body so that only D-Bus errors reach the caller: anything else becomes org.bluez.Error.Failed
 * rather than dbus-next's "ServiceError" with a stack trace, which no BlueZ client expects.
 */
export async function guarded<T>(body: () => Promise<T> | T, onUnexpected: (e: unknown) => void): Promise<T> {
  try {
    return await body();
  } catch (e) {
    if (e instanceof dbus.DBusError) throw e;
    onUnexpected(e);
    throw bluezError.failed(e instanceof Error ? e.message : String(e)) as DBusError;
  }
}
