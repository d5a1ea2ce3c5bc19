import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

interface Manifest {
  display_information: { name: string; description: string; long_description: string };
  features: { app_home: { home_tab_enabled: boolean }; bot_user: { display_name: string }; slash_commands: { command: string; should_escape: boolean; url?: string; usage_hint: string }[] };
  oauth_config: { scopes: { bot: string[] } };
  settings: { event_subscriptions: { bot_events: string[]; request_url?: string }; interactivity: { is_enabled: boolean; request_url?: string }; socket_mode_enabled: boolean };
}

const read = (file: string) => JSON.parse(readFileSync(new URL(`../../${file}`, import.meta.url), 'utf8')) as Manifest;
const socket = read('manifest.json');
const http = read('manifest.http.json');

/** The scopes the code uses through the scheduling and digest issue, and no broader one. */
const SCOPES = ['channels:read', 'chat:write', 'commands', 'files:write', 'groups:read', 'im:write', 'users:read'];

describe('Slack app manifests', () => {
  it.each([
    ['manifest.json', socket],
    ['manifest.http.json', http],
  ])('%s declares the bot, /maturity, App Home, interactivity and exactly the needed scopes', (_name, manifest) => {
    expect(manifest.display_information.name.length).toBeLessThanOrEqual(35);
    expect(manifest.display_information.long_description.length).toBeGreaterThanOrEqual(175);
    expect(manifest.features.bot_user.display_name).toBeTruthy();
    expect(manifest.features.slash_commands).toEqual([expect.objectContaining({ command: '/maturity', should_escape: true })]);
    expect(manifest.features.app_home.home_tab_enabled).toBe(true);
    expect(manifest.settings.event_subscriptions.bot_events).toEqual(['app_home_opened']);
    expect(manifest.settings.interactivity.is_enabled).toBe(true);
    expect([...manifest.oauth_config.scopes.bot].sort()).toEqual(SCOPES);
    expect(manifest.oauth_config.scopes.bot.some((scope) => scope.endsWith(':history'))).toBe(false);
  });

  it('uses Socket Mode in manifest.json and request URLs on /slack/events in manifest.http.json', () => {
    expect(socket.settings.socket_mode_enabled).toBe(true);
    expect(socket.features.slash_commands[0]?.url).toBeUndefined();
    expect(http.settings.socket_mode_enabled).toBe(false);
    for (const url of [http.features.slash_commands[0]?.url, http.settings.event_subscriptions.request_url, http.settings.interactivity.request_url]) {
      expect(url).toMatch(/^https:\/\/.+\/slack\/events$/);
    }
  });
});
