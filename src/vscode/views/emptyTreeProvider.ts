import type * as vscode from 'vscode';

/**
 * A tree with no items, for views whose capability has not stored anything yet: VS Code then
 * shows the view's `viewsWelcome` content (package.json), which explains what will appear there.
 */
export class EmptyTreeProvider implements vscode.TreeDataProvider<never> {
  getTreeItem(element: never): vscode.TreeItem {
    return element;
  }

  getChildren(): never[] {
    return [];
  }
}
