import type { MessageBus } from 'dbus-next';

/** How the gateway answers BlueZ's pairing questions for a device, by its address. */
export interface PairingPolicy {
  /** The passkey (six digits) the device displays, e.g. from its label or the user's app; undefined rejects. */
  passkeyFor(address: string): string | number | undefined | Promise<string | number | undefined>;
  /** Numeric comparison (both sides show `passkey`); accepts unless this says otherwise. */
  confirm?(address: string, passkey: number): boolean | Promise<boolean>;
}

export interface PairingAgent {
  readonly path: string;
  unregister(): Promise<void>;
}

const AGENT_PATH = '/com/linkwell/gateway/agent';

function addressOf(devicePath: string): string {
  return (devicePath.split('/').pop() ?? '').replace(/^dev_/, '').replaceAll('_', ':');
}

type Dbus = typeof import('dbus-next');

/**
 * Builds the Agent1 class on first use: it extends a dbus-next class, and dbus-next is only loaded once a
 * node-ble central is created, so a gateway on another transport never loads it.
 */
function agentClass(dbus: Dbus) {
  const rejected = (why: string) => new dbus.DBusError('org.bluez.Error.Rejected', why);

  /**
   * org.bluez.Agent1 (doc/org.bluez.Agent.rst). node-ble has no agent, and without one BlueZ fails Pair()
   * for any device that needs a passkey, so the gateway exports its own.
   */
  class AgentInterface extends dbus.interface.Interface {
    constructor(private readonly policy: PairingPolicy) {
      super('org.bluez.Agent1');
    }

    Release(): void {}

    async RequestPinCode(device: string): Promise<string> {
      const pin = await this.policy.passkeyFor(addressOf(device));
      if (pin === undefined) throw rejected(`no PIN code for ${addressOf(device)}`);
      return String(pin);
    }

    DisplayPinCode(_device: string, _pincode: string): void {}

    async RequestPasskey(device: string): Promise<number> {
      const passkey = await this.policy.passkeyFor(addressOf(device));
      const n = Number(passkey);
      if (passkey === undefined || !Number.isInteger(n) || n < 0 || n > 999_999)
        throw rejected(`no passkey for ${addressOf(device)}`);
      return n;
    }

    DisplayPasskey(_device: string, _passkey: number, _entered: number): void {}

    async RequestConfirmation(device: string, passkey: number): Promise<void> {
      if (!(await (this.policy.confirm?.(addressOf(device), passkey) ?? true)))
        throw rejected(`passkey ${passkey} not confirmed for ${addressOf(device)}`);
    }

    RequestAuthorization(_device: string): void {}

    AuthorizeService(_device: string, _uuid: string): void {}

    Cancel(): void {}
  }

  AgentInterface.configureMembers({
    methods: {
      Release: {},
      RequestPinCode: { inSignature: 'o', outSignature: 's' },
      DisplayPinCode: { inSignature: 'os' },
      RequestPasskey: { inSignature: 'o', outSignature: 'u' },
      DisplayPasskey: { inSignature: 'ouq' },
      RequestConfirmation: { inSignature: 'ou' },
      RequestAuthorization: { inSignature: 'o' },
      AuthorizeService: { inSignature: 'os' },
      Cancel: {},
    },
  });
  return AgentInterface;
}

let AgentClass: ReturnType<typeof agentClass> | undefined;

/**
 * Exports the agent on `bus` and makes it BlueZ's default (AgentManager1.RegisterAgent with
 * KeyboardDisplay, then RequestDefaultAgent), so a Pair() from any connection, node-ble's included, uses it.
 */
export async function registerPairingAgent(
  bus: MessageBus,
  policy: PairingPolicy,
  opts: { path?: string } = {},
): Promise<PairingAgent> {
  const path = opts.path ?? AGENT_PATH;
  AgentClass ??= agentClass((await import('dbus-next')).default);
  bus.export(path, new AgentClass(policy));
  const manager = (await bus.getProxyObject('org.bluez', '/org/bluez')).getInterface(
    'org.bluez.AgentManager1',
  );
  try {
    await manager.RegisterAgent!(path, 'KeyboardDisplay');
    await manager.RequestDefaultAgent!(path);
  } catch (e) {
    (bus as unknown as { unexport(path: string): void }).unexport(path);
    throw e;
  }
  let registered = true;
  return {
    path,
    async unregister() {
      if (!registered) return;
      registered = false;
      try {
        await manager.UnregisterAgent!(path);
      } finally {
        (bus as unknown as { unexport(path: string): void }).unexport(path);
      }
    },
  };
}
