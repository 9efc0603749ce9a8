// A real Mosquitto broker on 127.0.0.1 for MQTT tests (Debian's mosquitto), optionally with a password file.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { freePort } from '../../e2e/support/net';

export const MOSQUITTO = '/usr/sbin/mosquitto';

export interface Broker {
  port: number;
  url: string;
  /** Kills the broker (SIGKILL: no clean goodbye to its clients). */
  kill(): Promise<void>;
  /** Starts it again on the same port. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

const listening = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const s = createConnection({ host: '127.0.0.1', port }, () => {
      s.destroy();
      resolve(true);
    });
    s.on('error', () => resolve(false));
  });

export async function startBroker(o: { port?: number; user?: { name: string; password: string } } = {}): Promise<Broker> {
  const port = o.port ?? (await freePort());
  const dir = mkdtempSync(join(tmpdir(), 'vigil-mosquitto-'));
  // `user`: run as root (CI containers), mosquitto would otherwise drop to a `mosquitto` user that cannot read the 0600 files.
  const conf = [`listener ${port} 127.0.0.1`, 'persistence false', 'log_dest stderr', `user ${userInfo().username}`];
  if (o.user) {
    const pw = join(dir, 'passwd');
    writeFileSync(pw, '', { mode: 0o600 });
    const r = spawnSync('mosquitto_passwd', ['-b', pw, o.user.name, o.user.password]);
    if (r.status !== 0) throw new Error(`mosquitto_passwd failed: ${r.stderr.toString()}`);
    conf.push('allow_anonymous false', `password_file ${pw}`);
  } else {
    conf.push('allow_anonymous true');
  }
  writeFileSync(join(dir, 'mosquitto.conf'), conf.join('\n') + '\n');
  let proc: ChildProcess | null = null;
  const launch = async (): Promise<void> => {
    const p = spawn(MOSQUITTO, ['-c', join(dir, 'mosquitto.conf')], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    p.stderr?.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-2000)));
    proc = p;
    const deadline = Date.now() + 15_000;
    while (!(await listening(port))) {
      if (p.exitCode !== null) throw new Error(`mosquitto exited (${p.exitCode}): ${err}`);
      if (Date.now() > deadline) throw new Error('mosquitto did not start listening');
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const kill = async (): Promise<void> => {
    const p = proc;
    proc = null;
    if (!p || p.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      p.once('exit', () => resolve());
      p.kill('SIGKILL');
    });
  };
  await launch();
  return {
    port,
    url: `mqtt://127.0.0.1:${port}`,
    kill,
    restart: launch,
    stop: async () => {
      await kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface Received {
  topic: string;
  payload: Buffer;
  retain: boolean;
}

/** A test subscriber that records every message on `topics`. */
export async function subscriber(url: string, topics: string[], auth: { username?: string; password?: string } = {}): Promise<{ client: MqttClient; messages: Received[]; close(): Promise<void> }> {
  const client = mqtt.connect(url, { ...auth, reconnectPeriod: 500 });
  const messages: Received[] = [];
  client.on('message', (topic, payload, packet) => messages.push({ topic, payload, retain: packet.retain }));
  await new Promise<void>((resolve, reject) => {
    client.once('connect', () => resolve());
    client.once('error', reject);
  });
  await client.subscribeAsync(topics);
  return { client, messages, close: () => client.endAsync(true) };
}
