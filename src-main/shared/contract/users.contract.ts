// Users family: people who sign in with a password or a personal API key, each with a role (admin, operator, viewer).
import { z } from 'zod';
import { op } from './define';
import { ROLES } from '../access';

export const userSchema = z.object({
  id: z.number().int(),
  username: z.string(),
  role: z.enum(ROLES),
  has_api_key: z.boolean(),
  created_at: z.string(),
});
export type User = z.output<typeof userSchema>;

export const USERNAME = /^[a-z0-9][a-z0-9._-]{0,63}$/;
const username = z.string().regex(USERNAME, 'lower-case letters, digits, . _ - (1 to 64, starting with a letter or digit)');
/** At least 10 characters: a memorable phrase, not a PIN. */
const password = z.string().min(10).max(1024);
const id = z.coerce.number().int().positive();

export const usersContract = {
  'users.list': op({
    method: 'GET',
    path: '/api/users',
    tag: 'users',
    doc: 'Every user with their role (admin only). Passwords and API keys are never returned.',
    input: z.object({}).strict(),
    output: z.array(userSchema),
  }),
  'users.create': op({
    method: 'POST',
    path: '/api/users',
    tag: 'users',
    status: 201,
    doc: 'Add a user (admin only): {username, password, role}. The password is stored as an Argon2id hash. 409 when the username is taken.',
    input: z.object({ username, password, role: z.enum(ROLES) }).strict(),
    output: userSchema,
  }),
  'users.update': op({
    method: 'PUT',
    path: '/api/users/{id}',
    tag: 'users',
    doc: "Change a user's role or password (admin only); a new password ends the user's sessions.",
    input: z.object({ id, role: z.enum(ROLES).optional(), password: password.optional() }).strict(),
    output: userSchema,
  }),
  'users.delete': op({
    method: 'DELETE',
    path: '/api/users/{id}',
    tag: 'users',
    status: 204,
    doc: 'Remove a user (admin only); their sessions and API key stop working at once.',
    input: z.object({ id }).strict(),
    output: z.void(),
  }),
  'users.createApiKey': op({
    method: 'POST',
    path: '/api/users/{id}/api-key',
    tag: 'users',
    doc: "Issue the user's personal API key (admin only), replacing any previous one. It is shown once and stored only as a hash; every route family accepts it as a bearer token with the user's role.",
    input: z.object({ id }).strict(),
    output: z.object({ api_key: z.string() }),
  }),
};
