import type { OwnerChoices, StepRow, TeamStepBoard } from '../../../services/step-board-service.js';
import { formatDate, formatLevel } from '../../text/format.js';

const level = (value: number | null): string => (value === null ? '—' : formatLevel(value));

/**
 * Who owns an open step: the owner's name once they accepted (their platform's, else the channel list's);
 * for the leads also whether someone was asked and has not answered, or declined, never who.
 */
function ownerText(step: StepRow, names: ReadonlyMap<string, string>, canManage: boolean): string {
  if (step.ownerUserId) return step.ownerName ?? names.get(step.ownerUserId) ?? 'accepted (name not known)';
  if (canManage && step.ownerRequest === 'asked') return 'asked, no answer yet';
  if (canManage && step.ownerRequest === 'declined') return 'declined: the leads follow up';
  return '—';
}

/** The owner cell of an open step, for the leads with a form to ask someone (else) to own it. */
function OwnerCell(props: { teamId: number; step: StepRow; csrf: string; owners: OwnerChoices | null; names: ReadonlyMap<string, string>; canManage: boolean }) {
  const { owners, step } = props;
  const text = ownerText(step, props.names, props.canManage);
  if (!props.canManage || owners?.kind !== 'people' || owners.people.length === 0) return <td>{text}</td>;
  return (
    <td>
      <p>{text}</p>
      <form method="post" action={`/teams/${props.teamId}/steps/${step.id}/owner`} class="stack">
        <input type="hidden" name="csrf" value={props.csrf} />
        <label>
          {step.ownerUserId || step.ownerRequest ? 'Ask someone else' : 'Ask someone to own it'}
          <select name="owner" required>
            <option value="" selected>
              Pick a person
            </option>
            {owners.people.map((person) => (
              <option value={person.userId}>{person.name}</option>
            ))}
          </select>
        </label>
        <button type="submit" class="secondary">
          Ask
        </button>
      </form>
    </td>
  );
}

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
export function StepBoard(props: { teamId: number; board: TeamStepBoard; csrf: string; timeZone: string; owners: OwnerChoices | null }) {
  const { steps, canManageSteps } = props.board;
  const names = new Map(props.owners?.kind === 'people' ? props.owners.people.map((person) => [person.userId, person.name]) : []);
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
                <th scope="col">Owner</th>
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
                  <OwnerCell teamId={props.teamId} step={step} csrf={props.csrf} owners={props.owners} names={names} canManage={canManageSteps} />
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
