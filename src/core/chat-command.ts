import { ROLE_NAMES, type RoleName } from './roles.js';

/** A word of a chat command, or a person the platform resolved from an @mention. */
export type CommandToken = { readonly kind: 'word'; readonly text: string } | { readonly kind: 'mention'; readonly userId: string; readonly label: string };

export type ChatCommand =
  | { readonly kind: 'help' }
  | { readonly kind: 'report'; readonly aspectId: string | null }
  | { readonly kind: 'status' }
  | { readonly kind: 'ask'; readonly aspectId: string | null }
  | { readonly kind: 'close' }
  | { readonly kind: 'setup' }
  | { readonly kind: 'pause'; readonly until: string | null }
  | { readonly kind: 'resume' }
  | { readonly kind: 'role-change'; readonly action: 'add' | 'remove'; readonly userId: string; readonly label: string; readonly role: RoleName }
  | { readonly kind: 'role-list' }
  | { readonly kind: 'forget-me' }
  | { readonly kind: 'digest-here'; readonly weekday: number | null; readonly localTime: string | null; readonly timeZone: string | null }
  | { readonly kind: 'digest-stop' }
  | { readonly kind: 'digest-preview' }
  | { readonly kind: 'reminders'; readonly nudges: boolean }
  | { readonly kind: 'strategy'; readonly strategy: 'rotation' | 'adaptive' }
  /** The targets that apply here: the team's (in a team channel) or the organisation's. */
  | { readonly kind: 'targets'; readonly scope: 'team' | 'organisation' }
  /** Sets (or with level "none", removes) a target; the level is read against the survey later. */
  | { readonly kind: 'target-set'; readonly scope: 'team' | 'organisation'; readonly aspectId: string; readonly level: string; readonly reason: string | null }
  | { readonly kind: 'steps' }
  /** Adopts a survey suggestion (`suggestionId`) or the team's own step (`aspectId` and `text`). */
  | { readonly kind: 'step-adopt'; readonly suggestionId: string | null; readonly aspectId: string | null; readonly text: string | null; readonly owner: { readonly userId: string; readonly label: string } | null; readonly dueOn: string | null }
  | { readonly kind: 'step-owner'; readonly stepId: number; readonly owner: { readonly userId: string; readonly label: string } }
  | { readonly kind: 'step-close'; readonly stepId: number; readonly answer: 'done' | 'still-on-it' | 'dropped' }
  /** Not understood: `problem` says why in one sentence; help follows it. */
  | { readonly kind: 'invalid'; readonly problem: string };

/** One line of help: what to type, an example, and who may use it. Shared by every platform. */
export interface CommandHelp {
  readonly usage: string;
  readonly example: string;
  readonly what: string;
  readonly who: string;
}

