import { describe, expect, it } from 'vitest';
import { mayPublish, maySubscribe } from './acl.js';

describe('gateway ACL', () => {
  it('lets gw_a publish readings, status, events and cmd/result under its own prefix only', () => {
    for (const kind of ['readings', 'status', 'events', 'cmd/result'])
      expect(mayPublish('gw_a', `lw/v1/gw/gw_a/${kind}`)).toBe(true);
    expect(mayPublish('gw_a', 'lw/v1/gw/gw_a/cmd')).toBe(false);
    expect(mayPublish('gw_a', 'lw/v1/gw/gw_b/readings')).toBe(false);
    expect(mayPublish('gw_a', 'lw/v1/gw/gw_a/readings/extra')).toBe(false);
    expect(mayPublish('gw_a', '$SYS/broker/heartbeat')).toBe(false);
    expect(mayPublish('gw_a', 'lw/v1/gw/gw_a')).toBe(false);
  });

  it('lets gw_a subscribe to its cmd, events and cmd/result, not to its readings or status', () => {
    expect(maySubscribe('gw_a', 'lw/v1/gw/gw_a/cmd')).toBe(true);
    expect(maySubscribe('gw_a', 'lw/v1/gw/gw_a/events')).toBe(true);
    expect(maySubscribe('gw_a', 'lw/v1/gw/gw_a/cmd/result')).toBe(true);
    expect(maySubscribe('gw_a', 'lw/v1/gw/gw_a/readings')).toBe(false);
    expect(maySubscribe('gw_a', 'lw/v1/gw/gw_a/status')).toBe(false);
  });

  it('refuses every wildcard filter, including ones that would only match its own topics', () => {
    for (const f of [
      'lw/v1/gw/+/cmd',
      'lw/v1/gw/gw_a/#',
      'lw/v1/gw/gw_a/+',
      'lw/v1/#',
      '#',
      'lw/v1/gw/gw_b/cmd',
      '$share/g/lw/v1/gw/gw_a/cmd',
    ])
      expect(maySubscribe('gw_a', f)).toBe(false);
  });
});
