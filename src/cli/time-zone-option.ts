import { Option } from 'commander';

/** `--tz` (or `--time-zone`): the zone a command's days are read in; UTC when not given. */
export const timeZoneOption = () =>
  new Option('--tz, --time-zone <IANA>', 'read the days in this time zone, e.g. America/New_York (default UTC)');
