import type { Advertisement } from '../../gatt/types.js';
import { bluezError } from './bluez-errors.js';
import { type DiscoveryFilter, filterAccepts } from './discovery-filter.js';

interface Client {
  filter: DiscoveryFilter | undefined;
  discovering: boolean;
}

/**
 * Discovery sessions by client (src/adapter.c): each client may hold one session and one filter, the
 * adapter discovers while any session is open, and a device is reported if any open session's filter
 * accepts it (filters are merged as a logical OR).
 */
export class DiscoverySessions {
  private readonly clients = new Map<string, Client>();

  get active(): boolean {
    return [...this.clients.values()].some((c) => c.discovering);
  }

  start(sender: string): void {
    const c = this.clients.get(sender);
    if (c?.discovering) throw bluezError.busy();
    this.clients.set(sender, { filter: c?.filter, discovering: true });
  }

  stop(sender: string): void {
    if (!this.clients.get(sender)?.discovering) throw bluezError.failed('No discovery started');
    this.clients.delete(sender);
  }

  /** A filter may be set before StartDiscovery; an empty one removes it. */
  setFilter(sender: string, filter: DiscoveryFilter | undefined): void {
    const c = this.clients.get(sender);
    if (c) c.filter = filter;
    else if (filter) this.clients.set(sender, { filter, discovering: false });
  }

  /** The client left the bus; true if that ended an open session. */
  drop(sender: string): boolean {
    const had = this.clients.get(sender)?.discovering === true;
    this.clients.delete(sender);
    return had;
  }

  accepts(address: string, advert: Advertisement): boolean {
    return [...this.clients.values()].some((c) => c.discovering && filterAccepts(c.filter, address, advert));
  }
}
