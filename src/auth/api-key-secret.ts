import { createHash, randomBytes } from 'node:crypto';

/** Recognisable in logs and by secret scanners; never part of what proves the key. */
const SECRET_PREFIX = 'ag_';
const SECRET_SHAPE = /^ag_[A-Za-z0-9_-]{43}$/;

/** A new secret: 256 random bits, base64url. */
export function generateSecret(): string {
  return SECRET_PREFIX + randomBytes(32).toString('base64url');
}

export function looksLikeSecret(value: string): boolean {
  return SECRET_SHAPE.test(value);
}

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/** The first characters, shown by `keys list` so a key can be recognised without being revealed. */
export function displayPrefix(secret: string): string {
  return secret.slice(0, SECRET_PREFIX.length + 6);
}
