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
  readonly workspaceId: string;
  readonly userId: string;
}

export function sameChannel(a: ChannelRef, b: ChannelRef): boolean {
  return a.platform === b.platform && a.workspaceId === b.workspaceId && a.channelId === b.channelId;
}

export function isPlatform(value: string): value is Platform {
  return (PLATFORMS as readonly string[]).includes(value);
}
