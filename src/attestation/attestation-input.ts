import { ACTOR_MAX_LENGTH } from '../base/actor';
import { BadInputError } from '../base/errors';
import { oneLineTextProblem } from '../base/one-line-text';
import { dayPeriod, type Period } from '../reports/period';

/** The longest note an attestation carries. */
export const NOTE_MAX_LENGTH = 2000;

/** What an attestation is asked to say, before it is checked. */
export type AttestationRequest = { date: string; by: string; note?: string | null };

/** A checked request: a UTC day, who certifies it (trimmed, NFC: one person, one spelling), an optional note. */
export type CheckedAttestation = { day: string; period: Period; by: string; note: string | null };

/** One line of free text, or BAD_USER_INPUT naming `argument`. */
function oneLine(text: string, argument: string, max: number): string {
  const normalized = text.trim().normalize('NFC');
  const problem = oneLineTextProblem(normalized, max);
  if (problem) throw new BadInputError(`${argument} ${problem}: it is 1–${max} characters on one line`, argument);
  return normalized;
}

/** Checks an attestation's input before anything is read or written. */
export function checkedAttestation(request: AttestationRequest, names = { date: 'date', by: 'by', note: 'note' }) {
  const period = dayPeriod(request.date, names.date);
  const by = oneLine(request.by, names.by, ACTOR_MAX_LENGTH);
  const note = request.note == null ? null : oneLine(request.note, names.note, NOTE_MAX_LENGTH);
  return { day: request.date, period, by, note } satisfies CheckedAttestation;
}
