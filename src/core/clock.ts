/** The one way time enters the system; core functions take `now` as a value instead. */
export interface Clock {
  now(): Date;
}
