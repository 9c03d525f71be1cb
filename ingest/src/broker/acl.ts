import { parseGatewayTopic, type TopicKind } from '@linkwell/firmware-protocol';

/** What a gateway sends: readings, its status (also its Last Will), events and answers to commands. */
const PUBLISH_KINDS: ReadonlySet<TopicKind> = new Set(['readings', 'status', 'events', 'cmd/result']);

/**
 * What a gateway may receive: commands and the platform's notices on its events topic, plus its own command
 * results (a diagnostic client logged in as the gateway watches them). Never its readings: every envelope
 * would come back through the broker, doubling the load a gateway can put on it.
 */
const SUBSCRIBE_KINDS: ReadonlySet<TopicKind> = new Set(['cmd', 'events', 'cmd/result']);

/** A concrete topic under the gateway's own `lw/v1/gw/{gw}/` of a kind it publishes. */
export function mayPublish(gw: string, topic: string): boolean {
  const t = parseGatewayTopic(topic);
  return t !== undefined && t.gw === gw && PUBLISH_KINDS.has(t.kind);
}

/**
 * A subscription filter naming exactly one of the gateway's own receivable topics. Filters with `+` or `#`
 * never parse (gateway ids and kinds exclude them), so no wildcard can reach another gateway's topics.
 */
export function maySubscribe(gw: string, filter: string): boolean {
  const t = parseGatewayTopic(filter);
  return t !== undefined && t.gw === gw && SUBSCRIBE_KINDS.has(t.kind);
}
