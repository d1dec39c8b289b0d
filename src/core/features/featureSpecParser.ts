/** Reads and validates features.yaml: YAML syntax, the JSON schema, then references and expressions; every issue has line, column and field. */
import Ajv, { type ErrorObject } from 'ajv';
import { dirname, resolve } from 'node:path';
import { LineCounter, parseDocument, type Document } from 'yaml';
import featuresSchema from '../../../schemas/features.schema.json';
import { fieldName, SpecError, type SpecIssue } from '../training/specErrors';
import { parseDuration, type AggregateFunction, type EntityDef, type FeatureDef, type FeatureRepo, type FeatureType, type FeatureViewDef, type SourceDef } from './featureSpec';
import { ExpressionError, parseExpression, type ExprNode } from './rowExpression';
import { specDocumentValue } from '../training/specDocumentValue';
import { readSpecText } from '../training/specFileText';

interface RawRepo {
  entities: { name: string; join_keys: string[]; description?: string }[];
  sources: { name: string; path: string; timestamp: string; description?: string }[];
  feature_views: {
    name: string;
    entities: string[];
    source: string;
    ttl?: string;
    owner?: string;
    description?: string;
    tags?: string[];
    features: { name: string; type: FeatureType; expr?: string; aggregate?: { function: AggregateFunction; column?: string; window: string }; description?: string; tags?: string[] }[];
  }[];
}

let compiled: ReturnType<Ajv['compile']> | undefined;
function validator(): ReturnType<Ajv['compile']> {
  compiled ??= new Ajv({ allErrors: true, strict: false }).compile(featuresSchema);
  return compiled;
}

export async function loadFeatureRepo(path: string): Promise<FeatureRepo> {
  return parseFeatureRepo(await readSpecText(path, 'the feature definitions'), path);
}

export function parseFeatureRepo(text: string, file: string): FeatureRepo {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  const position = (offset: number): { line: number; column: number } => {
    const p = lineCounter.linePos(offset);
    return { line: p.line, column: p.col };
  };
  if (doc.errors.length > 0) throw new SpecError(file, doc.errors.map((e) => ({ message: e.message.split('\n')[0] ?? e.message, field: '', ...position(e.pos[0]) })));
  const value: unknown = specDocumentValue(doc, file, position);
  if (value === null || value === undefined) throw new SpecError(file, [{ message: 'the file is empty: it needs entities, sources and feature_views', field: '', line: 1, column: 1 }]);
  const at = (path: readonly (string | number)[], key = false): { line: number; column: number } => locate(doc, path, position, key);
  const validate = validator();
  if (!validate(value)) throw new SpecError(file, (validate.errors ?? []).map((e) => schemaIssue(e, at)));
  const raw = value as RawRepo;
  const issues: SpecIssue[] = [];
  const issue = (path: (string | number)[], message: string): void => void issues.push({ message, field: fieldName(path), ...at(path) });
  const base = dirname(file);

  const entities: EntityDef[] = [];
  raw.entities.forEach((e, i) => {
    if (entities.some((x) => x.name === e.name)) issue(['entities', i, 'name'], `the entity "${e.name}" is defined twice`);
    entities.push({ name: e.name, joinKeys: e.join_keys, ...(e.description ? { description: e.description } : {}) });
  });
  const sources: SourceDef[] = [];
  raw.sources.forEach((s, i) => {
    if (sources.some((x) => x.name === s.name)) issue(['sources', i, 'name'], `the source "${s.name}" is defined twice`);
    sources.push({ name: s.name, path: resolve(base, s.path), timestamp: s.timestamp, ...(s.description ? { description: s.description } : {}) });
  });
  const views: FeatureViewDef[] = [];
  raw.feature_views.forEach((v, i) => {
    const here = ['feature_views', i];
    if (views.some((x) => x.name === v.name)) issue([...here, 'name'], `the feature view "${v.name}" is defined twice`);
    const joinKeys: string[] = [];
    v.entities.forEach((name, j) => {
      const entity = entities.find((e) => e.name === name);
      if (!entity) issue([...here, 'entities', j], `unknown entity "${name}" (defined: ${entities.map((e) => e.name).join(', ')})`);
      else joinKeys.push(...entity.joinKeys);
    });
    const source = sources.find((s) => s.name === v.source);
    if (!source) issue([...here, 'source'], `unknown source "${v.source}" (defined: ${sources.map((s) => s.name).join(', ')})`);
    const features: FeatureDef[] = [];
    v.features.forEach((f, j) => {
      const fpath = [...here, 'features', j];
      if (features.some((x) => x.name === f.name)) issue([...fpath, 'name'], `the feature "${f.name}" is defined twice in "${v.name}"`);
      if (f.expr !== undefined && f.aggregate !== undefined) issue([...fpath, 'aggregate'], 'a feature has either expr or aggregate, not both');
      let expr: ExprNode | undefined;
      if (f.expr !== undefined) {
        try {
          expr = parseExpression(f.expr);
        } catch (error) {
          if (!(error instanceof ExpressionError)) throw error;
          issue([...fpath, 'expr'], `bad expression: ${error.message}`);
        }
      }
      let aggregate: FeatureDef['aggregate'];
      if (f.aggregate) {
        if (f.aggregate.function !== 'count' && !f.aggregate.column) issue([...fpath, 'aggregate'], `${f.aggregate.function} needs a column`);
        aggregate = { fn: f.aggregate.function, ...(f.aggregate.column ? { column: f.aggregate.column } : {}), windowMs: parseDuration(f.aggregate.window) ?? 0 };
      }
      features.push({
        name: f.name,
        type: f.type,
        ...(expr ? { expr } : !aggregate ? { expr: { kind: 'column', name: f.name } as ExprNode } : {}),
        ...(aggregate ? { aggregate } : {}),
        ...(f.description ? { description: f.description } : {}),
        tags: f.tags ?? [],
      });
    });
    if (source) {
      views.push({
        name: v.name,
        entities: v.entities,
        joinKeys,
        source,
        ttlMs: v.ttl === undefined ? null : (parseDuration(v.ttl) ?? null),
        ...(v.owner ? { owner: v.owner } : {}),
        ...(v.description ? { description: v.description } : {}),
        tags: v.tags ?? [],
        features,
      });
    }
  });
  if (issues.length > 0) throw new SpecError(file, issues);
  return { file, entities, sources, views };
}