export const COMMAND_HELP: readonly CommandHelp[] = [
  { usage: 'report [aspect]', example: 'report interfaces', what: "your team's level per aspect, its trend and next steps (only you see it)", who: 'everyone in a team channel; PMs and admins anywhere' },
  { usage: 'status', example: 'status', what: "the team's survey, cadence, next and open round, pause and leads", who: 'everyone' },
  { usage: 'ask [aspect]', example: 'ask measurement', what: 'open a round now instead of waiting for the schedule', who: "the team's leads and admins" },
  { usage: 'close', example: 'close', what: 'close the open round early and post its result', who: "the team's leads and admins" },
  { usage: 'setup', example: 'setup', what: 'register this channel as a team: name, survey, cadence, time zone', who: 'admins' },
  { usage: 'pause [until YYYY-MM-DD]', example: 'pause until 2027-01-05', what: 'skip rounds until a date (inclusive), or until resumed', who: "the team's leads and admins" },
  { usage: 'resume', example: 'resume', what: 'end a pause', who: "the team's leads and admins" },
  { usage: 'role add|remove @person lead|pm|admin', example: 'role add @dana lead', what: 'grant or take back a role (lead is for this channel’s team)', who: "admins; leads may add or remove their team's leads" },
  { usage: 'role list', example: 'role list', what: 'who holds which role here', who: 'everyone' },
  { usage: 'forget-me', example: 'forget-me', what: 'erase all your answers and comments, after a confirmation', who: 'everyone' },
  { usage: 'digest here [weekday] [HH:MM] [time zone]', example: 'digest here monday 09:00 Europe/Berlin', what: 'post the weekly digest across teams in this channel', who: 'PMs and admins' },
  { usage: 'digest preview', example: 'digest preview', what: 'see the coming digest privately', who: 'PMs and admins' },
  { usage: 'digest stop', example: 'digest stop', what: 'stop posting the digest in this channel', who: 'PMs and admins' },
  { usage: 'nudges on|off', example: 'nudges on', what: 'privately remind members who have not answered by halfway (off by default)', who: "the team's leads and admins" },
  { usage: 'questions rotation|adaptive', example: 'questions adaptive', what: 'ask aspects in turn, or where the picture is stalest and least certain', who: "the team's leads and admins" },
  { usage: 'target [org]', example: 'target', what: "the target level of each aspect: the team's own, else the organisation's, else the next level", who: 'everyone' },
  { usage: 'target <aspect> <level|none> [reason]', example: 'target interfaces scalable we need self-service first', what: "set (or remove) this team's own target for an aspect, with a one-line reason", who: "the team's leads and admins" },
  { usage: 'target org <aspect> <level|none>', example: 'target org measurement 3', what: 'set (or remove) the organisation-wide target of an aspect', who: 'PMs and admins' },
  { usage: 'steps', example: 'steps', what: "the team's next steps: open, done and dropped", who: 'everyone in a team channel' },
  { usage: 'step adopt <suggestion-id> [@owner] [by YYYY-MM-DD]', example: 'step adopt interfaces-wrap-most-requested @sam', what: 'adopt a suggestion from the report (the report’s "We\'ll do this" does the same)', who: "the team's leads and admins" },
  { usage: 'step add <aspect> [@owner] [by YYYY-MM-DD] <what you will do>', example: 'step add interfaces by 2027-02-15 publish a golden-path template', what: 'adopt a step of your own', who: "the team's leads and admins" },
  { usage: 'step owner <number> @person', example: 'step owner 12 @sam', what: 'ask someone, privately, to own a step', who: "the team's leads and admins" },
  { usage: 'step done|still|drop <number>', example: 'step done 12', what: 'close a step, or give it two more weeks', who: "the step's owner, the team's leads and admins" },
  { usage: 'help', example: 'help', what: 'this list', who: 'everyone' },
];

const DATE = /^\d{4}-\d{2}-\d{2}$/;

function word(token: CommandToken | undefined): string | undefined {
  return token?.kind === 'word' ? token.text.toLowerCase() : undefined;
}

function isRoleName(value: string | undefined): value is RoleName {
  return value !== undefined && (ROLE_NAMES as readonly string[]).includes(value);
}

/** Whether a YYYY-MM-DD string is a real calendar date. */
export function isCalendarDate(text: string): boolean {
  if (!DATE.test(text)) return false;
  const [year, month, day] = text.split('-').map(Number);
  const date = new Date(Date.UTC(year ?? 0, (month ?? 1) - 1, day ?? 1));
  return date.getUTCFullYear() === year && date.getUTCMonth() + 1 === month && date.getUTCDate() === day;
}

function parsePause(rest: readonly CommandToken[]): ChatCommand {
  if (rest.length === 0) return { kind: 'pause', until: null };
  const words = rest.map((token) => (token.kind === 'word' ? token.text : ''));
  const date = words[0]?.toLowerCase() === 'until' ? words[1] : words[0];
  if (date === undefined || !isCalendarDate(date) || words.length > (words[0]?.toLowerCase() === 'until' ? 2 : 1)) {
    return { kind: 'invalid', problem: 'Give the last paused day as a date, for example "pause until 2027-01-05".' };
  }
  return { kind: 'pause', until: date };
}

function parseRole(rest: readonly CommandToken[]): ChatCommand {
  const action = word(rest[0]);
  if (action === 'list' && rest.length === 1) return { kind: 'role-list' };
  if (action !== 'add' && action !== 'remove') return { kind: 'invalid', problem: 'Use "role add @person lead", "role remove @person lead" or "role list".' };
  const person = rest[1];
  const role = word(rest[2]);
  if (person?.kind !== 'mention') return { kind: 'invalid', problem: `Mention the person, for example "role ${action} @dana lead".` };
  if (!isRoleName(role) || rest.length !== 3) return { kind: 'invalid', problem: 'The role is lead, pm or admin.' };
  return { kind: 'role-change', action, userId: person.userId, label: person.label, role };
}

