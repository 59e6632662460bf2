/**
 * Generates docs/configuration.md from the zod schemas themselves (keys, types, ranges, defaults)
 * and the doc comments next to them in the source (meanings), so the reference cannot drift from
 * what the daemon accepts. Dev tool: `node --import tsx src/config/config-docs.ts` rewrites the file,
 * `--check` exits 1 when it is stale. Comments are read with the TypeScript compiler (a dev
 * dependency, imported only here), from object-literal keys and from interface members.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ts from 'typescript';
import type { z } from 'zod';
import { daemonConfigSchema } from './daemon-config.ts';
import {
  agentBlockSchema,
  agentSpecSchema,
  continualSpecConfigSchema,
  envBlockSchema,
  envWrapperSchema,
  networksBlockSchema,
  regularizersSchema,
  streamBlockSchema,
} from './agent-spec.ts';
import { auditConfigSchema, curvatureConfigSchema, monitorConfigSchema, resetPolicyConfigSchema } from './monitor-config.ts';
import { DEFAULT_DQN_CONFIG, dqnConfigSchema } from '../../agents/dqn.ts';
import { DEFAULT_PPO_CONFIG, ppoConfigSchema } from '../../agents/ppo.ts';
import { streamAcConfigSchema } from '../../agents/stream-ac.ts';
import { DEFAULT_CONTINUAL_CONFIG } from '../../agents/continual.ts';
import { adamConfigSchema, optimizerConfigSchema, sgdConfigSchema } from '../../agents/optimizer-schema.ts';

const ROOT = new URL('../../', import.meta.url);
export const CONFIGURATION_DOC = fileURLToPath(new URL('docs/configuration.md', ROOT));

/** Files whose doc comments describe the keys. */
const SOURCES = [
  'src/config/daemon-config.ts', 'src/config/agent-spec.ts', 'src/config/monitor-config.ts',
  'agents/dqn.ts', 'agents/ppo.ts', 'agents/stream-ac.ts', 'agents/continual.ts', 'src/nn/optimizers/optimizer.ts',
];

interface Section {
  title: string;
  anchor: string;
  schema: z.ZodType;
  /** Where the keys' comments live: `variable` or `Interface` names, tried in order. */
  owners: string[];
  /** Defaults applied by the code rather than by the schema. */
  defaults?: Record<string, unknown>;
  intro: string;
}

