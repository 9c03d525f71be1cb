import type { SimConnection } from '../../gatt/connection.js';
import type { AgentRegistry, RegisteredAgent } from './agents.js';
import { bluezError } from './bluez-errors.js';

/**
 * Agents that can type the passkey a device displays. With any other IO capability the IO capability
 * mapping (Core Vol 3 Part H §2.3.5.1) falls back to Just Works, which a device that insists on a
 * passkey (MITM protection) refuses.
 */
const KEYBOARD_CAPABILITIES = ['KeyboardOnly', 'KeyboardDisplay'];

/**
 * One Device1.Pair(): asks the agent for the passkey over D-Bus (org.bluez.Agent1.RequestPasskey) and
 * runs the connection's pairing with it. Just Works pairing initiated by the host is accepted without
 * asking anyone, as the kernel does for an initiator.
 */
export class PairingAttempt {
  private canceled = false;
  private wake: (() => void) | undefined;

  constructor(
    private readonly agents: AgentRegistry,
    private readonly agent: RegisteredAgent | undefined,
    private readonly devicePath: string,
  ) {}

  async run(conn: SimConnection): Promise<void> {
    const canEnter = this.agent !== undefined && KEYBOARD_CAPABILITIES.includes(this.agent.capability);
    if (this.canceled) throw bluezError.authenticationCanceled();
    try {
      await conn.pair(canEnter ? { requestPasskey: () => this.askPasskey(conn) } : {});
    } catch {
      if (this.canceled || !conn.connected) throw bluezError.authenticationCanceled();
      // A failed SMP procedure ends the link with "Authentication Failure" (Core Vol 3 Part H §3.5.5).
      conn.close('authentication failure');
      throw bluezError.authenticationFailed();
    }
  }

  /** Device1.CancelPairing (or Disconnect, or the caller leaving the bus). */
  cancel(): void {
    this.canceled = true;
    this.interrupt();
  }

  /** Ends an agent request in flight; bluetoothd tells the agent with Agent1.Cancel (src/agent.c). */
  interrupt(): void {
    const wake = this.wake;
    if (!wake) return;
    this.wake = undefined;
    if (this.agent) this.agents.notify(this.agent, 'Cancel');
    wake();
  }

  private async askPasskey(conn: SimConnection): Promise<string | undefined> {
    const agent = this.agent!;
    const interrupted = new Promise<undefined>((resolve) => {
      this.wake = () => resolve(undefined);
    });
    try {
      const reply = await Promise.race([
        this.agents.call(agent, 'RequestPasskey', 'o', [this.devicePath]),
        interrupted,
      ]);
      if (!reply || this.canceled || !conn.connected) return undefined;
      return String(reply.body[0]).padStart(6, '0');
    } catch {
      // The agent rejected or cancelled: the host answers the device with a negative reply.
      return undefined;
    } finally {
      this.wake = undefined;
    }
  }
}
