import { type Checkpoint, formatCheckpoint, parseCheckpoint } from './checkpoint-body';
import type { NoteSigner, NoteVerifier } from './note-keys';
import { type OpenedNote, openNote, signNote } from './signed-note';

/** A checkpoint signed as a note: the text `merkle_checkpoints.note` keeps and witnesses publish. */
export function signCheckpoint(checkpoint: Checkpoint, signer: NoteSigner): string {
  return signNote(formatCheckpoint(checkpoint), signer);
}

/** Opens a signed checkpoint with the trusted verifier keys: its body, and which keys signed it. */
export function openCheckpoint(
  noteText: string,
  verifiers: readonly NoteVerifier[],
): { checkpoint: Checkpoint; signatures: OpenedNote['signatures'] } {
  const { text, signatures } = openNote(noteText, verifiers);
  return { checkpoint: parseCheckpoint(text), signatures };
}
