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

/** The App Home tab: the person's own answers (theirs only), their teams' reports, and help. */
export function homeView(input: { answers: readonly OwnAnswerView[]; reports: readonly TeamReport[]; membershipKnown?: boolean; help: readonly CommandHelp[] }): types.HomeView {
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
  for (const report of input.reports.slice(0, 5)) blocks.push(divider(), ...reportBlocks(report).slice(0, 12));
  blocks.push(divider(), section(input.help.map((entry) => `\`/maturity ${entry.usage}\` — ${escapeMrkdwn(entry.what)}`).join('\n')));
  return { type: 'home', blocks: capBlocks(blocks, LIMITS.surfaceBlocks) };
}
