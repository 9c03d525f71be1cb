// aedes-persistence-redis ships no types. Its entry wraps the async implementation in aedes-persistence's
// CallBackPersistence, which is what Aedes 1.x expects: async setup(), promise-returning methods without a
// callback, and Node Readable streams for retained messages (the bare async class yields async iterators,
// on which Aedes 1.2's SUBSCRIBE handler calls .pipe()).
declare module 'aedes-persistence-redis' {
  export interface RedisPersistenceOptions {
    /** An existing ioredis connection; the persistence disconnects it in destroy(). */
    conn?: unknown;
    /** Offline messages delivered per CONNECT; default 1000. */
    maxSessionDelivery?: number;
  }
  export interface RedisPersistence {
    setup(broker: unknown): Promise<void>;
    destroy(): Promise<void>;
  }
  export default function aedesPersistenceRedis(opts?: RedisPersistenceOptions): RedisPersistence;
}
