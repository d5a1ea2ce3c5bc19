import { describe, expect, it } from 'vitest';
import { openRoundMessage, closedRoundMessage, reminderMessage, roundResultMessage } from '../../src/adapters/slack/render/round-message.js';
import { reportBlocks } from '../../src/adapters/slack/render/report-blocks.js';
import { homeView } from '../../src/adapters/slack/render/home.js';
import { commentModal, setupModal } from '../../src/adapters/slack/render/modals.js';
import { helpBlocks } from '../../src/adapters/slack/render/command-blocks.js';
import { COMMAND_HELP } from '../../src/core/chat-command.js';
import { buildTeamReport } from '../../src/core/report.js';
import { snapshotQuestion } from '../../src/core/round.js';
import { buildSurvey, closedRound, TEST_POLICY } from '../support/factories.js';
import { blockKitProblems, viewProblems } from '../support/block-kit-limits.js';

const long = (length: number, word = 'platform') => `${word} `.repeat(Math.ceil(length / (word.length + 1))).slice(0, length);

describe('Block Kit limits', () => {
  const survey = buildSurvey({ levels: 7, aspects: Array.from({ length: 12 }, (_, index) => `aspect-${index + 1}`) });
  const aspect = survey.aspects[0]!;
  const question = { ...snapshotQuestion(survey, aspect, aspect.questions[0]!), prompt: long(150), aspectName: long(40) };
  question.options = question.options.map((option) => ({ ...option, text: option.level === null ? option.text : `${long(199)}<&>` }));
  const view = { roundId: 123456789, teamName: long(60), aspectName: long(40), prompt: question.prompt, options: question.options, closesAt: new Date('2026-03-06T16:00:00Z'), timeZone: 'Europe/Berlin', status: 'open' as const, respondents: 12, minRespondents: 3 };

  it('keeps the longest round, closed round and result within the message limits', () => {
    for (const message of [openRoundMessage(view), closedRoundMessage({ ...view, status: 'closed' }), roundResultMessage(view, { kind: 'figure', value: 3.3, levelCount: 7, label: long(80), respondents: 12, agreement: 'low', change: { kind: 'none' }, toward: 'Level 4', suggestion: long(200) })]) {
      expect(blockKitProblems(message.blocks, 'message')).toEqual([]);
    }
    expect(JSON.stringify(openRoundMessage(view).blocks)).toContain('&lt;&amp;&gt;');
  });

  it('keeps a twelve-aspect report with long comments within 50 blocks and 3000 characters per section', () => {
    const rounds = survey.aspects.flatMap((a, index) => [closedRound(a.id, `2026-01-0${1 + (index % 9)}`, [1, 2, 3, 4, 5, 6, 7], { roundId: 1000 + index, levelCount: 7 })]);
    const report = buildTeamReport({
      team: { id: 1, name: long(60) },
      survey,
      rounds,
      openRound: null,
      comments: rounds.flatMap((round) => Array.from({ length: 10 }, () => ({ roundId: round.roundId, text: long(1000, 'comment') }))),
      policy: TEST_POLICY,
      now: new Date('2026-02-01'),
      shuffle: (items) => [...items],
      belowTargetCount: 12,
    });
    const blocks = reportBlocks(report);
    expect(blocks.length).toBeLessThanOrEqual(50);
    expect(blockKitProblems(blocks, 'message')).toEqual([]);
    const home = homeView({ answers: Array.from({ length: 30 }, () => ({ teamName: long(60), aspectName: long(40), answer: long(200), at: new Date(), comment: long(1000), open: true })), reports: [report, report, report, report, report, report], help: COMMAND_HELP });
    expect(viewProblems(home, 'home')).toEqual([]);
  });

  it('keeps the modals and help within their limits', () => {
    expect(viewProblems(commentModal({ roundId: 123456789012, workspaceId: 'T0123456789', channelId: 'C0123456789ABCDEF', organisationId: 'E0123456789' }, long(40), long(1000)), 'modal')).toEqual([]);
    expect(viewProblems(setupModal({ workspaceId: 'T1', channelId: 'C1' }, { channelName: long(80), timeZone: 'Europe/Berlin', surveys: Array.from({ length: 120 }, (_, index) => ({ id: `survey-${index}`, title: long(90) })) }), 'modal')).toEqual([]);
    expect(blockKitProblems(helpBlocks(COMMAND_HELP, long(300)), 'message')).toEqual([]);
  });
});

describe('the halfway reminder', () => {
  it('names one number, everyone who answered, and says which answers the minimum counts instead of counting them', () => {
    const survey = buildSurvey({ levels: 4, aspects: ['measurement'] });
    const aspect = survey.aspects[0]!;
    const question = snapshotQuestion(survey, aspect, aspect.questions[0]!);
    // Two answered so far; how many of them picked a level is never said next to it.
    const view = { roundId: 7, teamName: 'Payments', aspectName: question.aspectName, prompt: question.prompt, options: question.options, closesAt: new Date('2026-03-06T16:00:00Z'), timeZone: 'Europe/Berlin', status: 'open' as const, respondents: 2, minRespondents: 3 };
    const message = reminderMessage(view);
    // The close time's fallback text depends on the locale, so the sentence is checked up to it.
    expect(message.text.slice(0, message.text.indexOf('{date_short_pretty}'))).toBe('Halfway through: 2 answered so far; results need 3 answers with a level ("I don\'t know" does not count toward them). The round closes <!date^1772812800^');
    expect(blockKitProblems(message.blocks, 'message')).toEqual([]);
    expect(JSON.stringify(message.blocks)).toContain('results need 3 answers with a level');
  });
});
