import type { CommandHelp } from '../../../core/chat-command.js';
import { WEEKDAYS } from '../../../core/team.js';
import type { TeamStatus } from '../../../services/chat-commands.js';
import type { RoleAssignment } from '../../../core/roles.js';
import { actionSet, card, cardDate, escapeMarkdown, execute, facts, text, type AdaptiveCard } from './elements.js';
import { forgetMeExplanation } from '../../text/reply-text.js';
import { VERB } from './round-card.js';

export function helpCard(entries: readonly CommandHelp[], problem: string | null): AdaptiveCard {
  return card([
    ...(problem ? [text(`⚠️ ${escapeMarkdown(problem)}`, { color: 'Warning' as const })] : []),
    text('Maturity pulse commands (mention the bot, then the command)', { weight: 'Bolder', size: 'Medium' }),
    text(entries.map((entry) => `- **${escapeMarkdown(entry.usage)}** — ${escapeMarkdown(entry.what)}. _e.g._ ${escapeMarkdown(entry.example)} · ${escapeMarkdown(entry.who)}`).join('\n')),
    text('Answers are private: reports show totals only, from rounds with enough answers.', { isSubtle: true, size: 'Small' }),
  ]);
}

export function statusCard(status: TeamStatus, leadNames: readonly string[]): AdaptiveCard {
  const c = status.team.cadence;
  return card([
    text(escapeMarkdown(status.team.name), { weight: 'Bolder', size: 'Medium' }),
    facts([
      { title: 'Survey', value: status.surveyTitle },
      { title: 'Cadence', value: `${c.everyWeeks === 1 ? 'Weekly' : 'Every two weeks'} on ${WEEKDAYS[c.weekday - 1] ?? ''} at ${c.localTime} (${c.timeZone}), open ${c.roundLengthHours} h` },
      { title: 'Open round', value: status.openRound ? `${status.openRound.aspectName}, ${status.openRound.respondents} answered, closes ${cardDate(status.openRound.closesAt)}` : 'none' },
      status.paused ? { title: 'Paused', value: status.team.pausedUntil && status.team.pausedUntil < '9999' ? `until ${status.team.pausedUntil} (inclusive)` : 'until someone resumes it' } : { title: 'Next round', value: status.nextRoundAt ? cardDate(status.nextRoundAt) : '—' },
      { title: 'Leads', value: leadNames.length > 0 ? leadNames.join(', ') : 'none yet' },
    ]),
  ]);
}

export function rolesCard(roles: readonly RoleAssignment[], names: ReadonlyMap<string, string>, teamName: string | null): AdaptiveCard {
  const list = (role: string) => roles.filter((assignment) => assignment.role === role).map((assignment) => names.get(assignment.user.userId) ?? assignment.user.userId).join(', ');
  return card([
    facts([
      { title: 'Admins', value: list('admin') || 'none stored (configured admins are not listed)' },
      { title: 'PMs', value: list('pm') || 'none' },
      ...(teamName ? [{ title: `Leads of ${teamName}`, value: list('lead') || 'none' }] : []),
    ]),
  ]);
}

/** Teams shows at most 6 buttons in a row, so teams are offered in a searchable list with one button. */
export const MAX_TEAM_CHOICES = 100;

export function teamChoiceCard(teams: readonly { id: number; name: string }[]): AdaptiveCard {
  const shown = teams.slice(0, MAX_TEAM_CHOICES);
  return card([
    text('This conversation is not a team. Pick a team to see its report:'),
    {
      type: 'Input.ChoiceSet',
      id: 'teamId',
      label: 'Team',
      style: 'filtered',
      isRequired: true,
      errorMessage: 'Pick a team.',
      choices: shown.map((team) => ({ title: team.name, value: String(team.id) })),
      value: shown[0] ? String(shown[0].id) : '',
    },
    ...(teams.length > shown.length ? [text(`Showing the first ${MAX_TEAM_CHOICES} of ${teams.length} teams; run report in a team's own channel for any other.`, { isSubtle: true, size: 'Small' })] : []),
    actionSet([execute('Show report', VERB.showReport, {})]),
  ]);
}

export function forgetConfirmCard(): AdaptiveCard {
  return card([
    text(forgetMeExplanation((value) => `**${value}**`)),
    actionSet([execute('Erase my answers and comments', VERB.forgetConfirm, {}, { style: 'destructive' })]),
  ]);
}

/** A plain sentence as a card, so every reply renders the same way. */
export function sentenceCard(sentence: string, tone: 'info' | 'warning' = 'info'): AdaptiveCard {
  return card([text(sentence, tone === 'warning' ? { color: 'Warning' } : {})]);
}

export interface SetupFormValues {
  readonly name?: string;
  readonly surveyId?: string;
  readonly everyWeeks?: string;
  readonly weekday?: string;
  readonly localTime?: string;
  readonly timeZone?: string;
  readonly roundLengthHours?: string;
}

/** Setup as a card form: name, survey, cadence, weekday, time, time zone, round length; problems shown on top. */
export function setupCard(surveys: readonly { id: string; title: string }[], values: SetupFormValues, problems: readonly string[] = []): AdaptiveCard {
  const choice = (id: string, label: string, choices: { title: string; value: string }[], value: string | undefined) => ({ type: 'Input.ChoiceSet', id, label, isRequired: true, errorMessage: `Pick ${label.toLowerCase()}.`, choices, value: value ?? choices[0]?.value ?? '' });
  return card(
    [
      text('Set up this channel as a team', { weight: 'Bolder', size: 'Medium' }),
      ...problems.map((problem) => text(`⚠️ ${escapeMarkdown(problem)}`, { color: 'Attention' })),
      { type: 'Input.Text', id: 'name', label: 'Team name', isRequired: true, errorMessage: 'Give the team a name (up to 60 characters).', maxLength: 60, value: values.name ?? '' },
      choice('surveyId', 'Survey', surveys.map((survey) => ({ title: survey.title, value: survey.id })), values.surveyId),
      choice('everyWeeks', 'How often', [{ title: 'Every week', value: '1' }, { title: 'Every two weeks', value: '2' }], values.everyWeeks),
      choice('weekday', 'Day', WEEKDAYS.map((day, index) => ({ title: day.charAt(0).toUpperCase() + day.slice(1), value: String(index + 1) })), values.weekday),
      { type: 'Input.Time', id: 'localTime', label: 'Time', isRequired: true, errorMessage: 'Pick the time the question is posted.', value: values.localTime ?? '10:00' },
      { type: 'Input.Text', id: 'timeZone', label: 'Time zone (IANA, e.g. Europe/Berlin)', isRequired: true, errorMessage: 'Give a time zone such as Europe/Berlin.', value: values.timeZone ?? 'UTC' },
      choice('roundLengthHours', 'Round stays open', [1, 2, 3, 4, 5, 6].map((days) => ({ title: `${days} day${days === 1 ? '' : 's'}`, value: String(days * 24) })), values.roundLengthHours ?? '96'),
    ],
    { actions: [execute('Set up', VERB.setup, {})] },
  );
}
