import type { Command } from 'commander';
import type { LineageStore } from '../../core/lineage/lineageStore';
import type { LineageNode, LineageNodeRef } from '../../core/lineage/lineageTypes';
import { printJson, withStore } from './trackingCliSupport';

function line(node: LineageNode): string {
  return `${node.label}  [${node.key}]${node.missing ? ' (gone)' : ''}`;
}

/** Draws the walk from `root` one way as an indented tree; a node met again is named, not expanded. */
function tree(lineage: LineageStore, root: LineageNodeRef, direction: 'up' | 'down'): string[] {
  const out: string[] = [];
  const expanded = new Set<string>();
  const visit = (node: LineageNodeRef, prefix: string, path: Set<string>): void => {
    const steps = direction === 'up' ? lineage.parents(node) : lineage.children(node);
    steps.forEach((step, i) => {
      const last = i === steps.length - 1;
      const described = lineage.describe(step.node);
      const arrow = direction === 'up' ? `${step.relation} ←` : `${step.relation} →`;
      const again = expanded.has(described.key) || path.has(described.key);
      out.push(`${prefix}${last ? '└─ ' : '├─ '}${arrow} ${line(described)}${again ? ' (see above)' : ''}`);
      if (again) return;
      expanded.add(described.key);
      visit(step.node, `${prefix}${last ? '   ' : '│  '}`, new Set([...path, described.key]));
    });
  };
  visit(root, '', new Set([`${root.kind}:${root.id}`]));
  return out;
}

/** `mlops lineage URI`: where a model version, run or dataset came from and what was made from it. */
export function registerLineageCommand(program: Command): void {
  program
    .command('lineage <target>')
    .description('upstream and downstream of models:/NAME@ALIAS, models:/NAME/VERSION, runs:/RUN_ID, dataset:DIGEST or KIND:ID')
    .option('--up', 'only upstream (what it came from)')
    .option('--down', 'only downstream (what was made from it)')
    .action(async (target: string, options: { up?: boolean; down?: boolean }) =>
      withStore(program, async (store, globals) => {
        const { lineageFor, modelRegistryFor } = await import('../../core/registry/registryAccess');
        const lineage = lineageFor(store);
        const { resolveLineageRoot } = await import('../../core/lineage/lineageRoot');
        const root = resolveLineageRoot(modelRegistryFor(store), target);
        const both = !options.up && !options.down;
        if (globals.json) {
          return printJson({
            root: lineage.describe(root),
            ...(both || options.up ? { upstream: lineage.upstream(root) } : {}),
            ...(both || options.down ? { downstream: lineage.downstream(root) } : {}),
            graph: lineage.lineageGraph(root),
          });
        }
        const lines = [line(lineage.describe(root))];
        if (both || options.up) {
          const up = tree(lineage, root, 'up');
          lines.push('upstream:', ...(up.length ? up.map((l) => `  ${l}`) : ['  (nothing recorded)']));
        }
        if (both || options.down) {
          const down = tree(lineage, root, 'down');
          lines.push('downstream:', ...(down.length ? down.map((l) => `  ${l}`) : ['  (nothing recorded)']));
        }
        process.stdout.write(`${lines.join('\n')}\n`);
      }),
    );
}
