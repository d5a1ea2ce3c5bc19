import { sql } from 'drizzle-orm';
import { boolean, check, index, integer, jsonb, pgTable, primaryKey, text, timestamp as pgTimestamp, uniqueIndex } from 'drizzle-orm/pg-core';

/**
 * The whole database. Uniqueness here carries the invariants that matter (one answer per respondent per
 * round, one round per team per period, one open round per team, one delivery per target + period +
 * kind), so a retry or a second process is harmless by construction.
 *
 * The PostgreSQL twin of ../sqlite/schema.ts: the same tables, SQL names, property names, defaults,
 * indexes, checks and foreign keys (test/storage/schema-parity.test.ts holds them together). Ids are
 * identity columns generated *by default*, so a copy from SQLite can insert its explicit ids (and then
 * resets the sequences); times are millisecond `timestamptz`, like SQLite's `timestamp_ms` integers.
 */

const timestamp = (name: string) => pgTimestamp(name, { withTimezone: true, mode: 'date', precision: 3 });
const id = () => integer('id').primaryKey().generatedByDefaultAsIdentity();

export const meta = pgTable('meta', {
  key: text('key').primaryKey(),
  value: text('value').notNull(),
});

export const teams = pgTable(
  'teams',
  {
    id: id(),
    name: text('name').notNull(),
    nameKey: text('name_key').notNull(),
    platform: text('platform').notNull(),
    workspaceId: text('workspace_id').notNull(),
    channelId: text('channel_id').notNull(),
    /**
     * The Slack Enterprise Grid organisation the channel belongs to (null elsewhere): a channel shared
     * between its workspaces keeps its id, and people there are one respondent under the organisation.
     */
    organisationId: text('organisation_id'),
    surveyId: text('survey_id').notNull(),
    everyWeeks: integer('every_weeks').notNull(),
    weekday: integer('weekday').notNull(),
    localTime: text('local_time').notNull(),
    timeZone: text('time_zone').notNull(),
    roundLengthHours: integer('round_length_hours').notNull(),
    anchorWeek: text('anchor_week').notNull(),
    pausedUntil: text('paused_until'),
    questionStrategy: text('question_strategy').notNull().default('rotation'),
    isDemo: boolean('is_demo').notNull().default(false),
    /** Opt-in private nudges to channel members who have not answered a round yet. */
    nudgeNonRespondents: boolean('nudge_non_respondents').notNull().default(false),
    /** People in the team's channel when its last round was posted (bots left out), for response rates. */
    memberCount: integer('member_count'),
    /** When the scheduler should next look at this team; null until set up for scheduling. */
    nextRoundCheckAt: timestamp('next_round_check_at'),
    createdAt: timestamp('created_at').notNull(),
  },
  (t) => [
    uniqueIndex('teams_name_key_unique').on(t.nameKey),
    index('teams_next_round_check').on(t.nextRoundCheckAt),
    uniqueIndex('teams_channel_unique').on(t.platform, t.workspaceId, t.channelId),
    check('teams_every_weeks_check', sql`${t.everyWeeks} in (1, 2)`),
    check('teams_weekday_check', sql`${t.weekday} between 1 and 7`),
  ],
);

export const rounds = pgTable(
  'rounds',
  {
    id: id(),
    teamId: integer('team_id')
      .notNull()
      .references(() => teams.id, { onDelete: 'cascade' }),
    surveyId: text('survey_id').notNull(),
    surveyHash: text('survey_hash').notNull(),
    aspectId: text('aspect_id').notNull(),
    questionId: text('question_id').notNull(),
    /** The question snapshot (prompt, options and their levels) as asked. */
    question: jsonb('question').notNull(),
    periodKey: text('period_key').notNull(),
    origin: text('origin').notNull(),
    status: text('status').notNull(),
    openedAt: timestamp('opened_at').notNull(),
    closesAt: timestamp('closes_at').notNull(),
    closedAt: timestamp('closed_at'),
    /** The anonymous tally, frozen at close: all that figures are computed from. */
    respondents: integer('respondents'),
    unknownCount: integer('unknown_count'),
    levelCounts: jsonb('level_counts'),
  },
  (t) => [
    uniqueIndex('rounds_team_period_unique').on(t.teamId, t.periodKey),
    uniqueIndex('rounds_one_open_per_team').on(t.teamId).where(sql`status = 'open'`),
    index('rounds_due').on(t.status, t.closesAt),
    index('rounds_team_closed').on(t.teamId, t.surveyId, t.closedAt),
    check('rounds_status_check', sql`${t.status} in ('open', 'closed')`),
  ],
);