const SECTIONS: Section[] = [
  { title: 'Daemon config', anchor: 'daemon-config', schema: daemonConfigSchema, owners: ['daemonConfigSchema'], intro: 'The file given to `plasticd serve --config file.yaml` (YAML or JSON). Command-line flags override it; `PLASTICD_TOKEN` supplies `token` when neither gives one. Unknown keys are errors.' },
  { title: 'Agent spec', anchor: 'agent-spec', schema: agentSpecSchema, owners: ['agentSpecSchema'], intro: 'One agent: the body of `POST /api/agents`, and each entry of `agents` in the daemon config. Give exactly one of `env` (RL agents) and `stream` (the continual learner).' },
  { title: 'env', anchor: 'env', schema: envBlockSchema, owners: ['envBlockSchema'], intro: 'A Gymnasium-style environment, built with `make(id, kwargs)`.' },
  { title: 'env.wrappers[]', anchor: 'env-wrappers', schema: envWrapperSchema, owners: ['envWrapperSchema'], intro: 'Extra wrappers around the environment, innermost first; each is `{kind, options}`.' },
  { title: 'stream', anchor: 'stream', schema: streamBlockSchema, owners: ['streamBlockSchema'], intro: 'A supervised continual-learning stream for the `continual` agent.' },
  { title: 'agent (kind: dqn)', anchor: 'agent-dqn', schema: dqnConfigSchema, owners: ['DqnConfig'], defaults: DEFAULT_DQN_CONFIG as unknown as Record<string, unknown>, intro: 'DQN (agents/dqn.ts), discrete actions. Every key is optional.' },
  { title: 'agent (kind: ppo)', anchor: 'agent-ppo', schema: ppoConfigSchema, owners: ['PpoConfig'], defaults: DEFAULT_PPO_CONFIG as unknown as Record<string, unknown>, intro: 'PPO (agents/ppo.ts), discrete or continuous actions. Every key is optional.' },
  { title: 'agent (kind: stream-ac)', anchor: 'agent-stream-ac', schema: streamAcConfigSchema, owners: ['streamAcConfigSchema'], intro: 'Streaming actor-critic AC(λ) with ObGD (agents/stream-ac.ts), batch size one. Every key is optional.' },
  { title: 'agent (kind: continual)', anchor: 'agent-continual', schema: continualSpecConfigSchema, owners: ['continualSpecConfigSchema'], defaults: DEFAULT_CONTINUAL_CONFIG as unknown as Record<string, unknown>, intro: 'The continual learner of Dohare et al. (agents/continual.ts), for supervised streams. Every key is optional.' },
  { title: 'optimizer (kind: sgd)', anchor: 'optimizer-sgd', schema: sgdConfigSchema, owners: ['SgdConfig'], intro: 'Plain SGD (src/nn/optimizers).' },
  { title: 'optimizer (kind: adam)', anchor: 'optimizer-adam', schema: adamConfigSchema, owners: ['AdamConfig'], intro: 'Adam (src/nn/optimizers).' },
  { title: 'networks', anchor: 'networks', schema: networksBlockSchema, owners: ['networksBlockSchema'], intro: 'Settings shared by the agent\'s networks; `hidden`, `activation` and `init` are shorthands for the agent\'s own keys (setting both is an error).' },
  { title: 'regularizers', anchor: 'regularizers', schema: regularizersSchema, owners: ['regularizersSchema'], intro: 'Regularizers against loss of plasticity (src/nn/regularizers.ts); `{}` turns one on with its defaults. Default: none.' },
  { title: 'monitor', anchor: 'monitor', schema: monitorConfigSchema, owners: ['monitorConfigSchema'], intro: 'The plasticity monitor (src/config/monitor-config.ts): unit utilities, the reset policy, window metrics, the curvature probe and the reset audit. `{}` is a complete config.' },
  { title: 'monitor.resetPolicy', anchor: 'reset-policy', schema: resetPolicyConfigSchema, owners: ['resetPolicyConfigSchema'], intro: 'Which units are reset, and when (algorithms.md §2).' },
  { title: 'monitor.audit', anchor: 'audit', schema: auditConfigSchema, owners: ['auditConfigSchema'], intro: 'The reset audit (algorithms.md §2.1); `null` turns it off.' },
  { title: 'monitor.curvature', anchor: 'curvature', schema: curvatureConfigSchema, owners: ['curvatureConfigSchema'], intro: 'The Gauss–Newton curvature srank (algorithms.md §3.9); `null` turns it off.' },
];

/** Exported schemas by variable name: a key without a comment of its own takes its schema's comment. */
const SCHEMA_VARIABLES = new Map<z.ZodType, string>([
  [agentBlockSchema, 'agentBlockSchema'], [networksBlockSchema, 'networksBlockSchema'], [regularizersSchema, 'regularizersSchema'],
  [resetPolicyConfigSchema, 'resetPolicyConfigSchema'], [optimizerConfigSchema, 'optimizerConfigSchema'], [envWrapperSchema, 'envWrapperSchema'],
]);

/** Keys the source leaves without a doc comment (worth adding there; until then, documented here). */
const EXTRA_COMMENTS: Record<string, string> = {
  'SgdConfig.kind': "'sgd' selects this optimizer.",
  'SgdConfig.learningRate': 'Step size α.',
  'AdamConfig.kind': "'adam' selects this optimizer.",
  'AdamConfig.learningRate': 'Step size α.',
  'resetPolicyConfigSchema': 'Which units are reset, and when: see monitor.resetPolicy.',
  'optimizerConfigSchema': 'The optimizer: see optimizer (kind: sgd) and optimizer (kind: adam).',
};

// ───────────────────────────── doc comments ─────────────────────────────

