/**
 * A write-ahead log position as PostgreSQL prints one (`pg_lsn`: two
 * hexadecimal halves, `16/B374D848`), as a number that compares and
 * subtracts: the byte offset into the WAL.
 */
export function walPosition(lsn: string): bigint {
  const match = /^([0-9A-Fa-f]{1,8})\/([0-9A-Fa-f]{1,8})$/.exec(lsn);
  if (!match) throw new Error(`not a WAL position: ${JSON.stringify(lsn)}`);
  return (BigInt(`0x${match[1]}`) << 32n) | BigInt(`0x${match[2]}`);
}
