import type { NamedPerson, OutboundMessage } from '../../core/messenger.js';
import { WEEKDAYS } from '../../core/team.js';
import type { CommandReply, Refusal } from '../../services/chat-commands.js';
import type { TargetRow } from '../../services/target-service.js';
import { targetPhrase } from './figure-text.js';
import { stepName, stepSummaryLine } from './step-text.js';

function targetSource(row: TargetRow, style: Pick<TextStyle, 'text'>): string {
  const { target } = row;
  const level = `${style.text(target.name)} (${target.level})`;
  const overrides = row.overrides ? `, instead of the organisation's ${style.text(row.overrides.name)} (${row.overrides.level})` : '';
  switch (target.source) {
    case 'team':
      return `${level}, the team's own${target.reason ? `: “${style.text(target.reason)}”` : ''}${overrides}`;
    case 'organisation':
      return `${level}, the organisation's`;
    case 'survey':
      return `${level}, the survey's default`;
    case 'next':
      return 'none set: the next level';
  }
}

/** How a platform writes the few things sentences contain: a time each reader sees in their zone, a person, emphasis. */
export interface TextStyle {
  date(at: Date): string;
  /** A person: a Slack mention by id; elsewhere the name, from the roster at hand, else the one stored (`name`), else the id. */
  mention(userId: string, name?: string | null): string;
  bold(text: string): string;
  /** Text that came from people (a word they typed, a name they chose), made inert in the platform's markup. */
  text(plain: string): string;
}

export function refusalSentence(refusal: Refusal, style: TextStyle): string {
  switch (refusal.kind) {
    case 'not-allowed':
      return `Only ${refusal.who} can ${refusal.action}. Run report to see results, or ask one of them.`;
    case 'not-a-team-channel':
      return 'This channel is not a team yet. An admin can register it with setup.';
    case 'already-open':
      return `A round on ${style.text(refusal.aspectName)} is already open until ${style.date(refusal.closesAt)}. Close it first with close.`;
    case 'period-taken':
      return `This team already had its round this period; the next one can open from ${style.date(refusal.nextOpensAt)}.`;
    case 'unknown-aspect':
      return `There is no aspect "${style.text(refusal.aspectId)}" in this team's survey. Try one of: ${style.text(refusal.known.join(', '))}.`;
    case 'no-open-round':
      return 'There is no open round to close.';
    case 'close-too-early':
      return `This round can close early once ${refusal.needed} people have answered, or from ${style.date(refusal.allowedFrom)} (half its length); otherwise it closes on its own ${style.date(refusal.closesAt)}. Closing a small round right after a few people answered would make their answers easy to guess.`;
    case 'survey-missing':
      return `This team's survey "${style.text(refusal.surveyId)}" is missing from the surveys directory; ask an admin to restore it.`;
    case 'invalid':
      return style.text(refusal.problem);
  }
}

