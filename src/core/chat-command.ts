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
