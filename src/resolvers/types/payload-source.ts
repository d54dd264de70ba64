import { registerEnumType } from 'type-graphql';

/** Where `ApiPayload.payload` was answered from. */
export enum PayloadSource {
  DATABASE = 'DATABASE',
  ARCHIVE = 'ARCHIVE',
  PURGED = 'PURGED',
}
registerEnumType(PayloadSource, {
  name: 'PayloadSource',
  description: 'Where a payload body is answered from.',
  valuesConfig: {
    DATABASE: { description: 'Its row in the database (a null payload had no body).' },
    ARCHIVE: { description: 'Purged from the database; read back from its archived copy, matched to its hash.' },
    PURGED: { description: 'Purged with no archived copy: only its hash and size are left.' },
  },
});
