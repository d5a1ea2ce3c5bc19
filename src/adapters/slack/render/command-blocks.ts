import type { CommandHelp } from '../../../core/chat-command.js';
import { WEEKDAYS } from '../../../core/team.js';
import type { TeamStatus } from '../../../services/chat-commands.js';
import type { RoleAssignment } from '../../../core/roles.js';
import { escapeMrkdwn, mention, slackDate } from '../mrkdwn.js';
import { actions, button, context, header, section, type Block } from './blocks.js';
import { forgetMeExplanation } from '../../text/reply-text.js';
import { ACTION } from './round-message.js';

export function helpBlocks(entries: readonly CommandHelp[], problem: string | null): Block[] {
  const lines = entries.map((entry) => `\`/maturity ${entry.usage}\` — ${escapeMrkdwn(entry.what)}\n      _e.g._ \`/maturity ${entry.example}\` · ${escapeMrkdwn(entry.who)}`);
  const half = Math.ceil(lines.length / 2);
  return [
    ...(problem ? [section(`:warning: ${escapeMrkdwn(problem)}`)] : []),
    header('Maturity pulse commands'),
    section(lines.slice(0, half).join('\n')),
    section(lines.slice(half).join('\n')),
    context('Answers are private: reports show totals only, from rounds with enough answers.'),
  ];
}

export function statusBlocks(status: TeamStatus): Block[] {
  const c = status.team.cadence;
  const cadence = `${c.everyWeeks === 1 ? 'Weekly' : 'Every two weeks'} on ${WEEKDAYS[c.weekday - 1] ?? ''} at ${c.localTime} (${c.timeZone}), open for ${c.roundLengthHours} hours`;
  const lines = [
    `*Survey:* ${escapeMrkdwn(status.surveyTitle)}`,
    `*Cadence:* ${escapeMrkdwn(cadence)}`,
    status.openRound ? `*Open round:* ${escapeMrkdwn(status.openRound.aspectName)}, ${status.openRound.respondents} answered, closes ${slackDate(status.openRound.closesAt)}` : '*Open round:* none',
    status.paused ? `*Paused* ${status.team.pausedUntil && status.team.pausedUntil < '9999' ? `until ${status.team.pausedUntil} (inclusive)` : 'until someone resumes it'}` : `*Next round:* ${status.nextRoundAt ? slackDate(status.nextRoundAt) : '—'}`,
    `*Leads:* ${status.leads.length > 0 ? status.leads.map((lead) => mention(lead.userId)).join(', ') : 'none yet — an admin can add one with `/maturity role add @person lead`'}`,
  ];
  return [header(status.team.name), section(lines.join('\n'))];
}

export function rolesBlocks(roles: readonly RoleAssignment[], teamName: string | null): Block[] {
  const byRole = (role: string) => roles.filter((assignment) => assignment.role === role).map((assignment) => mention(assignment.user.userId));
  const lines = [`*Admins:* ${byRole('admin').join(', ') || 'none stored (configured admins are not listed)'}`, `*PMs:* ${byRole('pm').join(', ') || 'none'}`];
  if (teamName) lines.push(`*Leads of ${escapeMrkdwn(teamName)}:* ${byRole('lead').join(', ') || 'none'}`);
  return [section(lines.join('\n'))];
}

export function teamChoiceBlocks(teams: readonly { id: number; name: string }[]): Block[] {
  const shown = teams.slice(0, 24);
  return [
    section('This channel is not a team. Pick a team to see its report:'),
    actions(shown.map((team) => button(team.name, `${ACTION.showReport}_${team.id}`, String(team.id)))),
    ...(teams.length > shown.length ? [context(`${teams.length - shown.length} more teams: run \`/maturity report\` in their channels.`)] : []),
  ];
}

export function forgetConfirmBlocks(): Block[] {
  return [
    section(forgetMeExplanation((text) => `*${text}*`)),
    actions([button('Erase my answers and comments', ACTION.forgetConfirm, 'confirm', { style: 'danger' })]),
  ];
}
