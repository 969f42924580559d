import { createCipheriv, createDecipheriv, createHash, randomBytes, timingSafeEqual } from 'node:crypto';

const FORMAT = 'v1';

/** AES-256-GCM for secrets at rest: `v1.<iv>.<tag>.<ciphertext>` in base64url. */
export interface SecretBox {
  seal(plain: string): string;
  open(sealed: string): string;
}

export function createSecretBox(key: Buffer): SecretBox {
  if (key.length !== 32) throw new Error('encryption key must be 32 bytes');
  return {
    seal(plain) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const ciphertext = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return [FORMAT, iv, cipher.getAuthTag(), ciphertext]
        .map((part) => (typeof part === 'string' ? part : part.toString('base64url')))
        .join('.');
    },
    open(sealed) {
      const [format, iv, tag, ciphertext] = sealed.split('.');
      if (format !== FORMAT || !iv || !tag || ciphertext === undefined) throw new Error('not a sealed secret');
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
    },
  };
}

/**
 * Tokens are 256-bit random values, so a fast hash is enough for look-up (no brute force
 * of the space is possible); a slow KDF would only add latency to every request.
 */
export const hashToken = (token: string) => createHash('sha256').update(token, 'utf8').digest('hex');

export const generateApiKey = () => `chk_${randomBytes(32).toString('base64url')}`;
export const generateResponseToken = () => `crt_${randomBytes(32).toString('base64url')}`;
/** Standard Webhooks secret: `whsec_` + base64 of 24–64 random bytes. */
export const generateSigningSecret = () => `whsec_${randomBytes(32).toString('base64')}`;

export function constantTimeEquals(a: string, b: string): boolean {
  const left = createHash('sha256').update(a).digest();
  const right = createHash('sha256').update(b).digest();
  return timingSafeEqual(left, right);
}