export const answers = pgTable(
  'answers',
  {
    roundId: integer('round_id')
      .notNull()
      .references(() => rounds.id, { onDelete: 'cascade' }),
    respondentKey: text('respondent_key').notNull(),
    optionId: text('option_id').notNull(),
    level: integer('level'),
    firstAnsweredAt: timestamp('first_answered_at').notNull(),
    answeredAt: timestamp('answered_at').notNull(),
    changes: integer('changes').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.roundId, t.respondentKey] }), index('answers_respondent').on(t.respondentKey)],
);

/**
 * Comments. While a round is open a comment carries its author's respondent key (so they can change it);
 * when the round closes the key is dropped and the times are set to the close, so the comments leads read
 * are anonymous text that nothing, forget-me included, can tie back to a person.
 */
export const comments = pgTable(
  'comments',
  {
    id: id(),
    roundId: integer('round_id')
      .notNull()
      .references(() => rounds.id, { onDelete: 'cascade' }),
    /** Null once the round has closed. */
    respondentKey: text('respondent_key'),
    text: text('text').notNull(),
    createdAt: timestamp('created_at').notNull(),
    updatedAt: timestamp('updated_at').notNull(),
  },
  // Null keys never collide (PostgreSQL's default NULLS DISTINCT, as in SQLite), so a closed round holds
  // any number of anonymous comments.
  (t) => [uniqueIndex('comments_round_respondent_unique').on(t.roundId, t.respondentKey), index('comments_respondent').on(t.respondentKey)],
);

/** Raw user ids live here and in the audit log only: roles must name the person they apply to. */
export const roles = pgTable(
  'roles',
  {
    id: id(),
    platform: text('platform').notNull(),
    workspaceId: text('workspace_id').notNull(),
    userId: text('user_id').notNull(),
    role: text('role').notNull(),
    teamId: integer('team_id').references(() => teams.id, { onDelete: 'cascade' }),
    grantedBy: text('granted_by').notNull(),
    grantedAt: timestamp('granted_at').notNull(),
  },
  (t) => [
    uniqueIndex('roles_org_unique').on(t.platform, t.workspaceId, t.userId, t.role).where(sql`team_id is null`),
    uniqueIndex('roles_team_unique').on(t.platform, t.workspaceId, t.userId, t.role, t.teamId).where(sql`team_id is not null`),
    check('roles_role_check', sql`${t.role} in ('admin', 'pm', 'lead')`),
    check('roles_lead_scope_check', sql`(${t.role} = 'lead') = (${t.teamId} is not null)`),
  ],
);

export const auditLog = pgTable(
  'audit_log',
  {
    id: id(),
    at: timestamp('at').notNull(),
    actorPlatform: text('actor_platform').notNull(),
    actorWorkspaceId: text('actor_workspace_id').notNull(),
    actorUserId: text('actor_user_id').notNull(),
    action: text('action').notNull(),
    /** Kept as text, not a foreign key, so the record outlives a deleted team. */
    teamName: text('team_name'),
    details: jsonb('details').notNull(),
  },
  (t) => [index('audit_log_at').on(t.at)],
);

