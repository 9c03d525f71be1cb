import { describe, expect, it } from 'vitest';
import { isLocalOnlyTopic, keepLocal } from './redis-backplane.js';

/** Records which path each emit took; `_emit` is MQEmitter's in-process delivery. */
function fakeEmitter() {
  const calls: string[] = [];
  return {
    calls,
    emit(packet: { topic: string }, done?: (err?: Error) => void) {
      calls.push(`redis ${packet.topic}`);
      done?.();
    },
    _emit(packet: { topic: string }, done?: (err?: Error) => void) {
      calls.push(`local ${packet.topic}`);
      done?.();
    },
  };
}

describe('keepLocal', () => {
  it('delivers readings in process and sends commands, events and $SYS through Redis', () => {
    const mq = keepLocal(fakeEmitter(), isLocalOnlyTopic);
    let done = 0;
    for (const topic of [
      'lw/v1/gw/gw-1/readings',
      'lw/v1/gw/gw-1/cmd',
      'lw/v1/gw/gw-1/events',
      '$SYS/abc/new/clients',
    ]) {
      mq.emit({ topic }, () => done++);
    }
    expect(mq.calls).toEqual([
      'local lw/v1/gw/gw-1/readings',
      'redis lw/v1/gw/gw-1/cmd',
      'redis lw/v1/gw/gw-1/events',
      'redis $SYS/abc/new/clients',
    ]);
    expect(done).toBe(4);
  });

  it('treats only well-formed v1 readings topics as local', () => {
    expect(isLocalOnlyTopic('lw/v1/gw/gw-1/readings')).toBe(true);
    expect(isLocalOnlyTopic('lw/v1/gw/gw-1/readings/extra')).toBe(false);
    expect(isLocalOnlyTopic('lw/v2/gw/gw-1/readings')).toBe(false);
    expect(isLocalOnlyTopic('lw/v1/gw/gw-1/cmd/result')).toBe(false);
  });
});
