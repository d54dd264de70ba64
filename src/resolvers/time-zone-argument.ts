/** The `timeZone` argument of every report: its description, once. */
export const TIME_ZONE_ARGUMENT = {
  nullable: true,
  description:
    'The IANA time zone the days are read in, e.g. America/New_York (a day of 23 or 25 hours where the clocks ' +
    'change); UTC when absent. An unknown name is refused with BAD_USER_INPUT.',
} as const;
