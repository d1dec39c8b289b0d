import { InvalidArgumentError } from '../tracking/trackingErrors';
import type { LineageNodeRef } from './lineageTypes';

const KIND = /^[a-z][A-Za-z0-9]*$/;

export function nodeKey(node: LineageNodeRef): string {
  return `${node.kind}:${node.id}`;
}

/** Checks a node before it is recorded: a lowerCamelCase kind and a non-empty id. */
export function checkNode(node: LineageNodeRef): LineageNodeRef {
  if (!KIND.test(node.kind)) throw new InvalidArgumentError(`Lineage node kind "${node.kind}" is not valid: use a lowerCamelCase word such as dataset, run, modelVersion or endpoint.`);
  if (typeof node.id !== 'string' || node.id === '') throw new InvalidArgumentError(`A lineage node of kind "${node.kind}" needs a non-empty id.`);
  return node;
}

/** Parses "kind:id" (the id may contain ":"). */
export function parseNodeKey(key: string): LineageNodeRef {
  const colon = key.indexOf(':');
  if (colon <= 0 || colon === key.length - 1) throw new InvalidArgumentError(`"${key}" is not a lineage node: expected KIND:ID, e.g. run:<run id>, dataset:<digest> or modelVersion:<name>/<version>.`);
  return checkNode({ kind: key.slice(0, colon), id: key.slice(colon + 1) });
}

export function modelVersionNode(name: string, version: number): LineageNodeRef {
  return { kind: 'modelVersion', id: `${name}/${version}` };
}

export function runNode(runId: string): LineageNodeRef {
  return { kind: 'run', id: runId };
}

export function datasetNode(digest: string): LineageNodeRef {
  return { kind: 'dataset', id: digest };
}
