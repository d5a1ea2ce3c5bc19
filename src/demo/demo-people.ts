import type { ChannelRef, UserRef } from '../core/platform.js';
import type { RoleGrant } from '../core/roles.js';
import type { ChannelPeople } from '../services/step-board-service.js';
import { DEMO_WORKSPACE, demoChannelId } from './demo-organisation.js';

/** Someone of the demo organisation a newcomer can sign in to the dashboard as. */
export interface DemoPerson {
  readonly key: string;
  readonly name: string;
  readonly description: string;
  readonly person: UserRef;
  /** Roles by team name (a lead's team) or organisation-wide. */
  readonly roles: readonly { readonly role: RoleGrant['role']; readonly teamName: string | null }[];
}

const demoUser = (userId: string): UserRef => ({ platform: 'demo', workspaceId: DEMO_WORKSPACE, userId });

/**
 * One person per way of seeing the dashboard. The engineer's user id follows the seeded members' pattern
 * (`#payments-member-1`), so they are a member of the Payments channel like the people who answered there.
 */
export const DEMO_PEOPLE: readonly DemoPerson[] = [
  { key: 'pm', name: 'Priya (platform PM)', description: 'sees every team, the organisation heatmap and the digests', person: demoUser('demo-pm'), roles: [{ role: 'pm', teamName: null }] },
  { key: 'lead', name: 'Lars (lead of Payments)', description: "sees Payments' levels, trends and comments", person: demoUser('demo-lead-payments'), roles: [{ role: 'lead', teamName: 'Payments' }] },
  { key: 'engineer', name: 'Emma (engineer in Payments)', description: "sees Payments' levels and her own answers", person: demoUser('#payments-member-1'), roles: [] },
  { key: 'admin', name: 'Ada (admin)', description: 'sees every team and manages API tokens, but no comments', person: demoUser('demo-admin'), roles: [{ role: 'admin', teamName: null }] },
];

/** The demo channels a demo person is in: seeded members belong to the channel their id names. */
export function demoChannelsOf(person: UserRef): ReadonlySet<string> {
  const channel = /^(#[a-z0-9-]+)-member-\d+$/.exec(person.userId)?.[1];
  return new Set(channel ? [channel] : []);
}

/** Names of a demo channel's first seeded members (every demo team has at least four); member 2 owns the seeded steps. */
const MEMBER_NAMES = ['Sam', 'Alex', 'Robin', 'Kim'];

/**
 * The people of a demo channel, as the dashboard's owner picker lists them: its first seeded members, by
 * name (a demo person's own, where one of them is that member: Emma in Payments), and the demo people who
 * lead the channel's team (Lars in Payments). Null for any other platform's channel.
 */
export function demoChannelPeople(channel: ChannelRef): ChannelPeople | null {
  if (channel.platform !== 'demo') return null;
  const firstName = (demo: DemoPerson) => demo.name.replace(/ \(.*$/, '');
  const members = MEMBER_NAMES.map((name, index) => {
    const userId = `${channel.channelId}-member-${index + 1}`;
    const demo = DEMO_PEOPLE.find((candidate) => candidate.person.userId === userId);
    return { userId, name: demo ? firstName(demo) : name };
  });
  const leads = DEMO_PEOPLE.filter((demo) => demo.roles.some((role) => role.role === 'lead' && role.teamName !== null && demoChannelId(role.teamName) === channel.channelId));
  return { people: [...members, ...leads.map((demo) => ({ userId: demo.person.userId, name: firstName(demo) }))], incomplete: null };
}