/** `owner.key.path` → comment text, for object-literal keys (owner = variable) and interface members. */
export function collectComments(files: readonly string[] = SOURCES): Map<string, string> {
  const comments = new Map<string, string>();
  for (const file of files) {
    const text = readFileSync(fileURLToPath(new URL(file, ROOT)), 'utf8');
    const source = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true);
    const leading = (node: ts.Node): string | undefined => {
      const ranges = ts.getLeadingCommentRanges(text, node.getFullStart()) ?? [];
      const doc = ranges.filter((range) => text.startsWith('/**', range.pos)).at(-1);
      return doc ? cleanComment(text.slice(doc.pos, doc.end)) : undefined;
    };
    const record = (key: string, node: ts.Node) => {
      const comment = leading(node);
      if (comment !== undefined && !comments.has(key)) comments.set(key, comment);
    };
    const walkValue = (node: ts.Node, owner: string, path: string[]): void => {
      if (ts.isObjectLiteralExpression(node)) {
        for (const property of node.properties) {
          if (!ts.isPropertyAssignment(property) || !(ts.isIdentifier(property.name) || ts.isStringLiteral(property.name))) continue;
          const next = [...path, property.name.text];
          record(`${owner}.${next.join('.')}`, property);
          walkValue(property.initializer, owner, next);
        }
        return;
      }
      if (ts.isArrayLiteralExpression(node)) {
        // Union options: the comment before each option describes it, keyed by its `kind` literal.
        for (const element of node.elements) {
          const kind = literalKind(element);
          if (kind !== undefined) record(`${owner}.kind=${kind}`, element);
          walkValue(element, owner, path);
        }
        return;
      }
      ts.forEachChild(node, (child) => walkValue(child, owner, path));
    };
    const visit = (node: ts.Node): void => {
      if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && node.initializer) {
        if (ts.isVariableDeclarationList(node.parent) && ts.isVariableStatement(node.parent.parent)) record(node.name.text, node.parent.parent);
        walkValue(node.initializer, node.name.text, []);
      } else if (ts.isInterfaceDeclaration(node)) {
        for (const member of node.members) {
          if (ts.isPropertySignature(member) && ts.isIdentifier(member.name)) record(`${node.name.text}.${member.name.text}`, member);
        }
      } else ts.forEachChild(node, visit);
    };
    visit(source);
  }
  for (const [key, comment] of Object.entries(EXTRA_COMMENTS)) if (!comments.has(key)) comments.set(key, comment);
  return comments;
}