/** The one-sentence replies; structured replies (report, help, status, roles) each platform lays out itself. */
export function replySentence(reply: CommandReply, style: TextStyle): string | null {
  switch (reply.kind) {
    case 'refused':
      return refusalSentence(reply.refusal, style);
    case 'round-opened':
      return `Opened a round on ${style.bold(reply.aspectName)}; it closes ${style.date(reply.closesAt)}. It appears in the channel in a moment.`;
    case 'round-closed':
      return `Closed the round on ${style.bold(reply.aspectName)} with ${reply.respondents} answered; the result follows in its thread.`;
    case 'paused':
      return reply.until ? `Paused: no rounds until ${reply.until} (inclusive). Resume any time with resume.` : 'Paused until someone runs resume.';
    case 'resumed':
      return 'Resumed: rounds run on the usual schedule again.';
    case 'role-changed': {
      const who = style.mention(reply.userId);
      if (reply.action === 'add') return reply.changed ? `${who} is now ${reply.role === 'admin' ? 'an admin' : `a ${reply.role}`}.` : `${who} already was ${reply.role === 'admin' ? 'an admin' : `a ${reply.role}`}.`;
      return reply.changed ? `${who} is no longer ${reply.role === 'admin' ? 'an admin' : `a ${reply.role}`}.` : `${who} did not hold that role.`;
    }
    case 'digest-subscribed':
      return `This channel gets the weekly digest every ${WEEKDAYS[reply.weekday - 1] ?? 'week'} at ${reply.localTime} (${style.text(reply.timeZone)}); the next one arrives ${style.date(reply.nextAt)}. Everyone in this channel will see it: every team's levels, trends and movers, response rates and suggestions (never comments, and never anyone's answer), so keep it to a channel whose members may see all teams. Stop it with digest stop.`;
    case 'digest-stopped':
      return reply.existed ? 'This channel no longer gets the weekly digest.' : 'This channel was not getting the digest.';
    case 'nudges':
      return reply.on
        ? "Nudges are on: halfway through a round with too few answers, members who haven't answered get a private reminder."
        : 'Nudges are off: only the reminder in the round’s thread goes out.';
    case 'strategy':
      return reply.strategy === 'adaptive'
        ? 'Questions are now adaptive: each round asks about the aspect whose picture is stalest or least certain.'
        : 'Questions now rotate: each round asks about the least recently asked aspect.';
    case 'targets': {
      const whose = reply.scope === 'team' ? `Targets of ${style.bold(style.text(reply.teamName ?? ''))}` : "The organisation's targets";
      const lines = reply.surveys.flatMap((survey) => [`${whose} · ${style.text(survey.surveyTitle)}:`, ...survey.rows.map((row) => `• ${style.bold(style.text(row.aspectName))}: ${targetSource(row, style)}`)]);
      const how = reply.scope === 'team' ? 'Leads change one with target <aspect> <level> [reason], or remove it with target <aspect> none.' : 'PMs change one with target org <aspect> <level>, or remove it with target org <aspect> none.';
      return [...lines, how].join('\n');
    }
    case 'target-set': {
      const whose = reply.teamName === null ? `the organisation (${style.text(reply.surveyTitle)})` : style.bold(style.text(reply.teamName));
      const applies = targetPhrase(reply.target, reply.standing?.standing.toGo ?? 0, { escape: style.text }).replace(/: \d+\.\d to go$/, '');
      const head = reply.cleared ? `Removed the ${style.text(reply.aspectName)} target of ${whose}; what applies now: ${applies}.` : `${style.text(reply.aspectName)} target for ${whose}: ${style.text(reply.target.name)} (${reply.target.level}).`;
      const now = reply.standing ? ` Now ${reply.standing.value.toFixed(1)}: ${reply.standing.standing.onTarget ? 'on target, so the report suggests nothing more for it' : `${reply.standing.standing.toGo.toFixed(1)} to go`}.` : '';
      const teams = reply.teamName === null && !reply.cleared ? ' It applies to every team on the survey that has not set its own.' : '';
      return `${head}${now}${teams}`;
    }
    case 'steps': {
      if (reply.aspects.length === 0) return `${style.bold(style.text(reply.teamName))} has no next steps yet. Leads adopt one with “We'll do this” under a report's suggestions, or with step add <aspect> <what>.`;
      const lines = reply.aspects.flatMap((aspect) => [`${style.bold(style.text(aspect.aspectName))}`, ...aspect.steps.map((step) => `• ${stepSummaryLine(step, style)}`)]);
      return [`Next steps of ${style.bold(style.text(reply.teamName))}:`, ...lines, ...(reply.dropped > 0 ? [`(${reply.dropped} dropped, not listed)`] : []), 'Close one with step done|still|drop <number>.'].join('\n');
    }
    case 'step-adopted':
      if (reply.already) return `${stepName(reply.step, style)} is already one of the team's open steps for ${style.text(reply.aspectName)}, due ${style.date(reply.step.dueAt)}.`;
      return `Adopted for ${style.bold(style.text(reply.aspectName))}: ${stepName(reply.step, style)}, due ${style.date(reply.step.dueAt)}. The channel is told once${reply.ownerAsked ? `; ${style.mention(reply.ownerAsked)} is asked privately to own it` : ''}.`;
    case 'step-owner-asked':
      return `${style.mention(reply.ownerUserId)} is asked privately to own ${stepName(reply.step, style)}; they are named as its owner only if they accept.`;
    case 'step-closed':
      if (reply.already) return `${stepName(reply.step, style)} is already ${reply.step.status}.`;
      return reply.answer === 'still-on-it' ? `${stepName(reply.step, style)} is now due ${style.date(reply.step.dueAt)}.` : reply.answer === 'done' ? `Marked done: ${stepName(reply.step, style)}. The next round asks about its aspect, so its effect shows soon.` : `Dropped: ${stepName(reply.step, style)}.`;
    case 'team-choice':
      return reply.teams.length === 0 ? 'This channel is not a team, and there is no team whose report you may see.' : null;
    case 'help':
      return reply.problem === null ? null : style.text(reply.problem);
    case 'report':
    case 'status':
    case 'roles':
    case 'open-setup':
    case 'confirm-forget':
    case 'digest':
      return null;
  }
}

/**
 * What forget-me reaches, said before and after: comments of closed rounds lost their key at close, so
 * they are anonymous text it cannot find (and no report changes in a way that would point at the person).
 */
const FORGET_ME_LIMITS =
  'Comments on closed rounds became anonymous when their round closed: nothing ties them to you any more, so they stay, as do team results already published (anonymous totals).';

export function forgetMeExplanation(bold: (text: string) => string): string {
  return `This erases ${bold('all your answers, and your comments on rounds still open')}, in every team, for good. ${FORGET_ME_LIMITS}`;
}

/** The channel's announcement of a lead change; `person` writes a name the platform's way. */
export function roleChangeAnnouncement(message: Extract<OutboundMessage, { kind: 'role-change' }>, person: (who: NamedPerson) => string, style: Pick<TextStyle, 'bold' | 'text'>): string {
  const team = style.bold(message.teamName);
  const role = message.role === 'admin' ? 'an admin' : `a ${message.role}`;
  if (message.action === 'remove') return `${person(message.subject)} is no longer ${role} of ${team} (changed by ${person(message.by)}).`;
  return `${person(message.subject)} is now ${role} of ${team} (set by ${person(message.by)}). Leads open and close rounds and read this team's comments, which never carry names.`;
}

export function forgottenSentence(removed: { answers: number; comments: number }): string {
  return `Done: erased ${removed.answers} answer${removed.answers === 1 ? '' : 's'} and ${removed.comments} comment${removed.comments === 1 ? '' : 's'}. ${FORGET_ME_LIMITS}`;
}
