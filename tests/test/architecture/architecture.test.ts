import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { ALLOWED, NAME, PACKAGES, type Pkg, PURE_ALLOWED_EXTERNAL } from './rules.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const BY_NAME = new Map(PACKAGES.map((p) => [NAME[p], p]));

function sourceFiles(dir: string, includeTests: boolean): string[] {
  let out: string[] = [];
  for (const entry of readdirSync(dir)) {
    const full = join(dir, entry);
    if (statSync(full).isDirectory()) out = out.concat(sourceFiles(full, includeTests));
    else if (/\.ts$/.test(entry) && !entry.endsWith('.d.ts') && (includeTests || !entry.includes('.test.')))
      out.push(full);
  }
  return out;
}

function importsOf(file: string): string[] {
  const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
  return info.importedFiles.map((f) => f.fileName);
}

/** Which workspace package an import specifier lands in, following relative paths too. */
function targetPackage(from: string, spec: string): Pkg | 'external' {
  if (spec.startsWith('.')) {
    const abs = resolve(dirname(from), spec);
    const top = relative(ROOT, abs).split('/')[0] as Pkg;
    return PACKAGES.includes(top) ? top : 'external';
  }
  const name = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!;
  return BY_NAME.get(name) ?? 'external';
}

function violations(pkg: Pkg): string[] {
  const found: string[] = [];
  for (const file of sourceFiles(join(ROOT, pkg, 'src'), false)) {
    for (const spec of importsOf(file)) {
      const target = targetPackage(file, spec);
      const where = `${relative(ROOT, file)} imports ${spec}`;
      if (target === 'external') {
        if (pkg === 'firmware-protocol' && !PURE_ALLOWED_EXTERNAL.some((re) => re.test(spec)))
          found.push(`${where} (firmware-protocol is pure)`);
        continue;
      }
      if (target === pkg) continue;
      if (target === 'tests' && pkg !== 'tests') found.push(`${where} (nothing imports tests)`);
      else if (!ALLOWED[pkg].includes(target)) found.push(`${where} (${pkg} may not depend on ${target})`);
    }
  }
  return found;
}

describe('architecture', () => {
  for (const pkg of PACKAGES) {
    it(`${pkg} production source imports only ${ALLOWED[pkg].join(', ') || 'no internal package'}`, () => {
      expect(violations(pkg)).toEqual([]);
    });
  }

  it('firmware-protocol source touches no I/O globals (fetch, process, timers, console)', () => {
    const io = /\b(fetch|process|setTimeout|setInterval|console|require)\s*[.(]/;
    const hits = sourceFiles(join(ROOT, 'firmware-protocol', 'src'), false)
      .flatMap((f) =>
        readFileSync(f, 'utf8')
          .split('\n')
          .map((line, i) => ({ f, i, line })),
      )
      .filter(({ line }) => io.test(line) && !line.trim().startsWith('*') && !line.trim().startsWith('//'))
      .map(({ f, i, line }) => `${relative(ROOT, f)}:${i + 1}: ${line.trim()}`);
    expect(hits).toEqual([]);
  });

  it('no package declares a dependency its rules forbid', () => {
    const bad: string[] = [];
    for (const pkg of PACKAGES) {
      const manifest = JSON.parse(readFileSync(join(ROOT, pkg, 'package.json'), 'utf8'));
      for (const dep of Object.keys(manifest.dependencies ?? {})) {
        const target = BY_NAME.get(dep);
        if (target && target !== pkg && !ALLOWED[pkg].includes(target)) bad.push(`${pkg} depends on ${dep}`);
      }
    }
    expect(bad).toEqual([]);
  });

  it('detects a forbidden import (self-check of the scanner)', () => {
    const fake = join(ROOT, 'gateway', 'src', 'x.ts');
    expect(targetPackage(fake, '@linkwell/ingest')).toBe('ingest');
    expect(targetPackage(fake, '../../api/src/app.js')).toBe('api');
    expect(targetPackage(fake, 'node:fs')).toBe('external');
    expect(
      ts
        .preProcessFile("import a from 'x'; export * from 'y'; await import('z');", true, true)
        .importedFiles.map((f) => f.fileName),
    ).toEqual(['x', 'y', 'z']);
  });
});
