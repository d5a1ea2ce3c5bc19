import { webApi } from '@slack/bolt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { slackClientOptions } from '../../src/adapters/slack/app.js';
import { SlackChannelPeople, type SlackChannelPeopleOptions } from '../../src/adapters/slack/channel-people.js';
import { slackChannel } from '../../src/adapters/slack/inbound.js';
import { SlackApiStandIn } from '../support/slack-stand-in.js';
import { memoryLogger } from '../support/test-context.js';

// The dashboard's owner picker on Slack: the people of a channel by name, through the Web API stand-in
// (conversations.members pages with cursors, users.info per person, Tier 4 rate limits).

const WORKSPACE = 'T0PEOPLE';
const CHANNEL = 'C0PEOPLE';
const LARGE = 'C0LARGE';
const PEOPLE = [
  { id: 'U0ANA', name: 'Ana' },
  { id: 'U0BEN', name: 'Ben' },
  { id: 'U0CLEO', name: 'Cleo' },
  { id: 'U0DAN', name: 'Dan' },
];

describe("a Slack channel's people for the owner picker", () => {
  let slack: SlackApiStandIn;
  let client: webApi.WebClient;
  const log = memoryLogger().log;
  /** The listing's clock (ms); moved by hand. */
  let now = 0;

  beforeAll(async () => {
    slack = new SlackApiStandIn({ teamId: WORKSPACE });
    await slack.start();
    for (const person of PEOPLE) slack.addUser(person);
    slack.addUser({ id: 'U0HOOK', name: 'deploy-hook', isBot: true });
    slack.addUser({ id: 'U0LEFT', name: 'Left', deleted: true });
    // The app's own bot user (UBOT) is listed last by the stand-in, as a member of both channels.
    slack.addChannel({ id: CHANNEL, name: 'people', members: ['U0ANA', 'U0HOOK', 'U0BEN', 'U0LEFT', 'U0CLEO'] });
    slack.addChannel({ id: LARGE, name: 'large', members: PEOPLE.map((person) => person.id) });
    client = new webApi.WebClient('xoxb-test-token', slackClientOptions({ botToken: 'xoxb-test-token', signingSecret: null, appToken: null, apiUrl: slack.apiUrl, adminUserIds: [] }, log));
  });

  afterAll(async () => {
    await slack?.stop();
  });

  const listing = (options: SlackChannelPeopleOptions = {}) => new SlackChannelPeople(client, log, () => now, { pageSize: 2, ...options });
  const calls = (method: string) => slack.callsTo(method).length;
  const asked = (from: number) => slack.callsTo('users.info').slice(from).map((call) => call.body.user);

  it('lists the members by name across pages, without bots or deactivated accounts, and keeps the names', async () => {
    const people = listing();
    const [pagesBefore, namesBefore] = [calls('conversations.members'), calls('users.info')];
    expect(await people.channelPeople(slackChannel(WORKSPACE, CHANNEL))).toEqual({
      people: [
        { userId: 'U0ANA', name: 'Ana' },
        { userId: 'U0BEN', name: 'Ben' },
        { userId: 'U0CLEO', name: 'Cleo' },
      ],
      incomplete: null,
    });
    // Six members two at a time, the next page by its cursor; one users.info per member.
    const pages = slack.callsTo('conversations.members').slice(pagesBefore);
    expect(pages.map((call) => [call.body.channel, call.body.limit, call.body.cursor !== undefined])).toEqual([
      [CHANNEL, '2', false],
      [CHANNEL, '2', true],
      [CHANNEL, '2', true],
    ]);
    expect(new Set(asked(namesBefore))).toEqual(new Set(['U0ANA', 'U0HOOK', 'U0BEN', 'U0LEFT', 'U0CLEO', 'UBOT']));
    expect(calls('users.info') - namesBefore).toBe(6);

    // Asked again within ten minutes: the members afresh, the names from memory (bots and the departed too).
    const again = calls('users.info');
    expect((await people.channelPeople(slackChannel(WORKSPACE, CHANNEL)))?.people.map((person) => person.name)).toEqual(['Ana', 'Ben', 'Cleo']);
    expect(calls('users.info')).toBe(again);
    now += 10 * 60_000;
    await people.channelPeople(slackChannel(WORKSPACE, CHANNEL));
    expect(calls('users.info') - again).toBe(6);
  });

  it('offers at most the cap, reading no further than it needs, and says the channel holds more', async () => {
    const pagesBefore = calls('conversations.members');
    const result = await listing({ maxPeople: 3 }).channelPeople(slackChannel(WORKSPACE, LARGE));
    expect(result).toEqual({ people: PEOPLE.slice(0, 3).map((person) => ({ userId: person.id, name: person.name })), incomplete: 'too-many' });
    expect(calls('conversations.members') - pagesBefore).toBe(2);
  });

  it('asks users.info within its budget per minute, and leaves the rest for later', async () => {
    const people = listing({ namesPerMinute: 2 });
    const namesBefore = calls('users.info');
    const first = await people.channelPeople(slackChannel(WORKSPACE, LARGE));
    expect(first).toEqual({ people: [{ userId: 'U0ANA', name: 'Ana' }, { userId: 'U0BEN', name: 'Ben' }], incomplete: 'try-later' });
    expect(calls('users.info') - namesBefore).toBe(2);
    // Within the same minute: nothing more is asked.
    now += 30_000;
    expect((await people.channelPeople(slackChannel(WORKSPACE, LARGE)))?.incomplete).toBe('try-later');
    expect(calls('users.info') - namesBefore).toBe(2);
    // A minute after the first calls: the next two, then everyone is known.
    now += 30_000;
    expect((await people.channelPeople(slackChannel(WORKSPACE, LARGE)))?.people).toHaveLength(4);
    now += 60_000;
    expect(await people.channelPeople(slackChannel(WORKSPACE, LARGE))).toEqual({ people: PEOPLE.map((person) => ({ userId: person.id, name: person.name })), incomplete: null });
    expect(calls('users.info') - namesBefore).toBe(5);
  });

  it('stops asking names while Slack says to wait (429, Retry-After)', async () => {
    const people = listing();
    slack.rateLimitNext('users.info', 30);
    const namesBefore = calls('users.info');
    expect((await people.channelPeople(slackChannel(WORKSPACE, LARGE)))?.incomplete).toBe('try-later');
    const afterHold = calls('users.info');
    now += 20_000;
    expect((await people.channelPeople(slackChannel(WORKSPACE, LARGE)))?.incomplete).toBe('try-later');
    expect(calls('users.info')).toBe(afterHold);
    now += 10_000;
    expect((await people.channelPeople(slackChannel(WORKSPACE, LARGE)))?.incomplete).toBeNull();
    expect(calls('users.info')).toBeGreaterThan(namesBefore);
  });

  it('answers null when Slack will not list the members, and for a channel of another platform', async () => {
    slack.failNext('conversations.members', 'channel_not_found');
    expect(await listing().channelPeople(slackChannel(WORKSPACE, CHANNEL))).toBeNull();
    expect(await listing().channelPeople({ platform: 'teams', workspaceId: WORKSPACE, channelId: CHANNEL })).toBeNull();
  });
});
