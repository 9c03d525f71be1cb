import type { IClientOptions } from 'mqtt';
import { createRng } from '../prng.js';
import { FleetConnectError } from './errors.js';
import { FleetGateway, type GatewayEvents } from './fleet-gateway.js';
import { fleetGateway } from './identities.js';
import { type FleetDeps, type FleetOptions, resolveFleetOptions } from './options.js';
import { ConnectRamp } from './ramp.js';
import { GatewayEnvelopes } from './readings.js';
import type { FleetReport } from './report.js';
import { type FleetPhase, FleetStats } from './stats.js';

const PACE_TICK_MS = 5;
/** Transport failures (reset, timeout) are retried this often; a CONNACK refusal never is. */
const MAX_CONNECT_ATTEMPTS = 3;
const CLOSE_TIMEOUT_MS = 3_000;

/**
 * Runs N simulated gateways against a broker: a ramped connect phase, S seconds of QoS 1 readings
 * envelopes (paced across the fleet, or unpaced with a per-connection window), a drain that waits for the
 * outstanding PUBACKs, then DISCONNECT. Throws FleetConnectError (SIM_ERR_FLEET_CONNECT) when no gateway
 * could connect; any other failure is counted in the report.
 */
export async function runFleet(options: FleetOptions, deps: FleetDeps = {}): Promise<FleetReport> {
  const o = resolveFleetOptions(options);
  const now = deps.now ?? Date.now;
  const stats = new FleetStats();
  const jitter = createRng(o.seed ^ 0x6b6565);
  const started = performance.now();
  let phase: FleetPhase = 'connecting';
  let publishing = false;
  let publishStart = 0;
  let lastSettle = 0;
  let onDrained: (() => void) | undefined;
  let peakConnected = 0;

  const clientOptions: IClientOptions = {
    protocolVersion: o.protocolVersion,
    clean: true,
    // The fleet reconnects through its ramp; mqtt.js timers would reconnect all gateways at once.
    reconnectPeriod: 0,
    connectTimeout: o.connectTimeoutMs,
    // Rescheduling the ping on every packet costs a timer reset per publish; a ping per keepalive is cheaper.
    reschedulePings: false,
    resubscribe: false,
    queueQoSZero: false,
    // mqtt.js logs through `debug` a dozen times per publish; even disabled, that shows in a profile.
    log: () => {},
  };
  // Unpaced, PUBACKs are answered with new publishes once per event-loop turn rather than one by one:
  // publishes issued together share one socket write, where one write per message spent a third of the
  // fleet's CPU in writev. Waiting longer (say, for half the window) would starve Aedes, which reads a
  // connection's next bytes only after every packet of the previous read is acknowledged.
  const refills = new Set<FleetGateway>();
  let refillScheduled = false;
  const refillAll = () => {
    refillScheduled = false;
    for (const gw of refills) fill(gw);
    refills.clear();
  };
  const outstanding = () => stats.sent - stats.acknowledged - stats.failed;
  const backoff = (attempt: number) => 1000 * attempt * (0.5 + jitter());
  const ramp = new ConnectRamp(o.connectRate);

  const send = (gw: FleetGateway) => {
    stats.sent++;
    gw.publish(gw.envelopes.next(o.readingsPerMessage));
  };
  const fill = (gw: FleetGateway) => {
    while (publishing && gw.state === 'connected' && gw.inflight < o.inflight) send(gw);
  };
  const checkDrained = () => {
    if (!publishing && onDrained && outstanding() === 0) onDrained();
  };

  const events: GatewayEvents = {
    connected(gw) {
      ramp.settled();
      stats.connected++;
      if (stats.connected > peakConnected) peakConnected = stats.connected;
      if (o.rate === 0) fill(gw);
    },
    connectFailed(gw, reason, refused) {
      ramp.settled();
      stats.fail('connect', reason);
      const running = phase === 'connecting' || phase === 'publishing';
      if (running && !refused && gw.attempts < MAX_CONNECT_ATTEMPTS) ramp.enqueue(gw, backoff(gw.attempts));
    },
    lost(gw, reason, inflight) {
      stats.connected--;
      stats.fail('disconnect', reason);
      if (inflight > 0) stats.fail('publish', `connection lost before PUBACK (${reason})`, inflight);
      if (phase === 'connecting' || phase === 'publishing') ramp.enqueue(gw, backoff(1));
      checkDrained();
    },
    settled(gw, err, latencyMs) {
      lastSettle = performance.now();
      if (err) stats.fail('publish', err.message);
      else {
        stats.acknowledged++;
        stats.latency.record(latencyMs);
        if (gw.acknowledged++ === 0) stats.publishingGateways++;
      }
      if (publishing) {
        if (o.rate === 0) {
          refills.add(gw);
          if (!refillScheduled) {
            refillScheduled = true;
            setImmediate(refillAll);
          }
        }
      } else checkDrained();
    },
  };

  const gateways = Array.from({ length: o.gateways }, (_, i) => {
    const identity = fleetGateway(i, o.devicesPerGateway, o.idPrefix);
    const keepaliveS = Math.max(5, Math.round(o.keepaliveS * (0.8 + 0.4 * jitter())));
    const opts = { url: o.brokerUrl, client: clientOptions, keepaliveS, credentials: o.credentials };
    return new FleetGateway(identity, new GatewayEnvelopes(identity, o.seed, now), opts, events);
  });

  let lastProgress = { at: started, acknowledged: 0 };
  const progress = () => {
    if (!deps.progress) return;
    const t = performance.now();
    const dt = (t - lastProgress.at) / 1000;
    deps.progress({
      phase,
      elapsedS: (t - started) / 1000,
      gateways: o.gateways,
      connected: stats.connected,
      sent: stats.sent,
      acknowledged: stats.acknowledged,
      failed: stats.failed,
      connectFailures: stats.connectFailures,
      // The last line sums the run up, so it shows the run's rate rather than the idle final moment's.
      ackRate:
        phase === 'done'
          ? report().messagesPerSecond
          : dt > 0
            ? (stats.acknowledged - lastProgress.acknowledged) / dt
            : 0,
    });
    lastProgress = { at: t, acknowledged: stats.acknowledged };
  };
  const progressTimer = setInterval(progress, 1000);

  let abortWake: (() => void) | undefined;
  const abortPromise = new Promise<void>((r) => {
    abortWake = r;
  });
  const onAbort = () => abortWake?.();
  o.signal?.addEventListener('abort', onAbort, { once: true });
  const aborted = () => o.signal?.aborted === true;

  let pacer: NodeJS.Timeout | undefined;
  let connectS = 0;
  try {
    // Phase 1: connect everyone (or give up on them) before the clock for S starts.
    if (!aborted()) {
      for (const gw of gateways) ramp.enqueue(gw);
      await Promise.race([ramp.whenIdle(), abortPromise]);
    }
    connectS = (performance.now() - started) / 1000;
    if (stats.connected === 0 && !aborted()) {
      phase = 'closing';
      ramp.stop();
      await Promise.all(gateways.map((gw) => gw.close(CLOSE_TIMEOUT_MS)));
      const reason = stats.topConnectReason() ?? 'no connection was attempted';
      throw new FleetConnectError(
        `none of ${o.gateways} gateways could connect to ${o.brokerUrl}: ${reason}`,
        report(),
      );
    }

    // Phase 2: publish for S seconds.
    if (!aborted()) {
      phase = 'publishing';
      publishing = true;
      publishStart = performance.now();
      lastSettle = publishStart;
      if (o.rate === 0) for (const gw of gateways) fill(gw);
      else startPacer();
      let deadline: NodeJS.Timeout | undefined;
      await Promise.race([
        new Promise<void>((r) => {
          deadline = setTimeout(r, o.durationS * 1000);
        }),
        abortPromise,
      ]);
      clearTimeout(deadline);
      publishing = false;
      if (pacer) clearTimeout(pacer);

      // Phase 3: wait for the PUBACKs still owed, then count whatever never came as failed.
      phase = 'draining';
      if (outstanding() > 0) {
        let drainTimer: NodeJS.Timeout | undefined;
        await new Promise<void>((r) => {
          onDrained = r;
          drainTimer = setTimeout(r, o.drainTimeoutMs);
          checkDrained();
        });
        clearTimeout(drainTimer);
        onDrained = undefined;
        let unanswered = 0;
        for (const gw of gateways) unanswered += gw.abandonInflight();
        if (unanswered > 0) {
          stats.fail('publish', `no PUBACK within ${o.drainTimeoutMs} ms after the run`, unanswered);
          lastSettle = performance.now();
        }
      }
    }

    phase = 'closing';
    ramp.stop();
    await Promise.all(gateways.map((gw) => gw.close(CLOSE_TIMEOUT_MS)));
    phase = 'done';
    progress();
    return report();
  } finally {
    publishing = false;
    if (pacer) clearTimeout(pacer);
    clearInterval(progressTimer);
    ramp.stop();
    o.signal?.removeEventListener('abort', onAbort);
  }

  /** Hands the fleet-wide rate out round-robin to connected gateways with room in their window. */
  function startPacer(): void {
    let issued = 0;
    let cursor = 0;
    const t0 = performance.now();
    const tick = () => {
      if (!publishing) return;
      const due = Math.floor((o.rate * (performance.now() - t0)) / 1000);
      // A saturated broker must not be hit by an unbounded burst later: owe at most a second's worth.
      if (due - issued > o.rate) issued = due - Math.ceil(o.rate);
      let misses = 0;
      while (issued < due && misses < gateways.length) {
        const gw = gateways[cursor]!;
        cursor = cursor + 1 === gateways.length ? 0 : cursor + 1;
        if (gw.state === 'connected' && gw.inflight < o.inflight) {
          send(gw);
          issued++;
          misses = 0;
        } else misses++;
      }
      pacer = setTimeout(tick, PACE_TICK_MS);
    };
    tick();
  }

  function report(): FleetReport {
    const elapsedS = publishStart > 0 ? Math.max(0, lastSettle - publishStart) / 1000 : 0;
    const mps = elapsedS > 0 ? stats.acknowledged / elapsedS : 0;
    return {
      broker: o.brokerUrl,
      protocolVersion: o.protocolVersion,
      gateways: o.gateways,
      devices: o.gateways * o.devicesPerGateway,
      readingsPerMessage: o.readingsPerMessage,
      rate: o.rate,
      durationS: o.durationS,
      elapsedS: round(elapsedS, 3),
      connectS: round(connectS, 3),
      connected: peakConnected,
      publishingGateways: stats.publishingGateways,
      sent: stats.sent,
      acknowledged: stats.acknowledged,
      failed: stats.failed,
      connectFailures: stats.connectFailures,
      disconnects: stats.disconnects,
      messagesPerSecond: round(mps, 1),
      readingsPerSecond: round(mps * o.readingsPerMessage, 1),
      ackLatencyMs: stats.latency.summary(),
      errors: Object.fromEntries(stats.reasons),
      aborted: aborted(),
    };
  }
}

function round(n: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}
