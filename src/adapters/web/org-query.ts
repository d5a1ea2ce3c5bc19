import { z } from 'zod';
import { filterOrgTable, sortOrgTable, type OrgTable, type OrgTableFilter, type OrgTableSort } from '../../core/org-table.js';

/**
 * The organisation page's filters and sort as URL query parameters. The page, its CSV and JSON downloads
 * and the API read them with this one parser, so a download holds exactly the rows on screen.
 */
export const OrgQuerySchema = z.object({
  survey: z.string().max(200).optional(),
  team: z.string().max(200).optional(),
  aspect: z.string().max(200).optional(),
  level: z.coerce.number().int().min(1).max(10).optional(),
  movement: z.enum(['improved', 'slipped', 'steady', 'none']).optional(),
  sort: z.string().regex(/^(team|participation|aspect:[A-Za-z0-9_.-]{1,100})$/).optional(),
  dir: z.enum(['asc', 'desc']).optional(),
});
export type OrgQuery = z.infer<typeof OrgQuerySchema>;

/** Blank form fields mean "any"; an unreadable parameter is ignored rather than failing the page. */
export function parseOrgQuery(query: Readonly<Record<string, string>>): OrgQuery {
  const given = Object.fromEntries(Object.entries(query).filter(([, value]) => value.trim() !== ''));
  const parsed = OrgQuerySchema.safeParse(given);
  if (parsed.success) return parsed.data;
  const keep: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(given)) {
    const one = OrgQuerySchema.safeParse({ [key]: value });
    if (one.success) Object.assign(keep, one.data);
  }
  return OrgQuerySchema.parse(keep);
}

export function orgFilter(query: OrgQuery): OrgTableFilter {
  return {
    ...(query.team ? { team: query.team } : {}),
    ...(query.aspect ? { aspectId: query.aspect } : {}),
    ...(query.level !== undefined ? { level: query.level } : {}),
    ...(query.movement ? { movement: query.movement } : {}),
  };
}

export function orgSort(query: OrgQuery): OrgTableSort {
  const by = (query.sort ?? 'team') as OrgTableSort['by'];
  return { by, dir: query.dir ?? 'asc' };
}

/** The table as the query asks for it: filtered, then sorted. */
export function applyOrgQuery(table: OrgTable, query: OrgQuery): OrgTable {
  return sortOrgTable(filterOrgTable(table, orgFilter(query)), orgSort(query));
}

/** The query string of a query (without empty parameters), for links to the same view in another format. */
export function orgQueryString(query: OrgQuery): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value !== undefined && value !== '') params.set(key, String(value));
  const text = params.toString();
  return text ? `?${text}` : '';
}
