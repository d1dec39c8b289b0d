import type { Command } from 'commander';
import type { LineageTreeStep } from '../../core/lineage/lineageTree';
import type { LineageNode } from '../../core/lineage/lineageTypes';
import { printJson } from './trackingCliSupport';
import { withWorkspaceEngine } from './workspaceEngine';

function line(node: LineageNode): string {
  return `${node.label}  [${node.key}]${node.missing ? ' (gone)' : ''}`;
}

/** Draws a walk one way as an indented tree; a node met again is named, not expanded. */
function drawTree(steps: readonly LineageTreeStep[], direction: 'up' | 'down', prefix = ''): string[] {
  return steps.flatMap((step, i) => {
    const last = i === steps.length - 1;
    const arrow = direction === 'up' ? `${step.relation} ←` : `${step.relation} →`;
    return [`${prefix}${last ? '└─ ' : '├─ '}${arrow} ${line(step.node)}${step.again ? ' (see above)' : ''}`, ...drawTree(step.steps, direction, `${prefix}${last ? '   ' : '│  '}`)];
  });
}

/** `mlops lineage URI`: where a model version, run or dataset came from and what was made from it. */
export function registerLineageCommand(program: Command): void {
  program
    .command('lineage <target>')
    .description('upstream and downstream of models:/NAME@ALIAS, models:/NAME/VERSION, runs:/RUN_ID, dataset:DIGEST or KIND:ID')
    .option('--up', 'only upstream (what it came from)')
    .option('--down', 'only downstream (what was made from it)')
    .action(async (target: string, options: { up?: boolean; down?: boolean }) =>
      withWorkspaceEngine(program, async (engine, _store, globals) => {
        const both = !options.up && !options.down;
        // one call: the holder (this process or the one holding the store) walks the graph
        const report = await engine.call('lineage.report', { target, up: both || options.up === true, down: both || options.down === true });
        if (globals.json) {
          return printJson({
            root: report.root,
            ...(report.upstream ? { upstream: report.upstream } : {}),
            ...(report.downstream ? { downstream: report.downstream } : {}),
            graph: report.graph,
          });
        }
        const lines = [line(report.root)];
        if (report.upTree) {
          const up = drawTree(report.upTree, 'up');
          lines.push('upstream:', ...(up.length ? up.map((l) => `  ${l}`) : ['  (nothing recorded)']));
        }
        if (report.downTree) {
          const down = drawTree(report.downTree, 'down');
          lines.push('downstream:', ...(down.length ? down.map((l) => `  ${l}`) : ['  (nothing recorded)']));
        }
        process.stdout.write(`${lines.join('\n')}\n`);
      }),
    );
}
