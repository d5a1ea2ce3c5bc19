import type { AspectReport } from '../../../core/report.js';
import type { AspectTarget } from '../../../core/targets.js';
import type { OwnerChoices, TeamStepBoard } from '../../../services/step-board-service.js';
import { targetPhrase } from '../../text/figure-text.js';

const PLAIN = { escape: (text: string) => text };

/** Where a target comes from, in words. */
function sourceText(target: AspectTarget): string {
  switch (target.source) {
    case 'team':
      return target.reason ? `the team's own target: ${target.reason}` : "the team's own target";
    case 'organisation':
      return "the organisation's target";
    case 'survey':
      return "the survey's default target";
    case 'next':
      return 'no target set: the next level';
  }
}

/** "target Scalable (3): 0.4 to go · the organisation's target"; without a level shown, the target alone. */
export function TargetLine(props: { aspect: AspectReport }) {
  const { aspect } = props;
  const phrase = aspect.standing ? targetPhrase(aspect.standing.target, aspect.standing.toGo, PLAIN) : aspect.target.source === 'next' ? null : `target ${aspect.target.name} (${aspect.target.level})`;
  if (!phrase) return null;
  return (
    <p class="target">
      <strong>{phrase}</strong> <span class="muted">· {sourceText(aspect.target)}</span>
    </p>
  );
}

/** A lead's form to set or remove the team's own target for one aspect. */
export function TeamTargetForm(props: { teamId: number; aspect: AspectReport; levels: TeamStepBoard['levels']; csrf: string }) {
  const { aspect } = props;
  const own = aspect.target.source === 'team' ? aspect.target : null;
  return (
    <details class="form">
      <summary>Change the team's target</summary>
      <form method="post" action={`/teams/${props.teamId}/targets`} class="stack">
        <input type="hidden" name="csrf" value={props.csrf} />
        <input type="hidden" name="aspect" value={aspect.aspectId} />
        <label>
          {`Target for ${aspect.aspectName}`}
          <select name="level">
            <option value="none" selected={own === null}>
              No team target (the organisation's applies)
            </option>
            {props.levels.map((level) => (
              <option value={String(level.value)} selected={own?.level === level.value}>
                {`${level.name} (${level.value})`}
              </option>
            ))}
          </select>
        </label>
        <label>
          Why (optional, one line)
          <input type="text" name="reason" maxlength={200} value={own?.reason ?? ''} />
        </label>
        <button type="submit">Save target</button>
      </form>
    </details>
  );
}

function DateField(props: { value: string }) {
  return (
    <label>
      Target date
      <input type="date" name="due" value={props.value} required />
    </label>
  );
}

/** The optional owner of a step being adopted: someone of the team's channel, by name; none when the channel's people could not be listed. */
function OwnerField(props: { owners: OwnerChoices | null }) {
  if (props.owners?.kind !== 'people' || props.owners.people.length === 0) return null;
  return (
    <label>
      Owner
      <select name="owner">
        <option value="" selected>
          No owner — the leads follow up
        </option>
        {props.owners.people.map((person) => (
          <option value={person.userId}>{person.name}</option>
        ))}
      </select>
    </label>
  );
}

/** Why the owner pickers offer nobody, or not everybody, said once above the forms. */
export function OwnerNote(props: { owners: OwnerChoices | null }) {
  const { owners } = props;
  if (!owners) return null;
  const text =
    owners.kind === 'unavailable'
      ? "An owner cannot be picked here just now: the chat platform did not say who is in the team's channel. Steps can still be adopted; name an owner in chat."
      : owners.incomplete === 'too-many'
        ? 'The channel is large: only part of it is offered as owners. Name anyone else as owner in chat.'
        : owners.incomplete === 'try-later'
          ? 'Not everyone in the channel could be listed as a possible owner just now. Reload the page in a minute to see everyone.'
          : null;
  return text ? <p class="muted owner-note">{text}</p> : null;
}

/** The survey's suggestions for an aspect, each with "We'll do this" for those who manage steps. */
export function Suggestions(props: { teamId: number; aspect: AspectReport; adopted: ReadonlySet<string>; canManage: boolean; csrf: string; defaultDue: string; owners: OwnerChoices | null }) {
  const { aspect } = props;
  if (aspect.suggestions.length === 0) return null;
  return (
    <>
      <p>
        <strong>{aspect.suggestionsToward ? `Toward ${aspect.suggestionsToward}:` : 'Keep it up:'}</strong>
      </p>
      <ul class="suggestions">
        {aspect.suggestions.map((suggestion) => (
          <li>
            {suggestion.text}
            {props.adopted.has(suggestion.id) ? (
              <span class="muted"> · adopted: on the board below</span>
            ) : props.canManage ? (
              <form method="post" action={`/teams/${props.teamId}/steps`} class="stack">
                <input type="hidden" name="csrf" value={props.csrf} />
                <input type="hidden" name="aspect" value={aspect.aspectId} />
                <input type="hidden" name="suggestion" value={suggestion.id} />
                <DateField value={props.defaultDue} />
                <OwnerField owners={props.owners} />
                <button type="submit">We'll do this</button>
              </form>
            ) : null}
          </li>
        ))}
      </ul>
    </>
  );
}

/** A lead's form to add a step of the team's own for an aspect. */
export function OwnStepForm(props: { teamId: number; aspect: AspectReport; csrf: string; defaultDue: string; owners: OwnerChoices | null }) {
  return (
    <details class="form">
      <summary>Add our own step</summary>
      <form method="post" action={`/teams/${props.teamId}/steps`} class="stack">
        <input type="hidden" name="csrf" value={props.csrf} />
        <input type="hidden" name="aspect" value={props.aspect.aspectId} />
        <label>
          {`Our step for ${props.aspect.aspectName} (one line)`}
          <input type="text" name="text" maxlength={200} required />
        </label>
        <DateField value={props.defaultDue} />
        <OwnerField owners={props.owners} />
        <button type="submit">Add step</button>
      </form>
    </details>
  );
}
