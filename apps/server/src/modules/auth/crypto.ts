/** Password hashing (argon2id), JWT access tokens (HS256) and opaque refresh tokens. */
import { createHash, randomBytes } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';
import { SignJWT, jwtVerify, errors as joseErrors } from 'jose';

// @node-rs/argon2 exports Algorithm as a const enum, which isolatedModules cannot inline: 2 = Argon2id.
const ARGON2ID = 2;

export function hashPassword(password: string): Promise<string> {
  return hash(password, { algorithm: ARGON2ID });
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

/** A refresh token is 32 random bytes; only its SHA-256 is stored. */
export function newRefreshToken(): string {
  return randomBytes(32).toString('base64url');
}

export function sha256(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

export interface AccessClaims {
  sub: string;
  org: string;
  sid: string;
  /** Set when the organisation requires MFA and the user has not enrolled yet. */
  mfa_pending?: boolean;
}

export class TokenSigner {
  private readonly key: Uint8Array;

  constructor(
    secret: string,
    readonly accessTtlS: number,
  ) {
    this.key = new TextEncoder().encode(secret);
  }

  async sign(claims: AccessClaims): Promise<string> {
    return new SignJWT({ org: claims.org, sid: claims.sid, ...(claims.mfa_pending ? { mfa: 'pending' } : {}) })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(claims.sub)
      .setIssuer('optibid')
      .setIssuedAt()
      .setExpirationTime(`${this.accessTtlS}s`)
      .sign(this.key);
  }

  /** Returns the claims, or a reason the token is not acceptable. */
  async verify(token: string): Promise<AccessClaims | { error: string }> {
    try {
      const { payload } = await jwtVerify(token, this.key, { issuer: 'optibid', algorithms: ['HS256'] });
      if (typeof payload.sub !== 'string' || typeof payload.org !== 'string' || typeof payload.sid !== 'string') {
        return { error: 'malformed access token' };
      }
      return { sub: payload.sub, org: payload.org, sid: payload.sid, mfa_pending: payload.mfa === 'pending' };
    } catch (err) {
      if (err instanceof joseErrors.JWTExpired) return { error: 'access token expired' };
      return { error: 'invalid access token' };
    }
  }
}
