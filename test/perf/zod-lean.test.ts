/**
 * The Lambda bundles alias `zod` to infra/bundling/zod-lean, whose `z` holds only the members the
 * code uses. TypeScript cannot see that (types come from zod itself), so this test reads every
 * source file bundled into a function and checks that each `z.<member>` read at run time is one of
 * the facade's; a missing one would make the deployed bundle throw "z.<member> is not a function".
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import * as lean from '../../infra/bundling/zod-lean/index.mjs';
import { projectRoot } from '../../bench/lib/bundle.js';

const zodModules = new Set(['zod', '@hono/zod-openapi']);

function sourceFiles(dir: string): string[] {
  return readdirSync(path.join(projectRoot, dir), { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts'))
    .map((entry) => path.relative(projectRoot, path.join(entry.parentPath, entry.name)));
}

interface Use {
  file: string;
  member: string;
}

/** `z.<member>` in value positions, value imports from zod, and any other run-time use of `z`. */
function zodUses(file: string): { members: Use[]; whole: Use[] } {
  const text = readFileSync(path.join(projectRoot, file), 'utf8');
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const namespaces = new Set<string>();
  const members: Use[] = [];
  const whole: Use[] = [];
  for (const statement of source.statements) {
    if (!ts.isImportDeclaration(statement) || !ts.isStringLiteral(statement.moduleSpecifier)) continue;
    const from = statement.moduleSpecifier.text;
    const clause = statement.importClause;
    if (!clause || clause.isTypeOnly) continue;
    // shared/http/openapi.ts passes `z` on (`export { z }`): a `z` imported from the code's own
    // modules is zod's namespace too.
    if (from.startsWith('.')) {
      const bindings = clause.namedBindings;
      if (bindings && ts.isNamedImports(bindings)) {
        for (const element of bindings.elements) if (!element.isTypeOnly && (element.propertyName ?? element.name).text === 'z') namespaces.add(element.name.text);
      }
      continue;
    }
    if (!(zodModules.has(from) || from.startsWith('zod/'))) continue;
    if (from !== '@hono/zod-openapi' && clause.name) namespaces.add(clause.name.text);
    const bindings = clause.namedBindings;
    if (bindings && ts.isNamespaceImport(bindings) && from !== '@hono/zod-openapi') namespaces.add(bindings.name.text);
    if (bindings && ts.isNamedImports(bindings)) {
      for (const element of bindings.elements) {
        if (element.isTypeOnly) continue;
        const imported = (element.propertyName ?? element.name).text;
        if (imported === 'z') namespaces.add(element.name.text);
        else if (from !== '@hono/zod-openapi') members.push({ file, member: imported });
      }
    }
  }
  const visit = (node: ts.Node) => {
    if (ts.isImportDeclaration(node)) return;
    if (ts.isPropertyAccessExpression(node) && ts.isIdentifier(node.expression) && namespaces.has(node.expression.text)) {
      members.push({ file, member: node.name.text });
      return;
    }
    // `z` as a value anywhere else (passed on, destructured, spread): the facade cannot vouch for it.
    // Type positions (`z.infer<…>`, `typeof z`) are qualified names, never identifiers visited here.
    if (ts.isIdentifier(node) && namespaces.has(node.text) && !ts.isQualifiedName(node.parent) && !ts.isTypeQueryNode(node.parent) && !ts.isExportSpecifier(node.parent)) {
      whole.push({ file, member: `(z itself) line ${source.getLineAndCharacterOfPosition(node.getStart()).line + 1}` });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return { members, whole };
}

describe('infra/bundling/zod-lean', () => {
  const files = [...sourceFiles('functions'), ...sourceFiles('shared')];
  const uses = files.map(zodUses);

  it('exports every z.<member> the bundled code reads at run time', () => {
    const members = uses.flatMap((u) => u.members);
    expect(members.length).toBeGreaterThan(100);
    const missing = members.filter((u) => !(u.member in lean.z)).map((u) => `${u.file}: z.${u.member}`);
    expect(missing, 'add these to infra/bundling/zod-lean/members.mjs').toEqual([]);
  });

  it('is never handed around whole by the code (only @hono/zod-openapi does, for extendZodWithOpenApi)', () => {
    expect(uses.flatMap((u) => u.whole).map((u) => `${u.file}: ${u.member}`)).toEqual([]);
    expect(lean.z.ZodType).toBeTypeOf('function');
  });

  it('has the shape of zod itself: z, default and the named members', () => {
    expect(lean.default).toBe(lean.z);
    expect(lean.string).toBe(lean.z.string);
    expect(lean.z.object({ a: lean.z.string() }).safeParse({ a: 1 }).error?.issues[0]?.message).toBe('Invalid input: expected string, received number');
  });
});
