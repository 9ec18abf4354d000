import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { hostResolve, inventoryLoad, inventoryParse } from './inventory';
import { InventoryError } from './inventory-error';

// The example of the contract (issue 3), verbatim.
const example = `defaults:
  user: root
  port: 22
  identityFile: ~/.ssh/id_ed25519   # or omit to use ssh-agent (SSH_AUTH_SOCK)
  knownHosts: ~/.ssh/known_hosts
  connectTimeoutMs: 5000
  commandTimeoutMs: 30000
  sudo: false                       # true runs the commands with sudo -n
hosts:
  - name: bastion
    address: 203.0.113.10
  - name: node-1
    address: 10.0.0.11
    jump: bastion                   # ProxyJump through another inventory host
    labels: { cluster: prod, role: worker }
  - name: laptop
    local: true                     # this machine, no SSH
collectEveryMinutes: 5
`;

const home = os.homedir();

function errorOf(text: string, file = 'packetlens.yaml'): string {
  try {
    inventoryParse(text, file);
  } catch (e) {
    expect(e).toBeInstanceOf(InventoryError);
    return (e as Error).message;
  }
  throw new Error('the inventory was accepted');
}

describe('inventoryParse', () => {
  it('reads the contract example with ~ expanded', () => {
    const inventory = inventoryParse(example, '/etc/packetlens/packetlens.yaml');
    expect(inventory).toEqual({
      defaults: {
        user: 'root',
        port: 22,
        identityFile: `${home}/.ssh/id_ed25519`,
        knownHosts: `${home}/.ssh/known_hosts`,
        connectTimeoutMs: 5000,
        commandTimeoutMs: 30000,
        sudo: false,
      },
      hosts: [
        { name: 'bastion', address: '203.0.113.10' },
        {
          name: 'node-1',
          address: '10.0.0.11',
          jump: 'bastion',
          labels: { cluster: 'prod', role: 'worker' },
        },
        { name: 'laptop', local: true },
      ],
      collectEveryMinutes: 5,
    });
  });

  it('fills in defaults and resolves relative paths against the inventory file', () => {
    const inventory = inventoryParse(
      'defaults:\n  knownHosts: lab/known_hosts\nhosts:\n  - name: a\n    address: a.example\n    identityFile: keys/a\n    labels: { tier: 1, edge: true }\n',
      '/srv/lab/packetlens.yaml',
    );
    expect(inventory.defaults).toEqual({
      port: 22,
      knownHosts: '/srv/lab/lab/known_hosts',
      connectTimeoutMs: 5000,
      commandTimeoutMs: 30000,
      sudo: false,
    });
    expect(inventory.hosts[0]).toEqual({
      name: 'a',
      address: 'a.example',
      identityFile: '/srv/lab/keys/a',
      labels: { tier: '1', edge: 'true' },
    });
    expect(inventory.collectEveryMinutes).toBe(5);
  });

  it('names the file, line, host and field of a jump to a host that does not exist', () => {
    expect(errorOf(example.replace('jump: bastion', 'jump: bastion2'))).toBe(
      "packetlens.yaml:14:11: hosts[1] (node-1): jump: no host named 'bastion2' in this inventory",
    );
  });

  it('refuses a jump through a local host', () => {
    expect(errorOf(example.replace('jump: bastion', 'jump: laptop'))).toBe(
      "packetlens.yaml:14:11: hosts[1] (node-1): jump: 'laptop' is a local host; a jump host must be reached over SSH",
    );
  });

  it('reports a loop of jumps once, on its first host', () => {
    const looped = example.replace('address: 203.0.113.10', 'address: 203.0.113.10\n    jump: node-1');
    expect(errorOf(looped)).toBe(
      'packetlens.yaml:12:11: hosts[0] (bastion): jump: jumps form a loop: bastion -> node-1 -> bastion',
    );
    expect(errorOf('hosts:\n  - name: a\n    address: 10.0.0.1\n    jump: a\n')).toBe(
      'packetlens.yaml:4:11: hosts[0] (a): jump: jumps form a loop: a -> a',
    );
  });

  it('refuses two hosts with one name', () => {
    expect(errorOf(example.replace('name: laptop', 'name: bastion'))).toBe(
      "packetlens.yaml:16:11: hosts[2] (bastion): name: 'bastion' is already the name of hosts[0]",
    );
  });

  it('refuses names that are not safe as file names', () => {
    expect(errorOf(example.replace('name: laptop', 'name: ../laptop'))).toBe(
      "packetlens.yaml:16:11: hosts[2] (../laptop): name: '../laptop' is not safe as a file name (use up to 64 letters, digits, '.', '_' and '-', starting with a letter or digit)",
    );
    expect(errorOf('hosts:\n  - name: .hidden\n    local: true\n')).toContain(
      "packetlens.yaml:2:11: hosts[0] (.hidden): name: '.hidden' is not safe as a file name",
    );
  });

  it('wants an address on SSH hosts and none on local ones', () => {
    expect(errorOf(example.replace('    address: 10.0.0.11\n', ''))).toBe(
      'packetlens.yaml:12:5: hosts[1] (node-1): address: required for a host reached over SSH (or set local: true for this machine)',
    );
    expect(
      errorOf(example.replace('local: true', 'local: true\n    address: 192.0.2.1\n    port: 2222')),
    ).toBe(
      [
        'packetlens.yaml:18:14: hosts[2] (laptop): address: a local host is this machine, reached without SSH: remove this field or local: true',
        'packetlens.yaml:19:11: hosts[2] (laptop): port: a local host is this machine, reached without SSH: remove this field or local: true',
      ].join('\n'),
    );
  });

  it('refuses addresses and users that could be read as options', () => {
    expect(errorOf(example.replace('10.0.0.11', '-oProxyCommand=sh'))).toBe(
      "packetlens.yaml:13:14: hosts[1] (node-1): address: '-oProxyCommand=sh' is not an IP address or a host name",
    );
    expect(errorOf(example.replace('user: root', 'user: "-l root"'))).toBe(
      "packetlens.yaml:2:9: defaults: user: '-l root' is not a user name",
    );
  });

  it('accepts IPv6 addresses and host names', () => {
    const text =
      'hosts:\n  - { name: a, address: "fd00::1" }\n  - { name: b, address: node-2.lab.example. }\n';
    expect(inventoryParse(text, 'p.yaml').hosts.map((h) => h.address)).toEqual([
      'fd00::1',
      'node-2.lab.example.',
    ]);
  });

  it('reports every problem of the file, in line order, with unknown keys listed', () => {
    const text = example
      .replace('port: 22', 'port: 0')
      .replace('address: 10.0.0.11', 'adress: 10.0.0.11')
      .replace('collectEveryMinutes: 5', 'collectEveryMinutes: soon');
    expect(errorOf(text)).toBe(
      [
        'packetlens.yaml:3:9: defaults: port: must be a port number from 1 to 65535',
        'packetlens.yaml:13:5: hosts[1] (node-1): adress: unknown key (known keys: name, address, port, user, identityFile, jump, labels, local)',
        "packetlens.yaml:18:22: collectEveryMinutes: expected a number, got 'soon'",
      ].join('\n'),
    );
  });

  it('names a host by index when it has no name', () => {
    expect(errorOf('hosts:\n  - address: 10.0.0.1\n  - 5\n')).toBe(
      [
        'packetlens.yaml:2:5: hosts[0]: name: required',
        'packetlens.yaml:3:5: hosts[1]: expected a mapping, got 5',
      ].join('\n'),
    );
  });

  it('describes wrong types in the words of YAML', () => {
    expect(errorOf('defaults: 3\nhosts: []\n')).toBe(
      [
        'packetlens.yaml:1:11: defaults: expected a mapping, got 3',
        'packetlens.yaml:2:8: hosts: list at least one host',
      ].join('\n'),
    );
    expect(errorOf('hosts:\n  - name: a\n    local: yes\n')).toBe(
      "packetlens.yaml:3:12: hosts[0] (a): local: expected true or false, got 'yes'",
    );
    expect(errorOf('hosts:\n  - name: a\n    address: 10.0.0.1\n    labels: { role: [a] }\n')).toBe(
      'packetlens.yaml:4:21: hosts[0] (a): labels.role: expected a string',
    );
    expect(errorOf('- a\n')).toBe('packetlens.yaml:1:1: expected a mapping, got a list');
  });

  it('reports YAML syntax errors and empty files', () => {
    expect(errorOf('hosts: [\n')).toBe(
      'packetlens.yaml:2:1: Flow sequence in block collection must be sufficiently indented and end with a ]',
    );
    expect(errorOf('hosts: []\nhosts: []\n')).toBe('packetlens.yaml:2:1: Map keys must be unique');
    expect(errorOf('')).toBe('packetlens.yaml: the file is empty; an inventory lists its hosts');
  });

  it("refuses '~user' paths, which it would not expand", () => {
    expect(errorOf('defaults:\n  identityFile: ~bob/.ssh/id\nhosts:\n  - { name: a, local: true }\n')).toBe(
      "packetlens.yaml:2:17: defaults: identityFile: only '~' and '~/' are expanded, not '~user'",
    );
  });
});

