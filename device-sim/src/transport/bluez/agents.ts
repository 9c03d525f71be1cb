import dbus, { type Message, type MessageBus } from 'dbus-next';
import { bluezError } from './bluez-errors.js';
import { BluezInterface } from './bluez-interface.js';
import { IFACE } from './names.js';
import type { ObjectTree } from './object-tree.js';

/** IO capabilities an agent may declare (doc/org.bluez.AgentManager.rst); "" means KeyboardDisplay. */
const CAPABILITIES = ['DisplayOnly', 'DisplayYesNo', 'KeyboardOnly', 'NoInputNoOutput', 'KeyboardDisplay'];

export interface RegisteredAgent {
  /** Unique bus name of the process that registered it; BlueZ calls the agent there. */
  readonly owner: string;
  readonly path: string;
  readonly capability: string;
}

/** Agents by owner, one per client connection, plus the default one (src/agent.c). */
export class AgentRegistry {
  private readonly agents = new Map<string, RegisteredAgent>();
  private defaultOwner: string | undefined;

  constructor(
    private readonly bus: MessageBus,
    /** How long bluetoothd waits for an agent's answer before cancelling (src/agent.c REQUEST_TIMEOUT). */
    private readonly requestTimeoutMs: number,
  ) {}

  register(owner: string, path: string, capability: string): void {
    if (this.agents.has(owner)) throw bluezError.alreadyExists();
    const cap = capability === '' ? 'KeyboardDisplay' : capability;
    if (!CAPABILITIES.includes(cap)) throw bluezError.invalidArgs();
    this.agents.set(owner, { owner, path, capability: cap });
  }

  unregister(owner: string, path: string): void {
    const agent = this.agents.get(owner);
    if (!agent || agent.path !== path) throw bluezError.doesNotExist();
    this.drop(owner);
  }

  requestDefault(owner: string, path: string): void {
    const agent = this.agents.get(owner);
    if (!agent || agent.path !== path) throw bluezError.doesNotExist();
    this.defaultOwner = owner;
  }

  /** The caller's own agent, else the default one (src/device.c pair_device → agent_get). */
  agentFor(caller: string): RegisteredAgent | undefined {
    return this.agents.get(caller) ?? (this.defaultOwner ? this.agents.get(this.defaultOwner) : undefined);
  }

  /** A client left the bus: its agent goes with it. */
  drop(owner: string): void {
    this.agents.delete(owner);
    if (this.defaultOwner === owner) this.defaultOwner = undefined;
  }

  /** Calls an org.bluez.Agent1 method on the agent; rejects with the agent's D-Bus error or on timeout. */
  async call(agent: RegisteredAgent, member: string, signature: string, body: unknown[]): Promise<Message> {
    const request = this.bus.call(
      new dbus.Message({
        destination: agent.owner,
        path: agent.path,
        interface: IFACE.agent,
        member,
        signature,
        body,
      }),
    );
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        this.notify(agent, 'Cancel');
        reject(new dbus.DBusError('org.bluez.Error.Canceled', 'agent did not answer in time'));
      }, this.requestTimeoutMs);
      timer.unref();
    });
    try {
      const reply = await Promise.race([request, timeout]);
      if (!reply) throw new dbus.DBusError('org.bluez.Error.Failed', 'agent sent no reply');
      return reply;
    } finally {
      clearTimeout(timer);
      request.catch(() => {});
    }
  }

  /** Fire-and-forget call such as Cancel or Release. */
  notify(agent: RegisteredAgent, member: string): void {
    const msg = new dbus.Message({
      destination: agent.owner,
      path: agent.path,
      interface: IFACE.agent,
      member,
      flags: dbus.MessageFlag.NO_REPLY_EXPECTED,
    });
    this.bus.call(msg).catch(() => {});
  }
}

/** org.bluez.AgentManager1 on /org/bluez (doc/org.bluez.AgentManager.rst). */
export class AgentManagerInterface extends BluezInterface {
  constructor(
    private readonly registry: AgentRegistry,
    private readonly tree: ObjectTree,
  ) {
    super(IFACE.agentManager);
  }

  RegisterAgent(path: string, capability: string): void {
    this.registry.register(this.tree.sender, path, capability);
  }

  UnregisterAgent(path: string): void {
    this.registry.unregister(this.tree.sender, path);
  }

  RequestDefaultAgent(path: string): void {
    this.registry.requestDefault(this.tree.sender, path);
  }
}

AgentManagerInterface.configureMembers({
  methods: {
    RegisterAgent: { inSignature: 'os' },
    UnregisterAgent: { inSignature: 'o' },
    RequestDefaultAgent: { inSignature: 'o' },
  },
});
