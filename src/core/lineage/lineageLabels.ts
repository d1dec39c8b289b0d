import type { DurableDatabase } from '../store/durableDatabase';
import { nodeKey } from './lineageNodes';
import type { LineageNode, LineageNodeRef } from './lineageTypes';

/** Display name and detail of a node, read from whichever tables own that kind of thing. */
export function describeNode(db: DurableDatabase, node: LineageNodeRef): LineageNode {
  const key = nodeKey(node);
  const recorded = db.rows('SELECT label FROM lineage_nodes WHERE kind = ? AND id = ?', [node.kind, node.id])[0]?.[0];
  const base = { kind: node.kind, id: node.id, key };
  switch (node.kind) {
    case 'run': {
      const row = db.rows('SELECT run_name, status, lifecycle_stage FROM runs WHERE run_id = ?', [node.id])[0];
      if (!row) return { ...base, label: `run ${node.id.slice(0, 8)}`, missing: true };
      const [name, status, stage] = row;
      return { ...base, label: `run ${String(name) || node.id.slice(0, 8)}`, target: `runs:/${node.id}`, detail: `${String(status).toLowerCase()}${stage === 'deleted' ? ', deleted' : ''} · ${node.id}`, ...(stage === 'deleted' ? { missing: true } : {}) };
    }
    case 'dataset': {
      const row = db.rows('SELECT name, source FROM run_inputs WHERE digest = ? LIMIT 1', [node.id])[0];
      const label = recorded !== undefined ? String(recorded) : row ? String(row[0]) : `dataset ${node.id.slice(0, 12)}`;
      return { ...base, label, detail: `${row ? `${String(row[1])} · ` : ''}digest ${node.id}`, ...(row ? { target: String(row[1]) } : {}) };
    }
    case 'modelVersion': {
      const slash = node.id.lastIndexOf('/');
      const name = node.id.slice(0, slash);
      const version = Number(node.id.slice(slash + 1));
      const row = db.rows('SELECT v.current_stage, v.run_id FROM model_versions v JOIN registered_models m ON m.model_id = v.model_id WHERE m.name = ? AND v.version = ?', [name, version])[0];
      if (!row) return { ...base, label: `${name} v${version}`, detail: 'deleted', missing: true };
      const aliases = db.rows('SELECT a.alias FROM model_aliases a JOIN registered_models m ON m.model_id = a.model_id WHERE m.name = ? AND a.version = ? ORDER BY a.alias', [name, version]).map((r) => `@${String(r[0])}`);
      return { ...base, label: `${name} v${version}${aliases.length ? ` ${aliases.join(' ')}` : ''}`, target: `models:/${name}/${version}`, detail: `models:/${name}/${version}${row[0] !== 'None' ? ` · ${String(row[0])}` : ''}` };
    }
    default:
      return { ...base, label: recorded !== undefined ? String(recorded) : `${node.kind} ${node.id}` };
  }
}
