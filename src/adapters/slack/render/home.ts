import type { types } from '@slack/bolt';
import type { CommandHelp } from '../../../core/chat-command.js';
import type { TeamReport } from '../../../core/report.js';
import { escapeMrkdwn, slackDate } from '../mrkdwn.js';
import { capBlocks, context, divider, header, LIMITS, section, type Block } from './blocks.js';
import { reportBlocks } from './report-blocks.js';

export interface OwnAnswerView {
  readonly teamName: string;
  readonly aspectName: string;
  /** The picked statement; null when the person only commented on the round. */
  readonly answer: string | null;
  readonly at: Date;
  readonly comment: string | null;
  readonly open: boolean;
}

/** How many reports the tab shows, and how many blocks of each (its figures and suggestions; its comments are cut first). */
const HOME_REPORTS = 5;
const SHORT_REPORT_BLOCKS = 12;

/**
 * The blocks "We'll do this" adds to a report's short form: one section per suggestion (the plain form lists
 * them in its lead sentence's section) and one "Add our own step" row per aspect with suggestions.
 */
function stepButtonBlocks(report: TeamReport): number {
  if (!report.hasResults) return 0;
  return report.furthestBelowTarget.reduce((sum, aspectId) => {
    const count = report.aspects.find((aspect) => aspect.aspectId === aspectId)?.suggestions.length ?? 0;
    return sum + (count > 0 ? count + 1 : 0);
  }, 0);
}

/**
 * Each report's short form. A team whose steps the person may manage gets its suggestions with "We'll do
 * this" (the same buttons as `/maturity report`) while the tab's block budget allows, its teams in the
 * order given; past that, the plain short form, so that no report and not the help are cut for buttons.
 */
function shortReports(reports: readonly TeamReport[], manageable: ReadonlySet<number>, budget: number): Block[][] {
  const plain = reports.map((report) => reportBlocks(report).slice(0, SHORT_REPORT_BLOCKS));
  let spare = budget - plain.reduce((sum, blocks) => sum + blocks.length, 0);
  return reports.map((report, index) => {
    const extra = manageable.has(report.teamId) ? stepButtonBlocks(report) : 0;
    if (extra === 0 || extra > spare) return plain[index] ?? [];
    spare -= extra;
    return reportBlocks(report, { canManageSteps: true }).slice(0, SHORT_REPORT_BLOCKS + extra);
  });
}

/**
 * The App Home tab: the person's own answers (theirs only), their teams' reports, and help. Reports of the
 * teams in `manageableTeamIds` (those whose steps the person may adopt) carry "We'll do this".
 */
export function homeView(input: { answers: readonly OwnAnswerView[]; reports: readonly TeamReport[]; manageableTeamIds?: readonly number[]; membershipKnown?: boolean; help: readonly CommandHelp[] }): types.HomeView {
  const blocks: Block[] = [header('Maturity pulse'), section('Short weekly questions about your platform. Your answers are private: teams see totals only.')];
  blocks.push(divider(), section('*Your answers* (only you can see these)'));
  if (input.answers.length === 0) blocks.push(context('You have not answered a round yet.'));
  const lines = input.answers.slice(0, 15).map((answer) => {
    const comment = answer.comment ? `\n      _Your comment:_ ${escapeMrkdwn(answer.comment).replace(/\n/g, ' ')}` : '';
    const picked = answer.answer === null ? '_no answer, comment only_' : `“${escapeMrkdwn(answer.answer)}”`;
    return `• ${escapeMrkdwn(answer.teamName)} · ${escapeMrkdwn(answer.aspectName)}: ${picked} (${slackDate(answer.at, '{date_short}')}${answer.open ? ', can still change' : ''})${comment}`;
  });
  if (lines.length > 0) blocks.push(section(lines.join('\n')));
  blocks.push(context('Comments become anonymous when their round closes: from then on nobody, you included, can tell which was yours.'));
  if (input.membershipKnown === false) blocks.push(divider(), context('Slack could not say which channels you are in just now, so only the reports your roles allow are shown. Open this tab again in a minute.'));
  const reports = input.reports.slice(0, HOME_REPORTS);
  // What is left of the tab's 100 blocks once the rest is in: a divider before each report, then the help's divider and section.
  const budget = LIMITS.surfaceBlocks - blocks.length - reports.length - 2;
  for (const report of shortReports(reports, new Set(input.manageableTeamIds ?? []), budget)) blocks.push(divider(), ...report);
  blocks.push(divider(), section(input.help.map((entry) => `\`/maturity ${entry.usage}\` — ${escapeMrkdwn(entry.what)}`).join('\n')));
  return { type: 'home', blocks: capBlocks(blocks, LIMITS.surfaceBlocks) };
}
