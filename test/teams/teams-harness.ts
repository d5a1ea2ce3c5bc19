import { loadConfig } from '../../src/config.js';
import { startServer, type RunningServer, type ServerOverrides } from '../../src/main.js';
import { SURVEYS } from '../support/processes.js';
import { adaptiveCardAction, channelMessage, postActivity, type BotResponse, type ChannelPlace, type TeamsActivity, type TeamsUser } from '../support/teams-activities.js';
import { makeTeamsMembers, type TeamsMember } from '../support/teams-connector-state.js';
import { startTeamsStandIns, type TeamsStandIns } from '../support/teams-stand-ins.js';
import { createTestStorage, memoryLogger, tempDir, type TestStorage } from '../support/test-context.js';

export const APP_ID = '11111111-2222-4333-8444-555555555555';
export const TEAM_ID = '19:team-general@thread.tacv2';
export const CHANNEL_ID = '19:payments-channel@thread.tacv2';
export const PLACE: ChannelPlace = { teamId: TEAM_ID, channelId: CHANNEL_ID, teamName: 'Payments' };

export interface TeamsHarness {
  readonly teams: TeamsStandIns;
  readonly server: RunningServer;
  /** The storage the app runs on (this project's engine), fresh for this harness. */
  readonly storage: TestStorage;
  readonly botUrl: string;
  readonly members: readonly TeamsMember[];
  readonly admin: TeamsMember;
  readonly lead: TeamsMember;
  readonly lines: string[];
  send(activity: TeamsActivity | Record<string, unknown>, token?: string | null): Promise<BotResponse>;
  say(user: TeamsUser, command: string, extra?: Partial<TeamsActivity>): Promise<BotResponse>;
  click(user: TeamsUser, verb: string, data: Record<string, unknown>, cardActivityId: string): Promise<BotResponse>;
  /** The invoke a click sends, with its own activity id, to send (and re-send, as Teams does) with `send`. */
  clickActivity(user: TeamsUser, verb: string, data: Record<string, unknown>, cardActivityId: string, place?: ChannelPlace): TeamsActivity;
  /** An @mention command in another channel than PLACE. */
  sayIn(place: ChannelPlace, user: TeamsUser, command: string): Promise<BotResponse>;
  close(): Promise<void>;
}

/** The real app on port 0 with Teams connected to a local token issuer and Bot Connector stand-in (and whatever `overrides` adds, such as a sign-in provider's transport). */
export async function startTeamsHarness(extraEnv: Record<string, string> = {}, overrides: Omit<ServerOverrides, 'teamsCredentialsFactory'> = {}): Promise<TeamsHarness> {
  const teams = await startTeamsStandIns({ appId: APP_ID });
  const members = makeTeamsMembers(8, { tenantId: teams.tenantId });
  const [admin, lead] = members as [TeamsMember, TeamsMember];
  teams.connector.setTeam(TEAM_ID, { name: 'Payments', channels: [{ id: CHANNEL_ID, name: 'payments' }] });
  teams.connector.setMembers(TEAM_ID, members, { tenantId: teams.tenantId });
  teams.connector.setMembers(CHANNEL_ID, members, { tenantId: teams.tenantId });
  const temp = tempDir('mp-teams-');
  const storage = await createTestStorage(temp.dir);
  const config = loadConfig({
    DATA_DIR: temp.dir,
    ...storage.env,
    SURVEYS_DIR: SURVEYS,
    PORT: '0',
    RESPONDENT_KEY_SECRET: 'respondent-secret-for-the-teams-tests-0123',
    TICK_CRON: '* * * * * *',
    ADMIN_TEAMS_AAD_OBJECT_IDS: admin.aadObjectId,
    ...teams.settings,
    ...extraEnv,
  });
  if (!config.ok) throw new Error(config.problems.join('; '));
  const { log, lines } = memoryLogger();
  const server = await startServer(config.config, log, () => undefined, { ...overrides, teamsCredentialsFactory: teams.credentials });
  const botUrl = `http://127.0.0.1:${server.port}/api/messages`;
  const common = { appId: APP_ID, serviceUrl: teams.connector.serviceUrl, tenantId: teams.tenantId };
  const send = async (activity: TeamsActivity | Record<string, unknown>, token?: string | null) => postActivity(botUrl, activity, token === undefined ? await teams.channelToken() : token);
  return {
    teams,
    server,
    storage,
    botUrl,
    members,
    admin,
    lead,
    lines,
    send,
    say: (user, command, extra = {}) => send({ ...channelMessage({ ...common, from: user, ...PLACE, command }), ...extra }),
    click: (user, verb, data, cardActivityId) => send(adaptiveCardAction({ ...common, from: user, place: PLACE, verb, data, cardActivityId })),
    clickActivity: (user, verb, data, cardActivityId, place = PLACE) => adaptiveCardAction({ ...common, from: user, place, verb, data, cardActivityId }),
    sayIn: (place, user, command) => send(channelMessage({ ...common, from: user, ...place, command })),
    close: async () => {
      await server.stop();
      await teams.close();
      await storage.drop();
      temp.cleanup();
    },
  };
}

/** The text of every TextBlock and fact in a card (or anything card-like), for assertions. */
export function cardText(value: unknown): string {
  return JSON.stringify(value ?? null);
}
