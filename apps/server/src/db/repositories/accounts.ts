/** Organisations, users and memberships. */
import type { Role } from '@optibid/core';
import type { Database, Queryable } from '../client.js';

export interface OrganizationRow {
  id: string;
  name: string;
  is_demo: boolean;
  require_mfa: boolean;
  created_at: Date;
}

export interface UserRow {
  id: string;
  email: string;
  name: string;
  password_hash: string;
  is_platform_admin: boolean;
  is_active: boolean;
  created_at: Date;
  last_login_at: Date | null;
}

export interface MembershipRow {
  organization_id: string;
  user_id: string;
  role: string;
  is_active: boolean;
  created_at: Date;
}

export interface MemberRow {
  user_id: string;
  email: string;
  name: string;
  role: Role;
  active: boolean;
  joined_at: Date;
}

export interface MembershipWithOrg {
  organization_id: string;
  organization_name: string;
  role: Role;
  is_active: boolean;
  created_at: Date;
}

const ORG_COLS = 'id, name, is_demo, require_mfa, created_at';
const USER_COLS = 'id, email, name, password_hash, is_platform_admin, is_active, created_at, last_login_at';
const MEMBERSHIP_COLS = 'organization_id, user_id, role, is_active, created_at';
const USER_PATCHABLE = ['name', 'password_hash', 'last_login_at', 'is_active', 'is_platform_admin'] as const;

/** Thrown when an e-mail address already has an account (the unique index said so, even under a race). */
export class EmailTakenError extends Error {
  constructor(readonly email: string) {
    super(`an account with email ${email} already exists`);
  }
}

/** PostgreSQL's unique_violation, whether the driver's error arrives bare or wrapped. */
export function isUniqueViolation(err: unknown): boolean {
  for (let e = err as { code?: string; cause?: unknown } | undefined, i = 0; e && i < 4; e = e.cause as typeof e, i++) if (e.code === '23505') return true;
  return false;
}

export class AccountsRepository {
  constructor(private readonly database: Database) {}

  /** A user, their organisation (new, or an existing one by id) and the membership, in one transaction. */
  async createAccount(input: { email: string; name: string; password_hash: string; is_platform_admin?: boolean; organization_name: string; organization_id?: string; role: Role }): Promise<{ user: UserRow; organization_id: string }> {
    try {
      return await this.database.transaction(async (tx) => {
        const [user] = await tx.query<UserRow>(
          `INSERT INTO users (email, name, password_hash, is_platform_admin) VALUES ($1, $2, $3, $4) RETURNING ${USER_COLS}`,
          [input.email.trim(), input.name, input.password_hash, input.is_platform_admin ?? false],
        );
        const organization_id =
          input.organization_id ?? (await tx.query<{ id: string }>(`INSERT INTO organizations (name, is_demo) VALUES ($1, false) RETURNING id`, [input.organization_name]))[0]!.id;
        await tx.query(
          `INSERT INTO memberships (organization_id, user_id, role) VALUES ($1, $2, $3)
           ON CONFLICT (organization_id, user_id) DO UPDATE SET role = EXCLUDED.role, is_active = true`,
          [organization_id, user!.id, input.role],
        );
        return { user: user!, organization_id };
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw new EmailTakenError(input.email.trim());
      throw err;
    }
  }

  async createOrganization(name: string, opts: { is_demo?: boolean } = {}): Promise<OrganizationRow> {
    const [row] = await this.database.query<OrganizationRow>(`INSERT INTO organizations (name, is_demo) VALUES ($1, $2) RETURNING ${ORG_COLS}`, [name, opts.is_demo ?? false]);
    return row!;
  }

  async findOrganization(id: string): Promise<OrganizationRow | null> {
    const [row] = await this.database.query<OrganizationRow>(`SELECT ${ORG_COLS} FROM organizations WHERE id = $1`, [id]);
    return row ?? null;
  }

  async findOrganizationByName(name: string): Promise<OrganizationRow | null> {
    const [row] = await this.database.query<OrganizationRow>(`SELECT ${ORG_COLS} FROM organizations WHERE name = $1 ORDER BY created_at LIMIT 1`, [name]);
    return row ?? null;
  }

  async createUser(input: { email: string; name: string; password_hash: string; is_platform_admin?: boolean }): Promise<UserRow> {
    const [row] = await this.database.query<UserRow>(
      `INSERT INTO users (email, name, password_hash, is_platform_admin) VALUES ($1, $2, $3, $4) RETURNING ${USER_COLS}`,
      [input.email.trim(), input.name, input.password_hash, input.is_platform_admin ?? false],
    );
    return row!;
  }

  async findUserByEmail(email: string): Promise<UserRow | null> {
    const [row] = await this.database.query<UserRow>(`SELECT ${USER_COLS} FROM users WHERE lower(email) = lower($1)`, [email.trim()]);
    return row ?? null;
  }

  async findUser(id: string, tx: Queryable = this.database): Promise<UserRow | null> {
    const [row] = await tx.query<UserRow>(`SELECT ${USER_COLS} FROM users WHERE id = $1`, [id]);
    return row ?? null;
  }

  async updateUser(id: string, patch: Partial<Pick<UserRow, (typeof USER_PATCHABLE)[number]>>, tx: Queryable = this.database): Promise<UserRow | null> {
    // Only the named columns are ever written; an empty patch just reads the row back.
    const fields = USER_PATCHABLE.filter((k) => patch[k] !== undefined);
    if (fields.length === 0) return this.findUser(id, tx);
    const [row] = await tx.query<UserRow>(
      `UPDATE users SET ${fields.map((k, i) => `${k} = $${i + 2}`).join(', ')} WHERE id = $1 RETURNING ${USER_COLS}`,
      [id, ...fields.map((k) => patch[k])],
    );
    return row ?? null;
  }

  async addMembership(organizationId: string, userId: string, role: Role): Promise<void> {
    await this.database.query(
      `INSERT INTO memberships (organization_id, user_id, role) VALUES ($1, $2, $3)
       ON CONFLICT (organization_id, user_id) DO UPDATE SET role = EXCLUDED.role, is_active = true`,
      [organizationId, userId, role],
    );
  }

  /** The membership of a user in one organisation (scoped: another organisation's is never returned). */
  async findMembership(organizationId: string, userId: string): Promise<MembershipRow | null> {
    const [row] = await this.database.query<MembershipRow>(`SELECT ${MEMBERSHIP_COLS} FROM memberships WHERE organization_id = $1 AND user_id = $2`, [organizationId, userId]);
    return row ?? null;
  }

  async listMembershipsOfUser(userId: string): Promise<MembershipWithOrg[]> {
    return this.database.query<MembershipWithOrg>(
      `SELECT m.organization_id, o.name AS organization_name, m.role, m.is_active, m.created_at
         FROM memberships m JOIN organizations o ON o.id = m.organization_id
        WHERE m.user_id = $1 ORDER BY m.created_at`,
      [userId],
    );
  }

  async listMembers(organizationId: string): Promise<MemberRow[]> {
    return this.database.query<MemberRow>(
      `SELECT u.id AS user_id, u.email, u.name, m.role, (m.is_active AND u.is_active) AS active, m.created_at AS joined_at
         FROM memberships m JOIN users u ON u.id = m.user_id
        WHERE m.organization_id = $1 ORDER BY m.created_at`,
      [organizationId],
    );
  }

  async countOrganizations(): Promise<number> {
    const [row] = await this.database.query<{ n: number }>('SELECT count(*)::int AS n FROM organizations');
    return Number(row?.n ?? 0);
  }
}
