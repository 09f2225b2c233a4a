import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { ParleyError } from '../core/errors.js';
import type { Agent, AgentRole, AssignmentMode, Queue } from '../core/model.js';
import { hashPassword, newApiKey, sha256 } from '../http/auth.js';
import { isUniqueViolation } from '../store/constraint.js';
import type { Dialect } from '../store/db.js';
import { toAgent, toQueue } from '../store/rows.js';
import type { DB } from '../store/schema.js';
import { newId, nowIso } from '../store/tx.js';

// Accounts and configuration rows, shared by the admin API and the CLI (`parley agent add`).

export const DEFAULT_QUEUE = 'default';

export async function ensureDefaultQueue(db: Kysely<DB>, assignment: AssignmentMode): Promise<Queue> {
  await db
    .insertInto('queues')
    .values({ id: DEFAULT_QUEUE, name: DEFAULT_QUEUE, assignment, created_at: nowIso() })
    .onConflict((oc) => oc.doNothing())
    .execute();
  return toQueue(await db.selectFrom('queues').selectAll().where('id', '=', DEFAULT_QUEUE).executeTakeFirstOrThrow());
}

export async function createQueue(db: Kysely<DB>, input: { name: string; assignment: AssignmentMode }): Promise<Queue> {
  const exists = await db.selectFrom('queues').select('id').where('name', '=', input.name).executeTakeFirst();
  if (exists) throw new ParleyError('CONFLICT', `A queue named "${input.name}" exists.`);
  const row = { id: newId('q'), name: input.name, assignment: input.assignment, created_at: nowIso() };
  try {
    await db.insertInto('queues').values(row).execute();
  } catch (e) {
    // Two creators raced past the look-up above: the loser gets the same answer it would have had later.
    if (isUniqueViolation(e)) throw new ParleyError('CONFLICT', `A queue named "${input.name}" exists.`);
    throw e;
  }
  return toQueue(row);
}

async function resolveQueues(db: Kysely<DB>, queues: string[]): Promise<string[]> {
  const ids: string[] = [];
  for (const q of new Set(queues)) {
    const row = await db.selectFrom('queues').select('id').where((eb) => eb.or([eb('id', '=', q), eb('name', '=', q)])).executeTakeFirst();
    if (!row) throw new ParleyError('QUEUE_NOT_FOUND', `No queue "${q}".`);
    if (!ids.includes(row.id)) ids.push(row.id);
  }
  return ids;
}

export interface NewAgent {
  email: string;
  name: string;
  password: string;
  role?: AgentRole;
  capacity?: number;
  queues?: string[];
}

export async function createAgent(db: Kysely<DB>, input: NewAgent): Promise<Agent> {
  const email = input.email.trim().toLowerCase();
  const exists = await db.selectFrom('agents').select('id').where('email', '=', email).executeTakeFirst();
  if (exists) throw new ParleyError('CONFLICT', `An agent with e-mail ${email} exists.`);
  const queueIds = await resolveQueues(db, input.queues?.length ? input.queues : [DEFAULT_QUEUE]);
  const row = {
    id: newId('ag'),
    email,
    name: input.name,
    password_hash: await hashPassword(input.password),
    role: input.role ?? 'agent',
    status: 'available',
    capacity: input.capacity ?? 5,
    last_assigned_at: null,
    created_at: nowIso(),
    disabled_at: null,
    auth_epoch: 0,
  };
  try {
    await db.transaction().execute(async (trx) => {
      await trx.insertInto('agents').values(row).execute();
      for (const q of queueIds) await trx.insertInto('agent_queues').values({ agent_id: row.id, queue_id: q }).execute();
    });
  } catch (e) {
    // Concurrent creations of one e-mail: one wins, the others get the answer a later request would get.
    if (isUniqueViolation(e)) throw new ParleyError('CONFLICT', `An agent with e-mail ${email} exists.`);
    throw e;
  }
  return toAgent(row, queueIds);
}

export interface AgentPatch {
  name?: string | undefined;
  role?: AgentRole | undefined;
  capacity?: number | undefined;
  queues?: string[] | undefined;
  password?: string | undefined;
  disabled?: boolean | undefined;
}

/**
 * Change only the fields named. Returns whether the agent's authority changed (role, disabled, password,
 * queues), so the caller can make open sockets re-check at once. A password change bumps the auth epoch,
 * which retires every token issued before it.
 */
