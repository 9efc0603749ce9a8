// Users: add, change and remove people who sign in, each with a role; passwords hashed, personal keys shown once.
import { randomBytes } from 'node:crypto';
import { conflict, notFound } from '../shared/errors';
import type { Role } from '../shared/access';
import type { User } from '../shared/contract/users.contract';
import type { UserRow, UsersRepository } from '../repositories/users.repository';
import type { PasswordHasher } from '../repositories/auth/credentials-crypto.repository';
import { USER_KEY_PREFIX, userKeyHash } from './auth.service';

const toUser = (r: UserRow): User => ({ id: r.id, username: r.username, role: r.role, has_api_key: r.has_api_key, created_at: new Date(r.created_ms).toISOString() });

export class UsersService {
  constructor(
    private readonly repo: UsersRepository,
    private readonly hasher: PasswordHasher,
    private readonly now: () => number,
  ) {}

  list(): User[] {
    return this.repo.list().map(toUser);
  }

  private must(id: number): UserRow {
    const u = this.repo.get(id);
    if (!u) throw notFound(`User ${id} not found`);
    return u;
  }

  async create(i: { username: string; password: string; role: Role }): Promise<User> {
    if (this.repo.byUsername(i.username)) throw conflict(`The username "${i.username}" is taken.`);
    const row = this.repo.insert({ username: i.username, role: i.role, password_hash: await this.hasher.hash(i.password), created_ms: this.now() });
    if (!row) throw conflict(`The username "${i.username}" is taken.`);
    return toUser(row);
  }

  async update(id: number, patch: { role?: Role | undefined; password?: string | undefined }): Promise<User> {
    this.must(id);
    const password_hash = patch.password !== undefined ? await this.hasher.hash(patch.password) : undefined;
    const row = this.repo.update(id, { ...(patch.role ? { role: patch.role } : {}), ...(password_hash ? { password_hash, bumpEpoch: true } : {}) });
    if (!row) throw notFound(`User ${id} not found`);
    return toUser(row);
  }

  delete(id: number): void {
    if (!this.repo.delete(id)) throw notFound(`User ${id} not found`);
  }

  createApiKey(id: number): { api_key: string } {
    this.must(id);
    const key = `${USER_KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
    this.repo.setApiKeyHash(id, userKeyHash(key));
    return { api_key: key };
  }
}

