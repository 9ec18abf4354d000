import type { Document, LineCounter } from 'yaml';
import { isMap, isNode, isScalar } from 'yaml';

export interface YamlPlace {
  line: number;
  column: number;
}

type Path = readonly (string | number)[];

/**
 * Where a value sits in the YAML source. A missing value points at the closest parent that exists
 * (a missing `address` points at its host), and `key` points at a map key itself (an unknown key).
 */
export function yamlLocate(doc: Document, lines: LineCounter, path: Path, key?: string): YamlPlace | null {
  for (let depth = path.length; depth >= 0; depth--) {
    const node = depth === 0 ? doc.contents : doc.getIn(path.slice(0, depth), true);
    if (!isNode(node) || !node.range) continue;
    let offset = node.range[0];
    if (key !== undefined && depth === path.length && isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === key);
      if (pair && isNode(pair.key) && pair.key.range) offset = pair.key.range[0];
    }
    const { line, col } = lines.linePos(offset);
    return { line, column: col };
  }
  return null;
}