function cleanComment(raw: string): string {
  return raw
    .replace(/^\/\*\*|\*\/$/g, '')
    .split('\n')
    .map((line) => line.replace(/^\s*\*\s?/, '').trim())
    .join(' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** `'x'` when `node` contains `kind: z.literal('x')` at its top level. */
function literalKind(node: ts.Node): string | undefined {
  const match = /kind:\s*z\.literal\('([^']+)'\)/.exec(node.getText());
  return match?.[1];
}

// ───────────────────────────── schema walking ─────────────────────────────

interface Def {
  type: string;
  innerType?: z.ZodType;
  defaultValue?: unknown;
  in?: z.ZodType;
  element?: z.ZodType;
  valueType?: z.ZodType;
  options?: z.ZodType[];
  entries?: Record<string, unknown>;
  values?: unknown[];
  shape?: Record<string, z.ZodType>;
  format?: string;
  pattern?: RegExp;
  checks?: Array<{ _zod: { def: { check: string; value?: unknown; inclusive?: boolean; minimum?: number; format?: string; pattern?: RegExp } } }>;
}

const defOf = (schema: z.ZodType): Def => (schema as unknown as { _zod: { def: Def } })._zod.def;

/** Strips optional/default/nullable/pipe wrappers; reports what they said. */
function unwrap(schema: z.ZodType): { core: z.ZodType; optional: boolean; nullable: boolean; hasDefault: boolean; defaultValue: unknown } {
  let core = schema;
  let optional = false;
  let nullable = false;
  let hasDefault = false;
  let defaultValue: unknown;
  for (;;) {
    const def = defOf(core);
    if (def.type === 'optional') optional = true;
    else if (def.type === 'nullable') nullable = true;
    else if (def.type === 'default') {
      if (!hasDefault) defaultValue = def.defaultValue;
      hasDefault = true;
    } else if (def.type === 'pipe') {
      core = def.in!;
      continue;
    } else return { core, optional, nullable, hasDefault, defaultValue };
    core = def.innerType!;
  }
}

function objectShape(schema: z.ZodType): Record<string, z.ZodType> | null {
  const def = defOf(unwrap(schema).core);
  return def.type === 'object' ? def.shape! : null;
}

function unionOptions(schema: z.ZodType): z.ZodType[] | null {
  const def = defOf(unwrap(schema).core);
  return def.type === 'union' ? def.options! : null;
}

function range(def: Def): string {
  const parts: string[] = [];
  for (const check of def.checks ?? []) {
    const c = check._zod.def;
    if (c.check === 'greater_than') parts.push(`${c.inclusive ? '≥' : '>'} ${String(c.value)}`);
    else if (c.check === 'less_than') parts.push(`${c.inclusive ? '≤' : '<'} ${String(c.value)}`);
    else if (c.check === 'min_length' && (c.minimum ?? 0) > 0) parts.push(`length ≥ ${c.minimum}`);
    else if (c.check === 'max_length') parts.push(`length ≤ ${String((c as { maximum?: number }).maximum)}`);
    else if (c.check === 'string_format' && c.format === 'regex' && c.pattern) parts.push(`matches \`${c.pattern.source}\``);
  }
  return parts.length > 0 ? ` (${parts.join(', ')})` : '';
}

/** A short type for the table, linking object schemas that have their own section. */
function typeOf(schema: z.ZodType, sections: Map<z.ZodType, Section>): string {
  const { core, nullable } = unwrap(schema);
  const linked = sections.get(core) ?? sections.get(schema);
  const def = defOf(core);
  let text: string;
  if (linked) text = `object → [${linked.title}](#${linked.anchor})`;
  else {
    switch (def.type) {
      case 'string': text = `string${range(def)}`; break;
      case 'number': {
        const integer = /int/.test(def.format ?? '') || (def.checks ?? []).some((check) => check._zod.def.check === 'number_format' && /int/.test(check._zod.def.format ?? ''));
        text = `${integer ? 'integer' : 'number'}${range(def)}`;
        break;
      }
      case 'boolean': text = 'boolean'; break;
      case 'enum': text = Object.values(def.entries!).map((value) => `\`${String(value)}\``).join(' | '); break;
      case 'literal': text = def.values!.map((value) => `\`${String(value)}\``).join(' | '); break;
      case 'array': text = `list of ${typeOf(def.element!, sections)}${range(def)}`; break;
      case 'record': text = `map of string → ${typeOf(def.valueType!, sections)}`; break;
      case 'unknown': case 'any': text = 'any'; break;
      case 'object': text = 'object'; break;
      case 'union': {
        const linkedOptions = def.options!.map((option) => sections.get(unwrap(option).core) ?? sectionOfExtended(option, sections));
        text = linkedOptions.every(Boolean)
          ? `one of ${linkedOptions.map((s) => `[${s!.title}](#${s!.anchor})`).join(', ')}`
          : def.options!.map((option) => typeOf(option, sections)).join(' | ');
        break;
      }
      default: text = def.type;
    }
  }
  return nullable ? `${text} | null` : text;
}

/** The section whose schema `option` was `.extend()`ed from (same field schemas, plus `kind`). */
function sectionOfExtended(option: z.ZodType, sections: Map<z.ZodType, Section>): Section | undefined {
  const shape = objectShape(option);
  if (!shape) return undefined;
  const fields = Object.entries(shape).filter(([key]) => key !== 'kind');
  if (fields.length === 0) return undefined;
  for (const section of sections.values()) {
    const own = objectShape(section.schema);
    if (own && fields.every(([key, field]) => own[key] !== undefined && unwrap(own[key]).core === unwrap(field).core)) return section;
  }
  return undefined;
}

function formatDefault(value: unknown, linked: boolean): string {
  if (value === undefined) return '—';
  const json = JSON.stringify(value);
  if (json.length > 90) return linked ? "its keys' defaults" : '(see the keys below)';
  return `\`${json}\``;
}

interface Row {
  key: string;
  type: string;
  default: string;
  description: string;
}

function describeKey(comments: Map<string, string>, owners: string[], path: string): string | undefined {
  for (const owner of owners) {
    const found = comments.get(`${owner}.${path}`);
    if (found !== undefined) return found;
  }
  return undefined;
}

function sectionRows(section: Section, comments: Map<string, string>, sections: Map<z.ZodType, Section>): Row[] {
  const rows: Row[] = [];
  const addObject = (shape: Record<string, z.ZodType>, prefix: string, defaults: Record<string, unknown> | undefined, parentDescription: string | undefined) => {
    for (const [key, field] of Object.entries(shape)) {
      const path = prefix ? `${prefix}.${key}` : key;
      const info = unwrap(field);
      const linked = sections.get(info.core);
      const variable = SCHEMA_VARIABLES.get(info.core) ?? SCHEMA_VARIABLES.get(field);
      const description =
        describeKey(comments, section.owners, path) ??
        (variable !== undefined ? comments.get(variable) : undefined) ??
        (linked !== undefined ? comments.get(linked.owners[0]) : undefined) ??
        (prefix ? `Part of \`${prefix}\`${parentDescription ? ' (above)' : ''}.` : undefined);
      const defaultValue = info.hasDefault ? info.defaultValue : defaults?.[key];
      const required = !info.optional && !info.hasDefault && !section.defaults;
      rows.push({
        key: `\`${path}\``,
        type: typeOf(field, sections),
        default: required ? '**required**' : formatDefault(defaultValue, linked !== undefined),
        description: description ?? '',
      });
      // Inline objects without a section of their own are listed key by key.
      const inner = objectShape(field);
      if (inner && !sections.has(info.core)) addObject(inner, path, isRecord(defaultValue) ? defaultValue : undefined, description);
    }
  };
  const shape = objectShape(section.schema);
  if (shape) addObject(shape, '', section.defaults, undefined);
  for (const option of unionOptions(section.schema) ?? []) {
    const optionShape = objectShape(option)!;
    const kind = defOf(unwrap(optionShape.kind).core).values![0] as string;
    rows.push({ key: `\`kind: ${kind}\``, type: 'option', default: '', description: describeKey(comments, section.owners, `kind=${kind}`) ?? '' });
    const rest = Object.fromEntries(Object.entries(optionShape).filter(([key]) => key !== 'kind'));
    const before = rows.length;
    addObject(rest, '', undefined, undefined);
    for (const row of rows.slice(before)) {
      row.key = row.key.replace(/^`/, `\`${kind}: `);
      if (row.description === '') row.description = `Of \`kind: ${kind}\` (see its row).`;
    }
  }
  return rows;
}

const isRecord = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

const escapeCell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** The whole markdown document. */
export function renderConfigurationDoc(comments: Map<string, string> = collectComments()): string {
  const sections = new Map<z.ZodType, Section>();
  for (const section of SECTIONS) sections.set(unwrap(section.schema).core, section);
  const lines: string[] = [
    '# Configuration reference',
    '',
    '<!-- Generated by `node --import tsx src/config/config-docs.ts` from the zod schemas and their doc comments; do not edit by hand. -->',
    '',
    'Every key the daemon accepts, with its type, default and meaning. Unknown keys are errors everywhere (a typo is never ignored).',
    'Types come from the schemas that validate the config; **required** marks keys without a default.',
    '',
    'Contents: ' + SECTIONS.map((section) => `[${section.title}](#${section.anchor})`).join(' · '),
    '',
  ];
  for (const section of SECTIONS) {
    lines.push(`<a id="${section.anchor}"></a>`, `## ${section.title}`, '', section.intro, '', '| key | type | default | meaning |', '| --- | --- | --- | --- |');
    for (const row of sectionRows(section, comments, sections)) lines.push(`| ${row.key} | ${escapeCell(row.type)} | ${escapeCell(row.default)} | ${escapeCell(row.description)} |`);
    lines.push('');
  }
  lines.push(readFileSync(fileURLToPath(new URL('src/config/config-docs-notes.md', ROOT)), 'utf8').trimEnd(), '');
  return lines.join('\n');
}

/** Keys whose meaning the source does not document (the doc test wants none). */
export function undocumentedKeys(comments: Map<string, string> = collectComments()): string[] {
  const sections = new Map<z.ZodType, Section>();
  for (const section of SECTIONS) sections.set(unwrap(section.schema).core, section);
  return SECTIONS.flatMap((section) => sectionRows(section, comments, sections).filter((row) => row.description === '').map((row) => `${section.title}: ${row.key}`));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const text = renderConfigurationDoc();
  if (process.argv.includes('--check')) {
    const current = readFileSync(CONFIGURATION_DOC, 'utf8');
    if (current !== text) {
      console.error('docs/configuration.md is stale: run `node --import tsx src/config/config-docs.ts`');
      process.exit(1);
    }
  } else {
    writeFileSync(CONFIGURATION_DOC, text);
    console.log(`wrote ${CONFIGURATION_DOC}`);
  }
}
