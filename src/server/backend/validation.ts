/**
 * Body checks for the backend routes, answering like @hono/zod-validator's default hook:
 * 400 `{"success":false,"error":{"issues":[...],"name":"ZodError"}}` (docs/protocol/backend.md §5.1,
 * "Body-validation failures fall to library defaults").
 */

export interface Issue {
  code: string;
  expected?: string;
  received?: string;
  path: Array<string | number>;
  message: string;
  options?: readonly string[];
}

export type FieldType = 'string' | 'number' | 'boolean' | 'string[]' | 'object' | 'nonEmptyString' | { enum: readonly string[] };

export interface FieldSpec {
  type: FieldType;
  optional?: boolean;
  /** Accepts null too (the SDK sends null for unset optionals). */
  nullable?: boolean;
}

function received(v: unknown): string {
  if (v === undefined) return 'undefined';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number' && Number.isNaN(v)) return 'nan';
  return typeof v;
}

function checkField(name: string, v: unknown, spec: FieldSpec, issues: Issue[]): void {
  if (v === undefined) {
    if (!spec.optional) issues.push({ code: 'invalid_type', expected: expectedOf(spec.type), received: 'undefined', path: [name], message: 'Required' });
    return;
  }
  if (v === null) {
    if (!spec.nullable && !spec.optional) {
      issues.push({ code: 'invalid_type', expected: expectedOf(spec.type), received: 'null', path: [name], message: `Expected ${expectedOf(spec.type)}, received null` });
    } else if (!spec.nullable) {
      issues.push({ code: 'invalid_type', expected: expectedOf(spec.type), received: 'null', path: [name], message: `Expected ${expectedOf(spec.type)}, received null` });
    }
    return;
  }
  const t = spec.type;
  if (typeof t === 'object') {
    if (typeof v !== 'string' || !t.enum.includes(v)) {
      issues.push({
        code: 'invalid_enum_value',
        options: t.enum,
        received: String(v),
        path: [name],
        message: `Invalid enum value. Expected ${t.enum.map((o) => `'${o}'`).join(' | ')}, received '${String(v)}'`,
      });
    }
    return;
  }
  if (t === 'string[]') {
    if (!Array.isArray(v)) {
      issues.push({ code: 'invalid_type', expected: 'array', received: received(v), path: [name], message: `Expected array, received ${received(v)}` });
      return;
    }
    v.forEach((item, i) => {
      if (typeof item !== 'string') {
        issues.push({ code: 'invalid_type', expected: 'string', received: received(item), path: [name, i], message: `Expected string, received ${received(item)}` });
      }
    });
    return;
  }
  if (t === 'object') {
    if (typeof v !== 'object' || Array.isArray(v)) {
      issues.push({ code: 'invalid_type', expected: 'object', received: received(v), path: [name], message: `Expected object, received ${received(v)}` });
    }
    return;
  }
  const base = t === 'nonEmptyString' ? 'string' : t;
  if (typeof v !== base) {
    issues.push({ code: 'invalid_type', expected: base, received: received(v), path: [name], message: `Expected ${base}, received ${received(v)}` });
    return;
  }
  if (t === 'nonEmptyString' && (v as string).length < 1) {
    issues.push({ code: 'too_small', path: [name], message: 'String must contain at least 1 character(s)' });
  }
}

function expectedOf(t: FieldType): string {
  if (typeof t === 'object') return t.enum.map((o) => `'${o}'`).join(' | ');
  if (t === 'string[]') return 'array';
  if (t === 'nonEmptyString') return 'string';
  return t;
}

/** Returns the issues of `body` against `schema` (an empty list when it is valid). */
export function validate(body: unknown, schema: Record<string, FieldSpec>): Issue[] {
  const issues: Issue[] = [];
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    issues.push({ code: 'invalid_type', expected: 'object', received: received(body), path: [], message: `Expected object, received ${received(body)}` });
    return issues;
  }
  const obj = body as Record<string, unknown>;
  for (const [name, spec] of Object.entries(schema)) checkField(name, obj[name], spec, issues);
  return issues;
}

export function zodErrorBody(issues: Issue[]): object {
  return { success: false, error: { issues, name: 'ZodError' } };
}
