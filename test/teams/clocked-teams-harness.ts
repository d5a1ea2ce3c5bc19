import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createTeamsAdapter } from '../../src/adapters/teams/app.js';
import { openContext } from '../../src/bootstrap.js';
import { loadConfig } from '../../src/config.js';
import type { Messenger } from '../../src/core/messenger.js';
import type { Platform } from '../../src/core/platform.js';
import { OutboxDrainer } from '../../src/scheduler/outbox-drainer.js';
import { Scheduler, type TickResult } from '../../src/scheduler/scheduler.js';
import type { ServiceContext } from '../../src/services/context.js';
import { SURVEYS } from '../support/processes.js';
import { adaptiveCardAction, channelMessage, postActivity, type BotResponse, type TeamsActivity, type TeamsUser } from '../support/teams-activities.js';
import { makeTeamsMembers, type TeamsMember } from '../support/teams-connector-state.js';
import { startTeamsStandIns, type TeamsStandIns } from '../support/teams-stand-ins.js';
import { createTestStorage, ManualClock, memoryLogger, tempDir, type TestStorage } from '../support/test-context.js';
import { APP_ID, CHANNEL_ID, PLACE, TEAM_ID } from './teams-harness.js';

/**
 * The real Teams adapter (CloudAdapter, bot, messenger) on port 0 with the Bot Connector and token issuer
 * stand-ins, like `startTeamsHarness`, but on a clock the test moves and with a scheduler that ticks only
 * when the test says: `tick()` runs one tick and waits until the outbox is drained. Nothing is sent between
 * ticks (a written intent waits for the next one), so a test sees exactly what each tick sent, with no
 * sleeps and no wall clock. `startServer` reads the system clock and ticks on cron; weeks-long schedules
 * (a step's date, the next scheduled round) need this instead.
 */
export interface ClockedTeamsHarness {
  readonly teams: TeamsStandIns;
  readonly ctx: ServiceContext;
  readonly clock: ManualClock;
  readonly storage: TestStorage;
  readonly members: readonly TeamsMember[];
  readonly admin: TeamsMember;
  readonly lead: TeamsMember;
  readonly lines: string[];
  send(activity: TeamsActivity | Record<string, unknown>): Promise<BotResponse>;
  say(user: TeamsUser, command: string, extra?: Partial<TeamsActivity>): Promise<BotResponse>;
  /** An Action.Execute click on a card in the team channel. */
  click(user: TeamsUser, verb: string, data: Record<string, unknown>, cardActivityId: string): Promise<BotResponse>;
  /** An Action.Execute click on a card in the user's 1:1 chat with the bot. */
  clickPrivately(user: TeamsUser, verb: string, data: Record<string, unknown>, cardActivityId: string): Promise<BotResponse>;
  /** The user's 1:1 chat with the bot, as the connector stand-in names it. */
  personalChat(user: TeamsUser): string;
  tick(): Promise<TickResult>;
  close(): Promise<void>;
}

export async function startClockedTeamsHarness(now: string): Promise<ClockedTeamsHarness> {
  const teams = await startTeamsStandIns({ appId: APP_ID });
  const members = makeTeamsMembers(8, { tenantId: teams.tenantId });
  const [admin, lead] = members as [TeamsMember, TeamsMember];
  teams.connector.setTeam(TEAM_ID, { name: 'Payments', channels: [{ id: CHANNEL_ID, name: 'payments' }] });
  teams.connector.setMembers(TEAM_ID, members, { tenantId: teams.tenantId });
  teams.connector.setMembers(CHANNEL_ID, members, { tenantId: teams.tenantId });
  const temp = tempDir('mp-teams-clocked-');
  const storage = await createTestStorage(temp.dir);
  const config = loadConfig({
    DATA_DIR: temp.dir,
    ...storage.env,
    SURVEYS_DIR: SURVEYS,
    PORT: '0',
    RESPONDENT_KEY_SECRET: 'respondent-secret-for-the-teams-tests-0123',
    ADMIN_TEAMS_AAD_OBJECT_IDS: admin.aadObjectId,
    ...teams.settings,
  });
  if (!config.ok || !config.config.teams) throw new Error(config.ok ? 'Teams is not configured' : config.problems.join('; '));
  const { log, lines } = memoryLogger();
  const clock = new ManualClock(new Date(now));
  const opened = await openContext(config.config, log, { target: storage.target, create: true, kind: 'live' });
  const ctx: ServiceContext = { ...opened, clock };
  const adapter = createTeamsAdapter({ ctx, config: config.config.teams, log, onAnswerRecorded: () => undefined, credentialsFactory: teams.credentials });
  const drainer = new OutboxDrainer(ctx, new Map<Platform, Messenger>([['teams', adapter.messenger]]));
  const scheduler = new Scheduler(ctx, drainer, { cronExpression: '0 0 1 1 *', leaseTtlMs: 60_000, retentionDays: config.config.retentionDays });
  const server: Server = createServer(adapter.requestListener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const botUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/messages`;
  const common = { appId: APP_ID, serviceUrl: teams.connector.serviceUrl, tenantId: teams.tenantId };
  const send = async (activity: TeamsActivity | Record<string, unknown>) => postActivity(botUrl, activity, await teams.channelToken());
  const personalChat = (user: TeamsUser) => teams.connector.personalConversationId(user.id);
  return {
    teams,
    ctx,
    clock,
    storage,
    members,
    admin,
    lead,
    lines,
    send,
    say: (user, command, extra = {}) => send({ ...channelMessage({ ...common, from: user, ...PLACE, command }), ...extra }),
    click: (user, verb, data, cardActivityId) => send(adaptiveCardAction({ ...common, from: user, place: PLACE, verb, data, cardActivityId })),
    clickPrivately: (user, verb, data, cardActivityId) => send(adaptiveCardAction({ ...common, from: user, conversationId: personalChat(user), verb, data, cardActivityId })),
    personalChat,
    tick: () => scheduler.tick(),
    close: async () => {
      await scheduler.stop();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await ctx.store.close();
      await teams.close();
      await storage.drop();
      temp.cleanup();
    },
  };
}
