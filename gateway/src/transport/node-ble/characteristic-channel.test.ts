import { EventEmitter } from 'node:events';
import type NodeBle from 'node-ble';
import { describe, expect, it } from 'vitest';
import { CharacteristicChannel } from './characteristic-channel.js';

/** Stands in for node-ble's characteristic: BlueZ updates the cached Value before it answers a read. */
class FakeCharacteristic extends EventEmitter {
  starts = 0;
  stops = 0;
  pendingRead: ((v: Buffer) => void) | undefined;
  readValue(): Promise<Buffer> {
    return new Promise((resolve) => {
      this.pendingRead = resolve;
    });
  }
  async startNotifications(): Promise<void> {
    this.starts += 1;
  }
  async stopNotifications(): Promise<void> {
    this.stops += 1;
  }
}

function setup() {
  const fake = new FakeCharacteristic();
  return { fake, channel: new CharacteristicChannel(fake as unknown as NodeBle.GattCharacteristic) };
}

describe('CharacteristicChannel', () => {
  it('drops the echo of a read but delivers a notification that arrived during the read, in order', async () => {
    const { fake, channel } = setup();
    const got: number[][] = [];
    await channel.subscribe((v) => got.push([...v]));
    const read = channel.read();
    fake.emit('valuechanged', Buffer.of(7));
    fake.emit('valuechanged', Buffer.of(42));
    fake.pendingRead!(Buffer.of(42));
    expect([...(await read)]).toEqual([42]);
    fake.emit('valuechanged', Buffer.of(43));
    expect(got).toEqual([[7], [43]]);
  });

  it('shares one notify session between subscribers and ends it with the last one', async () => {
    const { fake, channel } = setup();
    const a: number[] = [];
    const b: number[] = [];
    const stopA = await channel.subscribe((v) => a.push(v[0]!));
    const stopB = await channel.subscribe((v) => b.push(v[0]!));
    fake.emit('valuechanged', Buffer.of(1));
    await stopA();
    fake.emit('valuechanged', Buffer.of(2));
    expect([fake.starts, fake.stops]).toEqual([1, 0]);
    await stopB();
    expect([fake.starts, fake.stops]).toEqual([1, 1]);
    expect([a, b]).toEqual([[1], [1, 2]]);
  });
});