function optionalAspect(kind: 'report' | 'ask', rest: readonly CommandToken[]): ChatCommand {
  if (rest.length > 1 || rest.some((token) => token.kind !== 'word')) return { kind: 'invalid', problem: `"${kind}" takes at most one aspect, for example "${kind} interfaces".` };
  const aspect = word(rest[0]);
  return kind === 'report' ? { kind, aspectId: aspect ?? null } : { kind, aspectId: aspect ?? null };
}

const WEEKDAY_NAMES = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];
const TIME = /^([01]?\d|2[0-3]):([0-5]\d)$/;

function parseDigest(rest: readonly CommandToken[]): ChatCommand {
  const action = word(rest[0]);
  if (action === 'preview' && rest.length === 1) return { kind: 'digest-preview' };
  if (action === 'stop' && rest.length === 1) return { kind: 'digest-stop' };
  if (action !== 'here') return { kind: 'invalid', problem: 'Use "digest here [weekday] [HH:MM] [time zone]", "digest preview" or "digest stop".' };
  let weekday: number | null = null;
  let localTime: string | null = null;
  let timeZone: string | null = null;
  for (const token of rest.slice(1)) {
    if (token.kind !== 'word') return { kind: 'invalid', problem: 'The digest takes a weekday, a time and a time zone, for example "digest here monday 09:00 Europe/Berlin".' };
    const lower = token.text.toLowerCase();
    const day = WEEKDAY_NAMES.findIndex((name) => name === lower || name.slice(0, 3) === lower);
    const time = TIME.exec(token.text);
    if (day >= 0 && weekday === null) weekday = day + 1;
    else if (time && localTime === null) localTime = `${(time[1] ?? '0').padStart(2, '0')}:${time[2] ?? '00'}`;
    else if (token.text.includes('/') || token.text === 'UTC') timeZone ??= token.text;
    else return { kind: 'invalid', problem: `"${token.text}" is not a weekday, a time (HH:MM) or a time zone such as Europe/Berlin.` };
  }
  return { kind: 'digest-here', weekday, localTime, timeZone };
}

function parseTarget(rest: readonly CommandToken[]): ChatCommand {
  const organisation = word(rest[0]) === 'org';
  const args = organisation ? rest.slice(1) : rest;
  const scope = organisation ? 'organisation' : 'team';
  if (args.length === 0) return { kind: 'targets', scope };
  if (args.some((token) => token.kind !== 'word')) return { kind: 'invalid', problem: 'A target takes an aspect, a level and, for a team, a reason: for example "target interfaces scalable we need self-service first".' };
  const aspectId = word(args[0]);
  const level = args[1]?.kind === 'word' ? args[1].text : undefined;
  if (aspectId === undefined || level === undefined) return { kind: 'invalid', problem: `Give the aspect and the level, for example "target ${organisation ? 'org ' : ''}interfaces 3" (or "none" to remove it).` };
  const reason = args.slice(2).map((token) => (token.kind === 'word' ? token.text : '')).join(' ').trim();
  if (organisation && reason !== '') return { kind: 'invalid', problem: 'An organisation target takes no reason: "target org interfaces 3".' };
  return { kind: 'target-set', scope, aspectId, level, reason: reason === '' ? null : reason };
}

/** Pulls "@owner" and "by YYYY-MM-DD" out of a step command's words; the rest is the step's text. */
function stepExtras(tokens: readonly CommandToken[]): { owner: { userId: string; label: string } | null; dueOn: string | null; words: string[]; problem: string | null } {
  let owner: { userId: string; label: string } | null = null;
  let dueOn: string | null = null;
  const words: string[] = [];
  for (let index = 0; index < tokens.length; index += 1) {
    const token = tokens[index];
    if (!token) continue;
    if (token.kind === 'mention') {
      if (owner) return { owner, dueOn, words, problem: 'A step has one owner; mention one person.' };
      owner = { userId: token.userId, label: token.label };
      continue;
    }
    const next = tokens[index + 1];
    if (token.text.toLowerCase() === 'by' && dueOn === null && next?.kind === 'word' && DATE.test(next.text)) {
      if (!isCalendarDate(next.text)) return { owner, dueOn, words, problem: `"${next.text}" is not a date.` };
      dueOn = next.text;
      index += 1;
      continue;
    }
    words.push(token.text);
  }
  return { owner, dueOn, words, problem: null };
}

