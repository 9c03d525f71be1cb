import { createRequire } from 'node:module';
import dbus, { type Message, type MessageBus, type Variant } from 'dbus-next';

/**
 * Sends messages whose bodies dbus-next 0.10.2 cannot marshal itself. Its JS-to-wire layer builds every
 * dictionary from `Object.keys`, so a dictionary with integer keys — Device1.ManufacturerData is `a{qv}`
 * (doc/org.bluez.Device.rst) — fails with "was not of type number". Property replies, PropertiesChanged and
 * the ObjectManager signals therefore go through this converter, which keys integer dictionaries by number,
 * and then through dbus-next's own message marshaller, so the bytes on the bus are what libdbus would send.
 */
interface SignatureTree {
  type: string;
  child: SignatureTree[];
}

interface RawMessage {
  type: number;
  serial: number;
  flags?: number;
  path?: string;
  interface?: string;
  member?: string;
  errorName?: string;
  replySerial?: number;
  destination?: string;
  signature: string;
  body: unknown[];
}

const require = createRequire(import.meta.url);
const { parseSignature } = require('dbus-next/lib/signature.js') as {
  parseSignature(signature: string): SignatureTree[];
};
const { marshall } = require('dbus-next/lib/message.js') as {
  marshall(message: RawMessage): [Buffer, unknown[]];
};

const INTEGER_TYPES = new Set(['y', 'n', 'q', 'i', 'u', 'x', 't', 'h']);

function toWire(tree: SignatureTree, value: unknown): unknown {
  switch (tree.type) {
    case 'v': {
      const v = value as Variant;
      return [v.signature, toWire(parseSignature(v.signature)[0]!, v.value)];
    }
    case 'a': {
      const item = tree.child[0]!;
      if (item.type === 'y') return Buffer.from(value as Uint8Array);
      if (item.type === '{') {
        const [keyType, valueType] = item.child as [SignatureTree, SignatureTree];
        const entries = value instanceof Map ? [...value] : Object.entries(value as object);
        return entries.map(([k, v]) => [
          INTEGER_TYPES.has(keyType.type) ? Number(k) : k,
          toWire(valueType, v),
        ]);
      }
      return (value as unknown[]).map((v) => toWire(item, v));
    }
    case '(':
      return (value as unknown[]).map((v, i) => toWire(tree.child[i]!, v));
    default:
      return value;
  }
}

export class WireSender {
  constructor(private readonly bus: MessageBus) {}

  reply(call: Message, signature: string, body: unknown[]): void {
    this.send({
      type: dbus.MessageType.METHOD_RETURN,
      serial: this.bus.newSerial(),
      replySerial: call.serial ?? 0,
      destination: call.sender,
      signature,
      body,
    });
  }

  signal(path: string, iface: string, member: string, signature: string, body: unknown[]): void {
    this.send({
      type: dbus.MessageType.SIGNAL,
      serial: this.bus.newSerial(),
      path,
      interface: iface,
      member,
      signature,
      body,
    });
  }

  private send(msg: RawMessage): void {
    const trees = parseSignature(msg.signature);
    const [data] = marshall({ ...msg, body: msg.body.map((b, i) => toWire(trees[i]!, b)) });
    // The same socket dbus-next writes to, synchronously, so these messages stay in order with its own.
    const { stream } = (this.bus as unknown as { _connection: { stream: { write(b: Buffer): boolean } } })
      ._connection;
    stream.write(data);
  }
}
