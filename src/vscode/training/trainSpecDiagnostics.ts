import * as vscode from 'vscode';

const TRAIN_SPEC = /\.train\.ya?ml$/i;

/**
 * Underlines problems in open *.train.yaml files as the user types: YAML syntax and the spec
 * schema, positioned at the field. The validator (yaml + ajv) loads when the first spec opens.
 */
export function registerTrainSpecDiagnostics(): vscode.Disposable {
  const collection = vscode.languages.createDiagnosticCollection('mlops-train-spec');
  const timers = new Map<string, ReturnType<typeof setTimeout>>();

  const validate = async (document: vscode.TextDocument): Promise<void> => {
    if (!TRAIN_SPEC.test(document.uri.path)) return;
    const { validateTrainSpecText } = await import('../../core/training/trainSpecParser');
    const issues = validateTrainSpecText(document.getText(), document.uri.fsPath);
    collection.set(
      document.uri,
      issues.map((issue) => {
        const line = Math.max(0, issue.line - 1);
        const column = Math.max(0, issue.column - 1);
        const endLine = issue.endLine !== undefined ? issue.endLine - 1 : line;
        const endColumn = issue.endColumn !== undefined ? issue.endColumn - 1 : document.lineAt(Math.min(line, document.lineCount - 1)).range.end.character;
        const diagnostic = new vscode.Diagnostic(new vscode.Range(line, column, endLine, Math.max(endColumn, column + 1)), issue.message, vscode.DiagnosticSeverity.Error);
        diagnostic.source = 'MLOps train spec';
        if (issue.field) diagnostic.code = issue.field;
        return diagnostic;
      }),
    );
  };
  const schedule = (document: vscode.TextDocument): void => {
    if (!TRAIN_SPEC.test(document.uri.path)) return;
    const key = document.uri.toString();
    clearTimeout(timers.get(key));
    timers.set(
      key,
      setTimeout(() => {
        timers.delete(key);
        void validate(document);
      }, 250),
    );
  };

  for (const document of vscode.workspace.textDocuments) schedule(document);
  return vscode.Disposable.from(
    collection,
    vscode.workspace.onDidOpenTextDocument(schedule),
    vscode.workspace.onDidChangeTextDocument((e) => schedule(e.document)),
    vscode.workspace.onDidCloseTextDocument((d) => collection.delete(d.uri)),
    { dispose: () => timers.forEach((t) => clearTimeout(t)) },
  );
}