function stepNumber(token: CommandToken | undefined): number | null {
  const text = word(token)?.replace(/^#/, '');
  return text !== undefined && /^\d{1,9}$/.test(text) ? Number(text) : null;
}

function parseStep(rest: readonly CommandToken[]): ChatCommand {
  const action = word(rest[0]);
  switch (action) {
    case 'adopt': {
      const extras = stepExtras(rest.slice(1));
      if (extras.problem) return { kind: 'invalid', problem: extras.problem };
      const [suggestionId, ...more] = extras.words;
      if (suggestionId === undefined || more.length > 0) return { kind: 'invalid', problem: 'Give the suggestion\'s id as the report shows it, for example "step adopt interfaces-wrap-most-requested @sam by 2027-02-15".' };
      return { kind: 'step-adopt', suggestionId: suggestionId.toLowerCase(), aspectId: null, text: null, owner: extras.owner, dueOn: extras.dueOn };
    }
    case 'add': {
      const extras = stepExtras(rest.slice(1));
      if (extras.problem) return { kind: 'invalid', problem: extras.problem };
      const [aspectId, ...text] = extras.words;
      if (aspectId === undefined || text.length === 0) return { kind: 'invalid', problem: 'Give the aspect and what the team will do, for example "step add interfaces publish a golden-path template".' };
      return { kind: 'step-adopt', suggestionId: null, aspectId: aspectId.toLowerCase(), text: text.join(' '), owner: extras.owner, dueOn: extras.dueOn };
    }
    case 'owner': {
      const stepId = stepNumber(rest[1]);
      const person = rest[2];
      if (stepId === null || person?.kind !== 'mention' || rest.length !== 3) return { kind: 'invalid', problem: 'Use "step owner <number> @person", for example "step owner 12 @sam".' };
      return { kind: 'step-owner', stepId, owner: { userId: person.userId, label: person.label } };
    }
    case 'done':
    case 'still':
    case 'drop': {
      const stepId = stepNumber(rest[1]);
      if (stepId === null || rest.length !== 2) return { kind: 'invalid', problem: `Use "step ${action} <number>", with the number "steps" shows.` };
      return { kind: 'step-close', stepId, answer: action === 'done' ? 'done' : action === 'still' ? 'still-on-it' : 'dropped' };
    }
    default:
      return { kind: 'invalid', problem: 'Use "steps", "step adopt <suggestion-id>", "step add <aspect> <what>", "step owner <number> @person" or "step done|still|drop <number>".' };
  }
}

/** Reads the words after the command name (`/maturity ...` in Slack, `@maturity ...` in Teams). */
export function parseChatCommand(tokens: readonly CommandToken[]): ChatCommand {
  const [first, ...rest] = tokens;
  const name = word(first);
  switch (name) {
    case undefined:
    case 'help':
      return { kind: 'help' };
    case 'report':
    case 'ask':
      return optionalAspect(name, rest);
    case 'status':
    case 'close':
    case 'setup':
    case 'resume':
    case 'forget-me':
      return rest.length === 0 ? { kind: name } : { kind: 'invalid', problem: `"${name}" takes nothing after it.` };
    case 'pause':
      return parsePause(rest);
    case 'role':
      return parseRole(rest);
    case 'digest':
      return parseDigest(rest);
    case 'target':
    case 'targets':
      return parseTarget(rest);
    case 'steps':
      return rest.length === 0 ? { kind: 'steps' } : { kind: 'invalid', problem: '"steps" takes nothing after it; to change a step use "step …".' };
    case 'step':
      return parseStep(rest);
    case 'nudges': {
      const value = word(rest[0]);
      return rest.length === 1 && (value === 'on' || value === 'off') ? { kind: 'reminders', nudges: value === 'on' } : { kind: 'invalid', problem: 'Use "nudges on" or "nudges off".' };
    }
    case 'questions': {
      const value = word(rest[0]);
      return rest.length === 1 && (value === 'rotation' || value === 'adaptive') ? { kind: 'strategy', strategy: value } : { kind: 'invalid', problem: 'Use "questions rotation" or "questions adaptive".' };
    }
    default:
      return { kind: 'invalid', problem: `There is no "${first?.kind === 'word' ? first.text : '@…'}" command.` };
  }
}
