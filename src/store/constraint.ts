// Constraint violations, recognised on both databases. A unique key taken by a concurrent request is the
// caller's conflict (409), not Parley's failure (500): two admins creating one e-mail at once get one
// account and one clear answer.

const codeOf = (e: unknown): string | undefined => {
  const c = (e as { code?: unknown } | null)?.code;
  return typeof c === 'string' ? c : undefined;
};

export function isUniqueViolation(e: unknown): boolean {
  const code = codeOf(e);
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

/** Any other integrity rule (a reference to a row that a concurrent request just removed, …). */
export function isConstraintViolation(e: unknown): boolean {
  const code = codeOf(e);
  return isUniqueViolation(e) || (code !== undefined && (code.startsWith('SQLITE_CONSTRAINT') || /^23\d{3}$/.test(code)));
}
