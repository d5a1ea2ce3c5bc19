/**
 * The dashboard's privacy rules on random data: comment text reaches nobody but the team's leads (and them
 * only from rounds large enough), and a hidden cell carries a count and the number needed, never a value.
 * The pure part runs many random organisations through the table builders; the storage part writes random
 * rounds through the real use cases on this run's engine and reads them back through the dashboard service.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildAspectAcross } from '../../src/core/aspect-across.js';
import { buildOrgTable, type OrgTable } from '../../src/core/org-table.js';
import type { UserRef } from '../../src/core/platform.js';
import { levelAt, type ClosedRoundTally } from '../../src/core/scoring.js';
import { orgOverview, personViewer, teamDashboard, type TeamDashboardResult } from '../../src/services/dashboard-service.js';
import { closeOpenRound, openRound, recordComment } from '../../src/services/round-service.js';
import { buildSurvey, DAY, tallyOf, TEST_POLICY } from '../support/factories.js';
import { answerAs, roundOrigin, setUpTeam } from '../support/seed.js';
import { createTestContext, type TestContext } from '../support/test-context.js';

const survey = buildSurvey();
const T0 = Date.parse('2026-01-05T12:00:00Z');

function checkHiddenCells(table: OrgTable): void {
  for (const row of table.rows) {
    for (const cell of row.cells) {
      if (cell.kind === 'hidden') {
        expect(Object.keys(cell).sort()).toEqual(['aspectId', 'kind', 'needed', 'respondents']);
        expect(cell.needed).toBe(TEST_POLICY.minRespondents);
      }
    }
  }
}

describe('org table and aspect view on random organisations', () => {
  const roundArb = fc.record({ aspect: fc.integer({ min: 0, max: 2 }), day: fc.integer({ min: 0, max: 200 }), levels: fc.array(fc.integer({ min: 1, max: 4 }), { maxLength: 7 }), unknown: fc.nat({ max: 2 }) });
  const orgArb = fc.record({ teams: fc.array(fc.array(roundArb, { maxLength: 10 }), { minLength: 1, maxLength: 6 }), nowDay: fc.integer({ min: 0, max: 220 }) });

  it('values only qualifying figures, as levelAt does, and counts every other team without a value', () => {
    fc.assert(
      fc.property(orgArb, ({ teams, nowDay }) => {
        const now = new Date(T0 + nowDay * DAY);
        let roundId = 0;
        const input = teams.map((specs, index) => ({
          id: index + 1,
          name: `Team ${index + 1}`,
          rounds: specs
            .map((spec): ClosedRoundTally => ({ roundId: (roundId += 1), aspectId: survey.aspects[spec.aspect]?.id ?? '', closedAt: new Date(T0 + spec.day * DAY), tally: tallyOf(spec.levels, spec.unknown) }))
            .sort((a, b) => a.closedAt.getTime() - b.closedAt.getTime() || a.roundId - b.roundId),
        }));
        const table = buildOrgTable({ survey, teams: input, policy: TEST_POLICY, now });
        checkHiddenCells(table);
        for (const team of input) {
          const row = table.rows.find((candidate) => candidate.teamId === team.id);
          for (const aspect of survey.aspects) {
            const cell = row?.cells.find((candidate) => candidate.aspectId === aspect.id);
            const figure = levelAt(team.rounds.filter((round) => round.aspectId === aspect.id), now, TEST_POLICY);
            expect(cell?.kind === 'level' ? cell.value : null).toBe(figure?.value ?? null);
          }
        }
        for (const aspect of survey.aspects) {
          const across = buildAspectAcross({ survey, aspectId: aspect.id, teams: input, policy: TEST_POLICY, now });
          if (!across) throw new Error('aspect missing');
          expect(across.teamsWithLevel + across.hiddenTeams + across.notAskedTeams).toBe(input.length);
          expect(across.levels.reduce((sum, level) => sum + level.teams, 0)).toBe(across.teamsWithLevel);
          const column = table.rows.map((row) => row.cells.find((cell) => cell.aspectId === aspect.id)?.kind);
          expect(column.filter((kind) => kind === 'level')).toHaveLength(across.teamsWithLevel);
          expect(column.filter((kind) => kind === 'hidden')).toHaveLength(across.hiddenTeams);
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe('dashboard pages on random rounds in storage', () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await createTestContext({ surveys: [survey], now: '2026-03-02T09:30:00Z' });
    await ctx.store.grantRole(user('UPM'), { role: 'pm', teamId: null }, 'tester', ctx.clock.now());
  });
  afterAll(async () => {
    await ctx.close();
  });

  const user = (userId: string): UserRef => ({ platform: 'slack', workspaceId: 'T1', userId });
  const OPTIONS = ['1', '2', '3', '4', 'unknown'] as const;
  const storedRoundArb = fc.record({ aspect: fc.integer({ min: 0, max: 2 }), answers: fc.array(fc.constantFrom(...OPTIONS), { maxLength: 7 }), comment: fc.boolean() });

  it('shows comment text to the team’s leads only, from large enough rounds only; hidden cells carry no value', async () => {
    let run = 0;
    const everyToken: string[] = [];
    await fc.assert(
      fc.asyncProperty(fc.array(storedRoundArb, { minLength: 1, maxLength: 3 }), async (specs) => {
        run += 1;
        const team = await setUpTeam(ctx, `Random team ${run}`);
        const readable: string[] = [];
        const unreadable: string[] = [];
        for (const [index, spec] of specs.entries()) {
          const opened = await openRound(ctx, team, { origin: 'ad-hoc', aspectId: survey.aspects[spec.aspect]?.id ?? '' });
          if (opened.kind !== 'opened') throw new Error(`round did not open: ${opened.kind}`);
          await answerAs(ctx, opened.round.id, spec.answers);
          if (spec.comment) {
            const token = `secret-comment-${run}-${index}`;
            await recordComment(ctx, user('U1'), opened.round.id, token, await roundOrigin(ctx, opened.round.id));
            everyToken.push(token);
            (spec.answers.length >= TEST_POLICY.minCommentRespondents ? readable : unreadable).push(token);
          }
          await closeOpenRound(ctx, team);
          ctx.clock.advance(DAY);
        }
        await ctx.store.grantRole(user('ULEAD'), { role: 'lead', teamId: team.id }, 'tester', ctx.clock.now());

        const viewers = await Promise.all([
          personViewer(ctx, user('UENG'), [], new Set([team.id])),
          personViewer(ctx, user('UPM'), [], new Set()),
          personViewer(ctx, user('UADMIN'), ['UADMIN'], new Set([team.id])),
        ]);
        for (const pv of viewers) {
          const seen = JSON.stringify([await orgOverview(ctx, pv), await teamDashboard(ctx, pv, team.id)]);
          for (const token of everyToken) expect(seen).not.toContain(token);
        }

        const leadPage: TeamDashboardResult = await teamDashboard(ctx, await personViewer(ctx, user('ULEAD'), [], new Set()), team.id);
        if (leadPage.kind !== 'team') throw new Error(leadPage.kind);
        const leadSeen = JSON.stringify(leadPage);
        for (const token of [...unreadable, ...everyToken.filter((token) => !token.startsWith(`secret-comment-${run}-`))]) expect(leadSeen).not.toContain(token);
        for (const token of leadPage.report.comments?.flatMap((group) => group.texts) ?? []) expect(readable).toContain(token);
        for (const aspect of leadPage.report.aspects) {
          if (aspect.status.kind === 'hidden') expect(Object.keys(aspect.status).sort()).toEqual(['kind', 'needed', 'respondents']);
        }

        const overview = await orgOverview(ctx, viewers[1]!);
        if (overview.kind !== 'overview') throw new Error('refused');
        for (const entry of overview.surveys) checkHiddenCells(entry.table);
      }),
      { numRuns: 8 },
    );
  });
});