describe('inventoryLoad', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'packetlens-inventory-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads the file and names it in errors as given', async () => {
    const file = path.join(dir, 'packetlens.yaml');
    writeFileSync(file, example);
    expect((await inventoryLoad(file)).hosts).toHaveLength(3);
    writeFileSync(file, example.replace('jump: bastion', 'jump: bastion2'));
    await expect(inventoryLoad(file)).rejects.toThrow(
      `${file}:14:11: hosts[1] (node-1): jump: no host named 'bastion2' in this inventory`,
    );
  });

  it('lets a missing file fail with its errno', async () => {
    await expect(inventoryLoad(path.join(dir, 'absent.yaml'))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe('hostResolve', () => {
  const inventory = inventoryParse(
    example.replace(
      '    local: true',
      '    local: true\n  - name: node-2\n    address: 10.0.0.12\n    port: 2222\n    user: admin\n    identityFile: /keys/node-2\n    jump: node-1',
    ),
    '/etc/packetlens/packetlens.yaml',
  );

  it('merges the defaults into a host', () => {
    expect(hostResolve(inventory, 'bastion')).toEqual({
      name: 'bastion',
      local: false,
      labels: {},
      address: '203.0.113.10',
      port: 22,
      user: 'root',
      identityFile: `${home}/.ssh/id_ed25519`,
      knownHosts: `${home}/.ssh/known_hosts`,
      connectTimeoutMs: 5000,
      commandTimeoutMs: 30000,
      sudo: false,
      jump: null,
    });
  });

  it("keeps a host's own settings and resolves its chain of jumps", () => {
    const node2 = hostResolve(inventory, 'node-2');
    expect(node2).toMatchObject({ port: 2222, user: 'admin', identityFile: '/keys/node-2' });
    expect(node2.local === false && node2.jump?.name).toBe('node-1');
    expect(node2.local === false && node2.jump?.jump?.name).toBe('bastion');
    expect(node2.local === false && node2.jump?.jump?.jump).toBeNull();
  });

  it('resolves a local host without SSH settings', () => {
    expect(hostResolve(inventory, 'laptop')).toEqual({
      name: 'laptop',
      local: true,
      labels: {},
      commandTimeoutMs: 30000,
      sudo: false,
    });
  });

  it('defaults the user to the current one, as ssh does', () => {
    const bare = inventoryParse('hosts:\n  - { name: a, address: 10.0.0.1 }\n', 'p.yaml');
    expect(hostResolve(bare, 'a')).toMatchObject({ user: os.userInfo().username, identityFile: null });
  });

  it('names the hosts there are when asked for one that is not', () => {
    expect(() => hostResolve(inventory, 'node-9')).toThrow(
      "no host named 'node-9' in this inventory (hosts: bastion, node-1, laptop, node-2)",
    );
  });
});
