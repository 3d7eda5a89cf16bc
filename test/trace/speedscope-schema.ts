/**
 * Checks a speedscope file against the published schema that ships with the speedscope package
 * (node_modules/speedscope/dist/release/file-format-schema.json): the required fields, types,
 * constants and enums of the file, its frames and its profiles, as the schema states them; and
 * that every sample's frame indices exist.
 */
import fs from 'node:fs';
import path from 'node:path';

interface SchemaNode {
  type?: string;
  const?: unknown;
  enum?: unknown[];
  required?: string[];
  properties?: Record<string, SchemaNode>;
  items?: SchemaNode;
  anyOf?: SchemaNode[];
  $ref?: string;
}

const SCHEMA_FILE = path.resolve(__dirname, '..', '..', 'node_modules', 'speedscope', 'dist', 'release', 'file-format-schema.json');

export function speedscopeProblems(file: unknown): string[] {
  const schema = JSON.parse(fs.readFileSync(SCHEMA_FILE, 'utf8')) as { definitions: Record<string, SchemaNode> };
  const problems: string[] = [];
  const resolve = (node: SchemaNode): SchemaNode => (node.$ref ? (schema.definitions[node.$ref.replace('#/definitions/', '')] as SchemaNode) : node);
  const check = (value: unknown, node: SchemaNode, at: string): boolean => {
    node = resolve(node);
    if (node.anyOf) {
      const ok = node.anyOf.some((option) => {
        const before = problems.length;
        const fits = check(value, option, at);
        problems.length = before;
        return fits;
      });
      if (!ok) problems.push(`${at}: matches none of the schema's alternatives`);
      return ok;
    }
    const start = problems.length;
    if (node.const !== undefined && value !== node.const) problems.push(`${at}: must be ${JSON.stringify(node.const)}`);
    if (node.enum && !node.enum.includes(value)) problems.push(`${at}: must be one of ${node.enum.join(', ')}`);
    if (node.type === 'number' && typeof value !== 'number') problems.push(`${at}: must be a number`);
    if (node.type === 'string' && typeof value !== 'string') problems.push(`${at}: must be a string`);
    if (node.type === 'array') {
      if (!Array.isArray(value)) problems.push(`${at}: must be an array`);
      else if (node.items) value.forEach((item, i) => check(item, node.items as SchemaNode, `${at}[${i}]`));
    }
    if (node.type === 'object') {
      if (typeof value !== 'object' || value === null) problems.push(`${at}: must be an object`);
      else {
        const record = value as Record<string, unknown>;
        for (const key of node.required ?? []) if (!(key in record)) problems.push(`${at}: lacks required "${key}"`);
        for (const [key, child] of Object.entries(node.properties ?? {})) if (key in record) check(record[key], child, `${at}.${key}`);
      }
    }
    return problems.length === start;
  };
  check(file, { $ref: '#/definitions/FileFormat.File' }, 'file');
  const { shared, profiles } = file as { shared?: { frames?: unknown[] }; profiles?: Array<{ samples?: number[][] }> };
  const frames = shared?.frames?.length ?? 0;
  profiles?.forEach((profile, p) =>
    profile.samples?.forEach((stack, s) => {
      if (stack.some((index) => !Number.isInteger(index) || index < 0 || index >= frames)) problems.push(`profiles[${p}].samples[${s}]: a frame index out of range`);
    }),
  );
  return problems;
}