function schemaIssue(error: ErrorObject, at: (path: (string | number)[], key?: boolean) => { line: number; column: number }): SpecIssue {
  const path = error.instancePath.split('/').slice(1).map((p) => (/^\d+$/.test(p) ? Number(p) : p.replace(/~1/g, '/').replace(/~0/g, '~')));
  const field = fieldName(path);
  let message = `${field || 'the document'} ${error.message ?? 'is invalid'}`;
  if (error.keyword === 'additionalProperties') {
    const extra = (error.params as { additionalProperty: string }).additionalProperty;
    message = `${field ? `${field} has` : 'unknown top-level field'} an unknown field "${extra}"`;
    return { message, field: fieldName([...path, extra]), ...at([...path, extra], true) };
  }
  if (error.keyword === 'required') message = `${field || 'the document'} needs "${(error.params as { missingProperty: string }).missingProperty}"`;
  if (error.keyword === 'enum') message = `${field} must be one of: ${((error.params as { allowedValues: unknown[] }).allowedValues ?? []).join(', ')}`;
  if (error.keyword === 'pattern' && /ttl|window/.test(field)) message = `${field} must be a duration such as 90s, 15m, 12h, 30d or 2w`;
  return { message, field, ...at(path) };
}

function locate(doc: Document, path: readonly (string | number)[], position: (offset: number) => { line: number; column: number }, preferKey: boolean): { line: number; column: number } {
  for (let n = path.length; n >= 0; n--) {
    const node = doc.getIn(path.slice(0, n), true) as { range?: [number, number, number] } | undefined;
    if (!preferKey && node && typeof node === 'object' && node.range) return position(node.range[0]);
    // an unknown field (or a key with no value): point at the key itself in the parent map
    if (n === path.length && n > 0) {
      const parent = doc.getIn(path.slice(0, n - 1), true) as { items?: { key?: { value?: unknown; range?: [number, number, number] } }[] } | undefined;
      const key = parent?.items?.find((item) => item.key?.value === path[n - 1])?.key;
      if (key?.range) return position(key.range[0]);
      if (node && typeof node === 'object' && node.range) return position(node.range[0]);
    }
  }
  return { line: 1, column: 1 };
}
