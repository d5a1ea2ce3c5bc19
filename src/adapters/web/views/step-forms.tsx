import type { AspectReport } from '../../../core/report.js';
import type { AspectTarget } from '../../../core/targets.js';
import type { StepRow, TeamStepBoard } from '../../../services/step-board-service.js';
import { targetPhrase } from '../../text/figure-text.js';
import { formatDate, formatLevel } from '../../text/format.js';

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

/** The survey's suggestions for an aspect, each with "We'll do this" for those who manage steps. */
export function Suggestions(props: { teamId: number; aspect: AspectReport; adopted: ReadonlySet<string>; canManage: boolean; csrf: string; defaultDue: string }) {
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
export function OwnStepForm(props: { teamId: number; aspect: AspectReport; csrf: string; defaultDue: string }) {
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
        <button type="submit">Add step</button>
      </form>
    </details>
  );
}

const level = (value: number | null): string => (value === null ? '—' : formatLevel(value));

function StepActions(props: { teamId: number; step: StepRow; csrf: string }) {
  const answers = [
    ['done', 'Done'],
    ['still-on-it', 'Still on it (+2 weeks)'],
    ['dropped', 'Dropped'],
  ] as const;
  return (
    <td class="actions">
      {answers.map(([answer, label]) => (
        <form method="post" action={`/teams/${props.teamId}/steps/${props.step.id}`} class="inline">
          <input type="hidden" name="csrf" value={props.csrf} />
          <input type="hidden" name="answer" value={answer} />
          <button type="submit" class={answer === 'done' ? undefined : 'secondary'}>
            {label}
          </button>
        </form>
      ))}
    </td>
  );
}

/** The team's steps: open (with buttons for those who manage them), done (level at adoption → now) and dropped. */
export function StepBoard(props: { teamId: number; board: TeamStepBoard; csrf: string; timeZone: string }) {
  const { steps, canManageSteps } = props.board;
  const open = steps.filter((step) => step.status === 'open');
  const done = steps.filter((step) => step.status === 'done').reverse();
  const dropped = steps.filter((step) => step.status === 'dropped').reverse();
  const date = (at: Date | null) => (at ? formatDate(at, props.timeZone) : '—');
  return (
    <section aria-labelledby="steps" class="board">
      <h2 id="steps">Next steps</h2>
      {steps.length === 0 ? <p>The team has not taken on a step yet{canManageSteps ? ': pick one of the suggestions above, or add your own.' : '.'}</p> : null}
      {open.length > 0 ? (
        <div class="table-wrap">
          <table class="steps-open">
            <caption>Open</caption>
            <thead>
              <tr>
                <th scope="col">Aspect</th>
                <th scope="col">Step</th>
                <th scope="col">Adopted</th>
                <th scope="col">Due</th>
                <th scope="col">Level then → now</th>
                {canManageSteps ? <th scope="col">Update</th> : null}
              </tr>
            </thead>
            <tbody>
              {open.map((step) => (
                <tr>
                  <td>{step.aspectName}</td>
                  <td>{step.text}</td>
                  <td>{date(step.adoptedAt)}</td>
                  <td>{date(step.dueAt)}</td>
                  <td>{`${level(step.levelAtAdoption)} → ${level(step.levelNow)}`}</td>
                  {canManageSteps ? <StepActions teamId={props.teamId} step={step} csrf={props.csrf} /> : null}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {done.length > 0 ? (
        <div class="table-wrap">
          <table class="steps-done">
            <caption>Done</caption>
            <thead>
              <tr>
                <th scope="col">Aspect</th>
                <th scope="col">Step</th>
                <th scope="col">Adopted</th>
                <th scope="col">Done</th>
                <th scope="col">Level at adoption → now</th>
              </tr>
            </thead>
            <tbody>
              {done.map((step) => (
                <tr>
                  <td>{step.aspectName}</td>
                  <td>{step.text}</td>
                  <td>{date(step.adoptedAt)}</td>
                  <td>{date(step.closedAt)}</td>
                  <td>{`${level(step.levelAtAdoption)} → ${level(step.levelNow)}`}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {dropped.length > 0 ? (
        <div class="table-wrap">
          <table class="steps-dropped">
            <caption>Dropped</caption>
            <thead>
              <tr>
                <th scope="col">Aspect</th>
                <th scope="col">Step</th>
                <th scope="col">Adopted</th>
                <th scope="col">Dropped</th>
              </tr>
            </thead>
            <tbody>
              {dropped.map((step) => (
                <tr>
                  <td>{step.aspectName}</td>
                  <td>{step.text}</td>
                  <td>{date(step.adoptedAt)}</td>
                  <td>{date(step.closedAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </section>
  );
}
