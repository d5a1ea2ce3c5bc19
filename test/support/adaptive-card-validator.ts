/**
 * Adaptive Card validation with Microsoft's own parser (the `adaptivecards` package), for the cards the Teams
 * adapter sends or returns. Pure: no I/O beyond loading the package once.
 *
 * The parser runs as Teams would read the card: schema 1.5 (the version Teams supports for bot cards, see
 * /work/shared/platform-facts.md), so an element, property or enum value newer than 1.5 is reported, and a
 * card declaring a newer version is refused. Parse events and `validateProperties` failures are both
 * collected: the first catch unknown types and values, the second duplicate ids, missing labels, too many
 * actions and an unsupported card version.
 */
import { createRequire } from 'node:module';
import type * as AdaptiveCards from 'adaptivecards';

// The package's `lib/` build is ESM without file extensions, which Node's ESM resolver refuses; the UMD
// bundle is CommonJS and, for parsing and validation, needs no DOM (only rendering touches `window`).
const require = createRequire(import.meta.url);
const ac = require('adaptivecards/dist/adaptivecards.js') as typeof AdaptiveCards;

/** The schema version Teams supports for bot cards. */
export const TEAMS_CARD_VERSION = '1.5';

/**
 * Teams desktop and web show at most 6 actions per action set (the rest are not shown; the package's own
 * default host config says 5), so more than 6 in one set is a card problem.
 */
export const TEAMS_MAX_ACTIONS = 6;

/** "[Parse] UnknownElementType: Unknown element type "Foo"…", readable in a failed `toEqual([])`. */
function describe(event: AdaptiveCards.IValidationEvent): string {
  return `[${ac.ValidationPhase[event.phase]}] ${ac.ValidationEvent[event.event]}: ${event.message}`;
}

/** Everything Microsoft's parser and validator report about a card at schema 1.5; empty when it is clean. */
export function adaptiveCardProblems(json: unknown): string[] {
  const teamsVersion = new ac.Version(1, 5);
  // A card declaring an older version is read at that version, so a newer property in it is reported too
  // (Teams ignores it there); a newer declared version is refused through `maxVersion` below.
  const declared = isObject(json) && typeof json.version === 'string' ? ac.Version.parse(json.version, new ac.SerializationContext()) : undefined;
  const target = declared?.isValid && declared.compareTo(teamsVersion) < 0 ? declared : teamsVersion;
  const context = new ac.SerializationContext(target);
  const card = new ac.AdaptiveCard();
  card.maxVersion = teamsVersion;
  card.hostConfig = new ac.HostConfig({ actions: { maxActions: TEAMS_MAX_ACTIONS } });
  card.parse(json, context);
  const problems: string[] = [];
  for (let index = 0; index < context.eventCount; index += 1) problems.push(describe(context.getEventAt(index)));
  for (const event of card.validateProperties().validationEvents) problems.push(describe(event));
  // The parser skips properties it does not know without a word, and so does Teams: a misspelt or
  // newer property would silently do nothing. Writing the parsed card back out shows which it kept. Only
  // on an otherwise clean card: once an element was dropped, the paths no longer line up.
  if (problems.length > 0) return problems;
  const kept = new Set(leafPaths(card.toJSON(new ac.SerializationContext(target))));
  for (const path of leafPaths(json)) {
    if (!kept.has(path) && !IGNORED_WHEN_DROPPED.some((pattern) => pattern.test(path))) problems.push(`[Parse] UnsupportedProperty: ${path} is not an Adaptive Card ${target.toString()} property`);
  }
  return problems;
}

/**
 * Properties the writer leaves out although the card is right: Teams' own `msteams` extension, an action's
 * `fallback` (parsed into the action, not written back) and an empty input value (the default).
 */
const IGNORED_WHEN_DROPPED: readonly RegExp[] = [/^\/msteams\//, /\/fallback\//, /\/value=""$/];

/** "/body/2/weight" for every leaf of a JSON tree, with empty strings marked so they can be told apart. */
function leafPaths(value: unknown, pointer = ''): string[] {
  if (Array.isArray(value)) return value.flatMap((item, index) => leafPaths(item, `${pointer}/${index}`));
  if (isObject(value)) return Object.entries(value).flatMap(([key, child]) => leafPaths(child, `${pointer}/${key}`));
  return [value === '' ? `${pointer}=""` : pointer];
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Every object in a JSON tree, with its JSON pointer, depth first. */
export function objectsIn(value: unknown, pointer = ''): { pointer: string; object: Record<string, unknown> }[] {
  if (Array.isArray(value)) return value.flatMap((item, index) => objectsIn(item, `${pointer}/${index}`));
  if (!isObject(value)) return [];
  return [{ pointer, object: value }, ...Object.entries(value).flatMap(([key, child]) => objectsIn(child, `${pointer}/${key}`))];
}

/**
 * Universal Actions need a verb, and Teams clients that predate them fall back to `fallback`: an
 * Action.Submit that carries the same verb in its data reaches the same handler.
 */
export function executeActionProblems(json: unknown): string[] {
  const problems: string[] = [];
  for (const { pointer, object } of objectsIn(json)) {
    if (object.type !== 'Action.Execute') continue;
    const verb = object.verb;
    if (typeof verb !== 'string' || verb.length === 0) {
      problems.push(`${pointer}: Action.Execute without a verb`);
      continue;
    }
    // The refresh action is run by the client itself, never shown: it has nothing to fall back to.
    if (pointer.endsWith('/refresh/action')) continue;
    const fallback = object.fallback;
    if (!isObject(fallback) || fallback.type !== 'Action.Submit') problems.push(`${pointer}: Action.Execute "${verb}" without an Action.Submit fallback`);
    else if (!isObject(fallback.data) || fallback.data.verb !== verb) problems.push(`${pointer}: the Action.Submit fallback does not carry the verb "${verb}" in its data`);
  }
  return problems;
}

/** The card as Teams receives it: the JSON of the attachment content, measured in UTF-8 bytes. */
export function cardBytes(json: unknown): number {
  return Buffer.byteLength(JSON.stringify(json), 'utf8');
}