export const deliveries = pgTable(
  'deliveries',
  {
    id: id(),
    kind: text('kind').notNull(),
    platform: text('platform').notNull(),
    workspaceId: text('workspace_id').notNull(),
    channelId: text('channel_id').notNull(),
    periodKey: text('period_key').notNull(),
    payload: jsonb('payload').notNull(),
    status: text('status').notNull(),
    attempts: integer('attempts').notNull().default(0),
    resends: integer('resends').notNull().default(0),
    nextAttemptAt: timestamp('next_attempt_at').notNull(),
    messageRef: text('message_ref'),
    lastError: text('last_error'),
    teamId: integer('team_id').references(() => teams.id, { onDelete: 'cascade' }),
    roundId: integer('round_id').references(() => rounds.id, { onDelete: 'cascade' }),
    createdAt: timestamp('created_at').notNull(),
    sentAt: timestamp('sent_at'),
  },
  (t) => [
    uniqueIndex('deliveries_target_period_kind_unique').on(t.platform, t.workspaceId, t.channelId, t.periodKey, t.kind),
    index('deliveries_due').on(t.status, t.nextAttemptAt),
    index('deliveries_round_kind').on(t.roundId, t.kind),
    check('deliveries_status_check', sql`${t.status} in ('pending', 'claimed', 'sending', 'sent', 'failed', 'cancelled')`),
  ],
);

/** One row per lease name; whoever holds an unexpired lease runs the tick. */
export const leases = pgTable('leases', {
  name: text('name').primaryKey(),
  holder: text('holder').notNull(),
  acquiredAt: timestamp('acquired_at').notNull(),
  expiresAt: timestamp('expires_at').notNull(),
  /**
   * The fencing token: raised each time the lease changes hands. Writes made under the lease check it in
   * their own transaction, so a holder that lost the lease (paused, partitioned) can no longer write.
   */
  token: integer('token').notNull().default(0),
});

