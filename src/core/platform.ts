/** The chat platforms a team can live on. `demo` is the built-in simulated organisation. */
export const PLATFORMS = ['slack', 'teams', 'demo'] as const;
export type Platform = (typeof PLATFORMS)[number];

/** One chat channel: the unit a team is bound to and a delivery is addressed to. */
export interface ChannelRef {
  readonly platform: Platform;
  /** Slack workspace (team) id or Teams tenant id. */
  readonly workspaceId: string;
  readonly channelId: string;
}

/** A person as the platform knows them. Raw ids only travel inward to be hashed or role-checked. */
export interface UserRef {
  readonly platform: Platform;
  /** Where the user id is unique: a Slack workspace, or its Enterprise Grid organisation; a Teams tenant. */
  readonly workspaceId: string;
  readonly userId: string;
}

/** The same person: same platform, same workspace (or organisation), same user id. */
export function samePerson(a: UserRef, b: UserRef): boolean {
  return a.platform === b.platform && a.workspaceId === b.workspaceId && a.userId === b.userId;
}

export function sameChannel(a: ChannelRef, b: ChannelRef): boolean {
  return a.platform === b.platform && a.workspaceId === b.workspaceId && a.channelId === b.channelId;
}

/** Where a signed click or command came from, as the platform said: the channel, and the Slack Enterprise Grid organisation if any. */
export interface Origin {
  readonly channel: ChannelRef;
  readonly organisationId: string | null;
}

/**
 * Whether a click came from a team's own channel. Round ids are sequential, so a click naming a round
 * must be checked against where it was made, or anyone could answer any team's round from anywhere. A
 * channel shared between the workspaces of one Enterprise Grid organisation keeps its id while the
 * workspace differs, so within the team's organisation the channel id alone decides.
 */
export function isFromTeamChannel(team: { readonly channel: ChannelRef; readonly organisationId: string | null }, origin: Origin): boolean {
  if (sameChannel(team.channel, origin.channel)) return true;
  return (
    team.organisationId !== null &&
    team.organisationId === origin.organisationId &&
    team.channel.platform === origin.channel.platform &&
    team.channel.channelId === origin.channel.channelId
  );
}

/**
 * The scope people of a team's channel are keyed in (a respondent key is per platform, scope and user):
 * the Enterprise Grid organisation when there is one, whose user ids are unique across its workspaces, so
 * a person is one respondent in every workspace of it; otherwise the workspace or tenant.
 */
export function memberScope(team: { readonly channel: ChannelRef; readonly organisationId: string | null }): string {
  return team.organisationId ?? team.channel.workspaceId;
}

export function isPlatform(value: string): value is Platform {
  return (PLATFORMS as readonly string[]).includes(value);
}
