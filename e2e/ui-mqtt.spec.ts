// E2E (real: built headless server, SQLite in a temp dir, Debian Chromium, Mosquitto on 127.0.0.1 with a password file):
// the System screen's MQTT panel connects Vigil to a broker with a write-only password that never comes back to the page.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useE2E } from './support/e2e';
import { waitFor } from './support/net';
import { AppShell } from './pages/app-shell.page';
import { LoginPage } from './pages/login.page';
import { SystemPage } from './pages/system.page';
import { startBroker, subscriber, type Broker } from '../test/support/mosquitto';

const EXPECTED_401 = /status of 401/;
const USER = { name: 'ui-user', password: 'ui-broker-pass-93' };

describe('MQTT settings UI e2e', () => {
  const e2e = useE2E({});
  let broker: Broker;

  beforeAll(async () => {
    broker = await startBroker({ user: USER });
  });
  afterAll(async () => {
    await broker?.stop();
  });

  it('saving the MQTT panel connects to the broker; the password is stored, never shown, and blank keeps it', async () => {
    const sub = await subscriber(broker.url, ['vigil/available'], { username: USER.name, password: USER.password });
    try {
      const page = await e2e.newPage({ allow: [EXPECTED_401] });
      await (await new LoginPage(page).goto(e2e.server.url)).login(e2e.server.apiKey as string);
      const shell = new AppShell(page);
      await shell.waitUntilReady();
      await shell.open('System');
      const system = new SystemPage(page);
      await system.mqtt.waitFor();
      await system.saveMqtt({ url: broker.url, username: USER.name, password: USER.password });
      await waitFor('vigil/available online', () => sub.messages.find((m) => m.payload.toString() === 'online'), { timeoutMs: 30_000 });
      const settings = await (await e2e.server.api('/api/settings')).text();
      expect(JSON.parse(settings)).toMatchObject({ mqtt_url: broker.url, mqtt_username: USER.name, mqtt_password_set: true });
      expect(settings).not.toContain(USER.password);
      await expect.poll(() => system.mqtt.innerText()).toMatch(/stored; blank keeps it/);
      expect(await page.getByTestId('setting-mqtt_password').inputValue()).toBe('');
      expect(await page.content()).not.toContain(USER.password);
      await e2e.screenshot(page, 'ui-system-mqtt');
      // Saving again with the password left blank keeps it: Vigil stays connected with the stored one.
      await system.saveMqtt({ prefix: 'vigil' });
      expect(((await (await e2e.server.api('/api/settings')).json()) as { mqtt_password_set: boolean }).mqtt_password_set).toBe(true);
      await system.saveMqtt({ url: '' });
      await waitFor('vigil/available offline', () => sub.messages.find((m) => m.payload.toString() === 'offline'), { timeoutMs: 30_000 });
      expect(e2e.unexpectedErrors()).toEqual([]);
    } finally {
      await sub.close();
    }
  }, 120_000);
});