export async function updateAgent(db: Kysely<DB>, id: string, patch: AgentPatch, dialect: Dialect = 'sqlite'): Promise<{ authorityChanged: boolean }> {
  const current = await db.selectFrom('agents').select(['id', 'role', 'disabled_at']).where('id', '=', id).executeTakeFirst();
  if (!current) throw new ParleyError('AGENT_NOT_FOUND');
  const queueIds = patch.queues ? await resolveQueues(db, patch.queues) : undefined;
  const disabledNow = current.disabled_at !== null;
  const set = {
    ...(patch.name !== undefined ? { name: patch.name } : {}),
    ...(patch.role !== undefined ? { role: patch.role } : {}),
    ...(patch.capacity !== undefined ? { capacity: patch.capacity } : {}),
    ...(patch.password !== undefined ? { password_hash: await hashPassword(patch.password) } : {}),
    ...(patch.disabled !== undefined && patch.disabled !== disabledNow ? { disabled_at: patch.disabled ? nowIso() : null } : {}),
  };
  const losesAdmin = current.role === 'admin' && !disabledNow && (patch.role === 'agent' || patch.disabled === true);
  await db.transaction().execute(async (trx) => {
    if (losesAdmin) {
      // Checked inside the transaction that makes the change, so two admins demoting each other at once
      // cannot both see the other one still standing: SQLite serialises writers; PostgreSQL locks the
      // enabled admins' rows, so the second demotion waits and then sees the first.
      let admins = trx.selectFrom('agents').select('id').where('role', '=', 'admin').where('disabled_at', 'is', null);
      if (dialect === 'postgres') admins = admins.forUpdate();
      const others = (await admins.execute()).filter((a) => a.id !== id);
      if (others.length === 0) throw new ParleyError('LAST_ADMIN', 'This is the last enabled admin; make another admin first.');
    }
    if (Object.keys(set).length) await trx.updateTable('agents').set(set).where('id', '=', id).execute();
    if (patch.password !== undefined) await trx.updateTable('agents').set((eb) => ({ auth_epoch: eb('auth_epoch', '+', 1) })).where('id', '=', id).execute();
    if (queueIds) {
      await trx.deleteFrom('agent_queues').where('agent_id', '=', id).execute();
      for (const q of queueIds) await trx.insertInto('agent_queues').values({ agent_id: id, queue_id: q }).execute();
    }
  });
  return { authorityChanged: patch.role !== undefined || patch.password !== undefined || 'disabled_at' in set || queueIds !== undefined };
}

export async function createApiKey(db: Kysely<DB>, input: { name: string; scopes: string[] }) {
  const key = newApiKey();
  const row = { id: key.id, name: input.name, hash: key.hash, scopes: JSON.stringify(input.scopes), created_at: nowIso(), last_used_at: null, revoked_at: null };
  await db.insertInto('api_keys').values(row).execute();
  return { id: key.id, name: input.name, scopes: input.scopes, createdAt: row.created_at, key: key.token };
}

// ---- first-admin setup -------------------------------------------------------------------------------
// A fresh install has no accounts. At start Parley makes a one-time setup code (only its hash is stored)
// and prints a link; whoever opens it first creates the first admin, and the code stops working.

export async function agentCount(db: Kysely<DB>): Promise<number> {
  const r = await db.selectFrom('agents').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst();
  return Number(r?.n ?? 0);
}

export async function newSetupCode(db: Kysely<DB>): Promise<string> {
  const code = randomBytes(18).toString('base64url');
  await db.deleteFrom('settings').where('key', '=', 'setup_code').execute();
  await db.insertInto('settings').values({ key: 'setup_code', value: sha256(code) }).execute();
  return code;
}

export async function completeSetup(db: Kysely<DB>, code: string, admin: Omit<NewAgent, 'role'>): Promise<Agent> {
  const stored = await db.selectFrom('settings').select('value').where('key', '=', 'setup_code').executeTakeFirst();
  if ((await agentCount(db)) > 0 && !stored) throw new ParleyError('SETUP_DONE');
  if (!stored || stored.value !== sha256(code)) throw new ParleyError('FORBIDDEN', 'The setup code is wrong or was already used.');
  // Consume first: of two racing requests only the one that deletes the row goes on.
  const del = await db.deleteFrom('settings').where('key', '=', 'setup_code').where('value', '=', stored.value).executeTakeFirst();
  if (Number(del.numDeletedRows) !== 1) throw new ParleyError('FORBIDDEN', 'The setup code was already used.');
  return createAgent(db, { ...admin, role: 'admin' });
}
