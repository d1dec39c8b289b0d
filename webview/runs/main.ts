import '@vscode-elements/elements/dist/vscode-button/index.js';
import type { RunsContract } from '../../src/protocol/runs/runsContract';
import { startPanel } from '../shared/panelBootstrap';
import styles from './runs.css';
import { RunsApp } from './runsApp';
import type { RunsViewState } from './runsState';

// When the bundle (the table; the charts load later) has been parsed and evaluated: the bench splits first paint at this mark.
performance.mark('mlops-runs-script-ready');
// The stylesheet travels inside the bundle (esbuild's text loader).
const { api, host, root } = startPanel<RunsContract, RunsViewState>(styles);
const top = document.createElement('div');
top.className = 'runs-top';
const bodyRow = document.createElement('div');
bodyRow.className = 'runs-body';
const mainColumn = document.createElement('div');
mainColumn.className = 'runs-main';
const gridPanel = document.createElement('div');
gridPanel.className = 'tab-panel grid-panel';
const tabHost = document.createElement('div');
tabHost.style.display = 'contents';
const detailsHost = document.createElement('div');
detailsHost.style.display = 'contents';
mainColumn.append(gridPanel, tabHost);
bodyRow.append(mainColumn, detailsHost);
root.append(top, bodyRow);

const app = new RunsApp(host, api, top, gridPanel, tabHost, detailsHost);
app.start().then(
  () => root.setAttribute('aria-busy', 'false'),
  (error: unknown) => {
    root.setAttribute('aria-busy', 'false');
    top.textContent = `The Runs panel could not be loaded: ${error instanceof Error ? error.message : String(error)}`;
  },
);
