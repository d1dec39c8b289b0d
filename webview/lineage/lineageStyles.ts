/**
 * The lineage panel's look. Colours only from --vscode-* variables (kind colours are the
 * --vscode-charts-* palette), so dark, light and high-contrast themes all stay readable.
 */
export const LINEAGE_STYLES = `
html, body { height: 100%; }
body { box-sizing: border-box; display: flex; flex-direction: column; padding: 12px 16px 12px; }
main#app { max-width: none; flex: 1; min-height: 0; display: flex; flex-direction: column; }
.lineage-header { margin-bottom: 8px; align-items: center; }
.lineage-header h1 { font-size: 1.35em; }
.lineage-header .subtle strong { color: var(--vscode-foreground); font-weight: 600; }
.note { display: flex; gap: 8px; align-items: center; padding: 6px 10px; margin-bottom: 8px; border-radius: var(--radius);
  border: 1px solid var(--vscode-inputValidation-warningBorder, var(--vscode-contrastBorder, transparent));
  background: var(--vscode-inputValidation-warningBackground, transparent); }
.graph-area { position: relative; flex: 1; min-height: 220px; overflow: hidden; border-radius: var(--radius);
  border: 1px solid var(--vscode-panel-border, var(--vscode-widget-border, var(--vscode-contrastBorder, transparent))); }
.graph-area svg.graph { display: block; width: 100%; height: 100%; cursor: grab; user-select: none; touch-action: none; }
.graph-area svg.graph.panning { cursor: grabbing; }
.node { cursor: pointer; outline: none; }
.node-box { fill: var(--vscode-editorWidget-background, var(--vscode-editor-background)); stroke: var(--kind-color); stroke-width: 1.5px; }
.node:hover .node-box { fill: var(--vscode-list-hoverBackground, var(--vscode-editorWidget-background)); }
.node.root .node-box { stroke-width: 3px; fill: color-mix(in srgb, var(--kind-color) 18%, var(--vscode-editor-background)); }
.node-stripe { fill: var(--kind-color); }
.node.missing { opacity: 0.62; }
.node.missing .node-box { stroke-dasharray: 6 4; fill: transparent; }
.node.missing .node-stripe { fill: transparent; }
.focus-ring { fill: none; stroke: transparent; stroke-width: 2px; }
.node:focus-visible .focus-ring, .node.selected .focus-ring { stroke: var(--vscode-focusBorder); }
.node-body { box-sizing: border-box; height: 100%; display: flex; flex-direction: column; justify-content: center; gap: 1px;
  padding: 0 10px 0 4px; color: var(--vscode-foreground); line-height: 1.3; overflow: hidden; }
.node-line { display: flex; align-items: center; gap: 6px; min-width: 0; }
.node-line .codicon { color: var(--kind-color); flex: none; font-size: 15px; }
.node-label { font-weight: 600; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; min-width: 0; }
.node-detail { font-size: 0.85em; color: var(--vscode-descriptionForeground); white-space: nowrap; overflow: hidden; text-overflow: ellipsis; padding-left: 21px; }
.node-deleted { font-weight: normal; color: var(--vscode-errorForeground); }
.edge path { fill: none; stroke: var(--vscode-descriptionForeground); stroke-width: 1.3px; opacity: 0.85; }
.edge.hot path { stroke: var(--vscode-focusBorder); stroke-width: 2px; opacity: 1; }
.arrow-head { fill: var(--vscode-descriptionForeground); }
.arrow-head.hot { fill: var(--vscode-focusBorder); }
.edge-label-bg { fill: var(--vscode-editor-background); }
.edge-label { font-size: 11px; fill: var(--vscode-descriptionForeground); font-family: var(--vscode-font-family); }
.edge.hot .edge-label { fill: var(--vscode-foreground); }
.legend { position: absolute; left: 8px; bottom: 8px; display: flex; flex-wrap: wrap; gap: 4px 12px; max-width: calc(100% - 16px);
  padding: 5px 10px; font-size: 0.9em; border-radius: var(--radius); pointer-events: none;
  background: var(--vscode-editor-background); border: 1px solid var(--vscode-panel-border, var(--vscode-widget-border, var(--vscode-contrastBorder, transparent))); }
.legend-item { display: inline-flex; align-items: center; gap: 5px; color: var(--vscode-descriptionForeground); }
.legend-item.present { color: var(--vscode-foreground); }
.legend-item .codicon { color: var(--kind-color); font-size: 14px; }
.legend-swatch { width: 14px; height: 10px; border-radius: 3px; border: 1.5px solid var(--vscode-foreground); box-sizing: border-box; }
.legend-swatch.root { border-width: 3px; }
.legend-swatch.deleted { border-style: dashed; opacity: .7; }
.details { display: flex; align-items: center; gap: 10px; min-height: 34px; margin-top: 8px; flex-wrap: wrap; }
.details .codicon { color: var(--kind-color); }
.details-text { flex: 1; min-width: 200px; overflow-wrap: anywhere; }
.details-text .subtle { font-size: .92em; }
.context-menu { position: absolute; z-index: 10; min-width: 200px; padding: 4px 0; border-radius: var(--radius);
  background: var(--vscode-menu-background, var(--vscode-editorWidget-background)); color: var(--vscode-menu-foreground, var(--vscode-foreground));
  border: 1px solid var(--vscode-menu-border, var(--vscode-widget-border, var(--vscode-contrastBorder, transparent))); box-shadow: 0 2px 8px var(--vscode-widget-shadow, rgba(0,0,0,.3)); }
.context-menu button { display: flex; gap: 8px; align-items: center; width: 100%; padding: 4px 12px; font: inherit; text-align: left; color: inherit; background: none; border: 0; cursor: pointer; }
.context-menu button:hover, .context-menu button:focus-visible { background: var(--vscode-menu-selectionBackground, var(--vscode-list-activeSelectionBackground)); color: var(--vscode-menu-selectionForeground, var(--vscode-list-activeSelectionForeground)); outline: none; }
.empty-state .root-name { font-weight: 600; }
.empty-state ul { display: inline-block; text-align: left; margin: 8px auto; padding-left: 20px; }
.empty-state li { margin: 3px 0; }
kbd { font-family: var(--vscode-editor-font-family); border: 1px solid var(--vscode-widget-border, var(--vscode-contrastBorder, currentColor)); border-radius: 3px; padding: 0 4px; font-size: .9em; }
`;
