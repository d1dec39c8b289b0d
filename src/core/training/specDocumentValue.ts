import { isAlias, visit, type Document } from 'yaml';
import { SpecError } from './specErrors';

/**
 * The plain value of a parsed spec document. The yaml library reports an alias to an anchor that
 * does not exist (`*a` before or without `&a`), or an alias bomb, only when the value is built —
 * as a bare ReferenceError; here it is a SpecError at the alias, like any other YAML mistake.
 */
export function specDocumentValue(doc: Document, file: string, position: (offset: number) => { line: number; column: number }): unknown {
  try {
    return doc.toJS();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    let where = { line: 1, column: 1 };
    visit(doc, (_key, node) => {
      if (isAlias(node) && node.range && message.endsWith(`: ${node.source}`)) {
        where = position(node.range[0]);
        return visit.BREAK;
      }
      return undefined;
    });
    throw new SpecError(file, [{ message: `YAML: ${message}`, field: '', ...where }]);
  }
}
