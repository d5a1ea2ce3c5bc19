/** The largest id the database holds (a 32-bit integer column on PostgreSQL). */
export const MAX_ID = 2_147_483_647;

/** A record id from a URL: a positive whole number the database can hold, or null (the page then says "not found"). */
export function parseId(value: string): number | null {
  if (!/^[1-9][0-9]{0,9}$/.test(value)) return null;
  const id = Number(value);
  return id <= MAX_ID ? id : null;
}
