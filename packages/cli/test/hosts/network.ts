/**
 * Test hosts on one machine: Linux network namespaces joined by a bridge. Each host is a namespace
 * with one veth link to the bridge and its own address 10.231.<net>.<10+i>; the test process and the
 * servers it starts (PostgreSQL, Redis, the local SES) listen on the bridge's address 10.231.<net>.1.
 * Cutting a host sets its link down: its processes keep running but reach nothing, and nothing
 * reaches them, as when a machine drops off the network. Needs root (`ip netns`); where that is not
 * permitted, {@link namespacesUnavailable} says why so the suite can skip with that reason.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';

export interface TestHost {
  name: string;
  /** The namespace (`ip netns exec <ns> …`). */
  ns: string;
  /** This host's address on the bridge. */
  ip: string;
  /** Takes the host off the network (its link down). */
  cut(): void;
  /** Puts it back. */
  restore(): void;
  /** Starts `command` inside the host, with exactly `env`. */
  spawn(command: string, args: string[], env: NodeJS.ProcessEnv, cwd: string): ChildProcess;
}

export interface TestNetwork {
  /** The bridge's address: where the test's own servers listen. */
  hostIp: string;
  hosts: Record<string, TestHost>;
  destroy(): void;
}

const ip = (...args: string[]) => execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });

/** Null when namespaces can be made here, else the reason they cannot. */
export function namespacesUnavailable(): string | null {
  if (process.platform !== 'linux') return `network namespaces need Linux (this is ${process.platform})`;
  if (process.getuid?.() !== 0) return 'network namespaces need root (ip netns add)';
  const probe = `tkprobe${randomBytes(3).toString('hex')}`;
  try {
    ip('netns', 'add', probe);
    ip('netns', 'del', probe);
    return null;
  } catch (error) {
    return `ip netns is not permitted here: ${String((error as { stderr?: Buffer }).stderr ?? error).trim()}`;
  }
}

/** Creates a bridge and one namespace per name; `destroy` removes all of it (also after a failure). */
export function makeTestNetwork(names: string[]): TestNetwork {
  const id = randomBytes(2).toString('hex');
  const net = 1 + (parseInt(id, 16) % 250);
  const bridge = `tkbr${id}`;
  const hostIp = `10.231.${net}.1`;
  const made: Array<() => void> = [];
  const destroy = () => {
    for (const undo of made.reverse()) {
      try { undo(); } catch { /* already gone */ }
    }
  };
  try {
    ip('link', 'add', bridge, 'type', 'bridge');
    made.push(() => ip('link', 'del', bridge));
    ip('addr', 'add', `${hostIp}/24`, 'dev', bridge);
    ip('link', 'set', bridge, 'up');
    const hosts: Record<string, TestHost> = {};
    names.forEach((name, i) => {
      const ns = `tk${id}-${name}`;
      const outside = `tk${id}h${i}`;
      const inside = `tk${id}n${i}`;
      const address = `10.231.${net}.${10 + i}`;
      ip('netns', 'add', ns);
      made.push(() => ip('netns', 'del', ns));
      ip('link', 'add', outside, 'type', 'veth', 'peer', 'name', inside);
      made.push(() => ip('link', 'del', outside));
      ip('link', 'set', inside, 'netns', ns);
      ip('link', 'set', outside, 'master', bridge);
      ip('link', 'set', outside, 'up');
      ip('netns', 'exec', ns, 'ip', 'addr', 'add', `${address}/24`, 'dev', inside);
      ip('netns', 'exec', ns, 'ip', 'link', 'set', inside, 'up');
      ip('netns', 'exec', ns, 'ip', 'link', 'set', 'lo', 'up');
      hosts[name] = {
        name, ns, ip: address,
        cut: () => ip('link', 'set', outside, 'down'),
        restore: () => ip('link', 'set', outside, 'up'),
        spawn: (command, args, env, cwd) => spawn('ip', ['netns', 'exec', ns, command, ...args], { env, cwd }),
      };
    });
    return { hostIp, hosts, destroy };
  } catch (error) {
    destroy();
    throw error;
  }
}