/** Platform events already handled, so a redelivered event (Slack retries, Teams resends) changes nothing. */
export const processedEvents = pgTable(
  'processed_events',
  {
    source: text('source').notNull(),
    eventId: text('event_id').notNull(),
    receivedAt: timestamp('received_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.source, t.eventId] }), index('processed_events_received').on(t.receivedAt)],
);

/** Channels that receive the weekly digest, each on its own weekday and time. */
export const digestSubscriptions = pgTable(
  'digest_subscriptions',
  {
    id: id(),
    platform: text('platform').notNull(),
    workspaceId: text('workspace_id').notNull(),
    channelId: text('channel_id').notNull(),
    weekday: integer('weekday').notNull(),
    localTime: text('local_time').notNull(),
    timeZone: text('time_zone').notNull(),
    // Who subscribed is in the audit log; raw user ids live only there and in roles.
    createdAt: timestamp('created_at').notNull(),
    nextDigestAt: timestamp('next_digest_at').notNull(),
  },
  (t) => [uniqueIndex('digest_subscriptions_channel_unique').on(t.platform, t.workspaceId, t.channelId), index('digest_subscriptions_next').on(t.nextDigestAt), check('digest_subscriptions_weekday_check', sql`${t.weekday} between 1 and 7`)],
);

/**
 * Where the bot can reach a Teams conversation proactively: the conversation reference as Teams gave it,
 * stored at conversation level (never the user who happened to send the activity), kept across restarts.
 */
export const teamsConversations = pgTable(
  'teams_conversations',
  {
    id: id(),
    tenantId: text('tenant_id').notNull(),
    conversationId: text('conversation_id').notNull(),
    conversationType: text('conversation_type').notNull(),
    /** The Microsoft Teams team a channel belongs to, for installation and removal events. */
    msTeamId: text('ms_team_id'),
    /** For personal (1:1) conversations: whose chat with the bot this is, as a contact key (never the raw id). */
    userKey: text('user_key'),
    serviceUrl: text('service_url').notNull(),
    reference: jsonb('reference').notNull(),
    installed: boolean('installed').notNull().default(true),
    updatedAt: timestamp('updated_at').notNull(),
  },
  (t) => [
    uniqueIndex('teams_conversations_unique').on(t.tenantId, t.conversationId),
    index('teams_conversations_personal').on(t.tenantId, t.userKey),
    index('teams_conversations_team').on(t.msTeamId),
  ],
);

/**
 * Personal access tokens for the web API. Only the SHA-256 of a token is stored (its unique index is how a
 * request finds it), with its first characters for display. A token acts with its owner's current roles,
 * so the owner's raw id is kept here, as in roles: it must name the person whose roles apply.
 */
export const accessTokens = pgTable(
  'access_tokens',
  {
    id: id(),
    platform: text('platform').notNull(),
    workspaceId: text('workspace_id').notNull(),
    userId: text('user_id').notNull(),
    name: text('name').notNull(),
    tokenHash: text('token_hash').notNull(),
    prefix: text('prefix').notNull(),
    createdAt: timestamp('created_at').notNull(),
    expiresAt: timestamp('expires_at').notNull(),
    lastUsedAt: timestamp('last_used_at'),
    revokedAt: timestamp('revoked_at'),
  },
  (t) => [
    uniqueIndex('access_tokens_hash_unique').on(t.tokenHash),
    index('access_tokens_owner').on(t.platform, t.workspaceId, t.userId),
    // length() counts characters on both engines (SQLite: code points of text; PostgreSQL: characters).
    check('access_tokens_name_check', sql`length(${t.name}) between 1 and 80`),
  ],
);

/**
 * Target levels per aspect: the organisation's (team_id null, set by a PM or admin) or one team's (set by
 * its leads). One per survey + aspect + scope: the partial unique indexes make a second setter an update.
 */
export const targets = pgTable(
  'targets',
  {
    id: id(),
    surveyId: text('survey_id').notNull(),
    aspectId: text('aspect_id').notNull(),
    /** Null for the organisation's target. */
    teamId: integer('team_id').references(() => teams.id, { onDelete: 'cascade' }),
    level: integer('level').notNull(),
    reason: text('reason'),
    setAt: timestamp('set_at').notNull(),
  },
  (t) => [
    uniqueIndex('targets_org_unique').on(t.surveyId, t.aspectId).where(sql`team_id is null`),
    uniqueIndex('targets_team_unique').on(t.surveyId, t.aspectId, t.teamId).where(sql`team_id is not null`),
    check('targets_level_check', sql`${t.level} >= 1`),
  ],
);

/**
 * Next steps a team adopted. The owner is a person who agreed to own the step, so their raw id is kept
 * here, as in roles; it says nothing about who answered what.
 */
export const nextSteps = pgTable(
  'next_steps',
  {
    id: id(),
    teamId: integer('team_id')
      .notNull()
      .references(() => teams.id, { onDelete: 'cascade' }),
    surveyId: text('survey_id').notNull(),
    aspectId: text('aspect_id').notNull(),
    /** The survey suggestion it came from; null for a lead's own step. */
    suggestionId: text('suggestion_id'),
    text: text('text').notNull(),
    ownerPlatform: text('owner_platform'),
    ownerWorkspaceId: text('owner_workspace_id'),
    ownerUserId: text('owner_user_id'),
    ownerStatus: text('owner_status'),
    /** The name the owner goes by, as their platform gave it when they were named or accepted (Teams ids are not readable). */
    ownerName: text('owner_name'),
    status: text('status').notNull(),
    adoptedAt: timestamp('adopted_at').notNull(),
    dueAt: timestamp('due_at').notNull(),
    closedAt: timestamp('closed_at'),
    lastCheckInAt: timestamp('last_check_in_at'),
  },
  (t) => [
    index('next_steps_team_status').on(t.teamId, t.status),
    index('next_steps_due').on(t.status, t.dueAt),
    index('next_steps_last_check_in').on(t.lastCheckInAt),
    check('next_steps_status_check', sql`${t.status} in ('open', 'done', 'dropped')`),
    check('next_steps_owner_status_check', sql`${t.ownerStatus} is null or ${t.ownerStatus} in ('asked', 'accepted', 'declined')`),
    // An owner is a whole person or nobody.
    check('next_steps_owner_check', sql`(${t.ownerPlatform} is null) = (${t.ownerWorkspaceId} is null) and (${t.ownerWorkspaceId} is null) = (${t.ownerUserId} is null)`),
  ],
);
