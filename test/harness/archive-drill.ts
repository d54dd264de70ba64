import { readFile, writeFile } from 'node:fs/promises';
import type pg from 'pg';
import { withClient } from './database';

/** Bodies no double nor a careless writer keeps: any Unicode, numbers past 2^53, decimals, exponents. */
export const HOSTILE_BODIES = [
  `{"note": "naïve café — 東京 🚀 \\"quoted\\"", "rtl": "עברית", "combining": "e\u0301"}`,
  `{"quantity": 12345678901234567890123456789, "price": 0.1000000000000000055511151231257827, "tiny": 1e-400}`,
  `[-0.0, 1e400, 10.50, "\u{10FFFF}", {"": null}]`,
];

/** A payload row written as a producer would, dated `createdAt`; its id. */
export async function insertPayload(url: string, body: string, createdAt: string): Promise<string> {
  return withClient(url, async (client: pg.Client) => {
    const {
      rows: [row],
    } = await client.query(
      `insert into api_payloads (direction, provider, endpoint, http_method, payload, payload_bytes, created_at)
       values ('response', 'drill', '/archive', 'GET', $1::jsonb, octet_length($1::text), $2) returning id::text as id`,
      [body, createdAt],
    );
    return row.id as string;
  });
}

/** Flips the bits of one byte of a file, as a failing disk or a tamperer would. */
export async function flipByte(file: string, at: number): Promise<void> {
  const bytes = await readFile(file);
  bytes[at] = bytes[at]! ^ 0xff;
  await writeFile(file, bytes);
}
