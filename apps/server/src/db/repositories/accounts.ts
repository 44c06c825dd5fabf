/** Organisations, users and memberships. */
import { and, asc, eq, sql } from 'drizzle-orm';
import type { Role } from '@optibid/core';
import type { Db } from '../client.js';
import { memberships, organizations, users } from '../schema/index.js';

export type OrganizationRow = typeof organizations.$inferSelect;
export type UserRow = typeof users.$inferSelect;
export type MembershipRow = typeof memberships.$inferSelect;

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

export class AccountsRepository {
  constructor(private readonly db: Db) {}

  async createOrganization(name: string, opts: { is_demo?: boolean } = {}): Promise<OrganizationRow> {
    const [row] = await this.db.insert(organizations).values({ name, is_demo: opts.is_demo ?? false }).returning();
    return row!;
  }

  async findOrganization(id: string): Promise<OrganizationRow | null> {
    const [row] = await this.db.select().from(organizations).where(eq(organizations.id, id));
    return row ?? null;
  }

  async findOrganizationByName(name: string): Promise<OrganizationRow | null> {
    const [row] = await this.db.select().from(organizations).where(eq(organizations.name, name)).orderBy(asc(organizations.created_at)).limit(1);
    return row ?? null;
  }

  async createUser(input: { email: string; name: string; password_hash: string; is_platform_admin?: boolean }): Promise<UserRow> {
    const [row] = await this.db
      .insert(users)
      .values({ email: input.email.trim(), name: input.name, password_hash: input.password_hash, is_platform_admin: input.is_platform_admin ?? false })
      .returning();
    return row!;
  }

  async findUserByEmail(email: string): Promise<UserRow | null> {
    const [row] = await this.db.select().from(users).where(sql`lower(${users.email}) = lower(${email.trim()})`);
    return row ?? null;
  }

  async findUser(id: string): Promise<UserRow | null> {
    const [row] = await this.db.select().from(users).where(eq(users.id, id));
    return row ?? null;
  }

  async updateUser(id: string, patch: Partial<Pick<UserRow, 'name' | 'password_hash' | 'last_login_at' | 'is_active' | 'is_platform_admin'>>): Promise<UserRow | null> {
    const [row] = await this.db.update(users).set(patch).where(eq(users.id, id)).returning();
    return row ?? null;
  }

  async addMembership(organizationId: string, userId: string, role: Role): Promise<void> {
    await this.db
      .insert(memberships)
      .values({ organization_id: organizationId, user_id: userId, role })
      .onConflictDoUpdate({ target: [memberships.organization_id, memberships.user_id], set: { role, is_active: true } });
  }

  /** The membership of a user in one organisation (scoped: another organisation's is never returned). */
  async findMembership(organizationId: string, userId: string): Promise<MembershipRow | null> {
    const [row] = await this.db
      .select()
      .from(memberships)
      .where(and(eq(memberships.organization_id, organizationId), eq(memberships.user_id, userId)));
    return row ?? null;
  }

  async listMembershipsOfUser(userId: string): Promise<MembershipWithOrg[]> {
    const rows = await this.db
      .select({
        organization_id: memberships.organization_id,
        organization_name: organizations.name,
        role: memberships.role,
        is_active: memberships.is_active,
        created_at: memberships.created_at,
      })
      .from(memberships)
      .innerJoin(organizations, eq(organizations.id, memberships.organization_id))
      .where(eq(memberships.user_id, userId))
      .orderBy(asc(memberships.created_at));
    return rows.map((r) => ({ ...r, role: r.role as Role }));
  }

  async listMembers(organizationId: string): Promise<MemberRow[]> {
    const rows = await this.db
      .select({
        user_id: users.id,
        email: users.email,
        name: users.name,
        role: memberships.role,
        active: sql<boolean>`${memberships.is_active} AND ${users.is_active}`,
        joined_at: memberships.created_at,
      })
      .from(memberships)
      .innerJoin(users, eq(users.id, memberships.user_id))
      .where(eq(memberships.organization_id, organizationId))
      .orderBy(asc(memberships.created_at));
    return rows.map((r) => ({ ...r, role: r.role as Role, active: Boolean(r.active) }));
  }

  async countOrganizations(): Promise<number> {
    const [row] = await this.db.select({ n: sql<number>`count(*)::int` }).from(organizations);
    return Number(row?.n ?? 0);
  }
}
