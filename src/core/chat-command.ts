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
    default:
      return { kind: 'invalid', problem: `There is no "${first?.kind === 'word' ? first.text : '@…'}" command.` };
  }
}
