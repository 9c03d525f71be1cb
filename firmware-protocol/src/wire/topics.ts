/**
 * MQTT topic contract v1. A gateway may publish and subscribe only under its own `lw/v1/gw/{gw}/`.
 * Gateway ids exclude MQTT wildcards and separators so an id can never widen an ACL.
 */
export const TOPIC_PREFIX = 'lw/v1';
export const GATEWAY_ID_PATTERN = '^[A-Za-z0-9_-]{1,64}$';
const GATEWAY_ID_RE = new RegExp(GATEWAY_ID_PATTERN);

export const TOPIC_KINDS = ['readings', 'status', 'events', 'cmd', 'cmd/result'] as const;
export type TopicKind = (typeof TOPIC_KINDS)[number];

export function isValidGatewayId(gw: string): boolean {
  return GATEWAY_ID_RE.test(gw);
}

export function gatewayTopic(gw: string, kind: TopicKind): string {
  if (!isValidGatewayId(gw)) throw new TypeError(`invalid gateway id ${JSON.stringify(gw)}`);
  return `${TOPIC_PREFIX}/gw/${gw}/${kind}`;
}

export function gatewayTopicPrefix(gw: string): string {
  return `${TOPIC_PREFIX}/gw/${gw}/`;
}

export interface ParsedTopic {
  gw: string;
  kind: TopicKind;
}

/** Parses a concrete (wildcard-free) topic; undefined for anything outside the v1 contract. */
export function parseGatewayTopic(topic: string): ParsedTopic | undefined {
  const parts = topic.split('/');
  if (parts.length < 5 || parts[0] !== 'lw' || parts[1] !== 'v1' || parts[2] !== 'gw') return undefined;
  const gw = parts[3]!;
  const kind = parts.slice(4).join('/');
  if (!isValidGatewayId(gw) || !(TOPIC_KINDS as readonly string[]).includes(kind)) return undefined;
  return { gw, kind: kind as TopicKind };
}
