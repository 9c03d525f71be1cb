import type { FleetProgress } from './stats.js';

function rate(perSecond: number): string {
  return perSecond >= 1000 ? `${(perSecond / 1000).toFixed(1)}k` : String(Math.round(perSecond));
}

/** e.g. `connected 9500/10000  sent 120000  acked 119800  failed 0  19.8k msg/s` */
export function formatFleetProgress(p: FleetProgress): string {
  const parts = [
    `connected ${p.connected}/${p.gateways}`,
    `sent ${p.sent}`,
    `acked ${p.acknowledged}`,
    `failed ${p.failed}`,
    `${rate(p.ackRate)} msg/s`,
  ];
  if (p.connectFailures > 0) parts.splice(1, 0, `connect failures ${p.connectFailures}`);
  return parts.join('  ');
}
