import { z } from 'zod';
import { STEP_STATUSES } from '../../core/next-steps.js';
import type { StepFilter } from '../../services/step-board-service.js';
import { MAX_ID } from './ids.js';

/**
 * The steps list's filters as URL query parameters (`/steps?status=open&aspect=interfaces`), read by the
 * page, its CSV download and the API with this one parser, so a download holds exactly the rows on screen.
 */
export const StepQuerySchema = z.object({
  team: z.coerce.number().int().positive().max(MAX_ID).optional().describe("A team's id, as listed by GET /api/v1/teams"),
  survey: z.string().max(200).optional().describe("A survey's id"),
  aspect: z.string().max(200).optional().describe("An aspect's id (e.g. interfaces)"),
  status: z.enum(STEP_STATUSES).optional(),
});
export type StepQuery = z.infer<typeof StepQuerySchema>;

/** Blank form fields mean "any"; an unreadable parameter is dropped rather than failing the page. */
export function parseStepQuery(query: Readonly<Record<string, string>>): StepQuery {
  const keep: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(query)) {
    if (value.trim() === '' || !(key in StepQuerySchema.shape)) continue;
    const one = StepQuerySchema.safeParse({ [key]: value });
    if (one.success) Object.assign(keep, one.data);
  }
  return StepQuerySchema.parse(keep);
}

export function stepFilter(query: StepQuery): StepFilter {
  return {
    ...(query.team !== undefined ? { teamId: query.team } : {}),
    ...(query.survey ? { surveyId: query.survey } : {}),
    ...(query.aspect ? { aspectId: query.aspect } : {}),
    ...(query.status ? { status: query.status } : {}),
  };
}

/** The query string of a query (without empty parameters), for the download of the same view. */
export function stepQueryString(query: StepQuery): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value !== undefined && value !== '') params.set(key, String(value));
  const text = params.toString();
  return text ? `?${text}` : '';
}
