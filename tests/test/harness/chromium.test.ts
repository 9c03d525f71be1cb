import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  checkA11y,
  horizontalOverflow,
  launchChromium,
  type RunningChromium,
} from '../../src/browser/index.js';
import { HarnessError } from '../../src/harness/index.js';

const INSTALL = 'apt-get install -y --no-install-recommends chromium fonts-noto-cjk';

describe('launchChromium', () => {
  let emptyDir: string;
  beforeAll(async () => {
    emptyDir = await mkdtemp(join(tmpdir(), 'linkwell-empty-path-'));
  });
  afterAll(() => rm(emptyDir, { recursive: true, force: true }));

  it('rejects a missing chromium with HARNESS_ERR_MISSING_BINARY and the install command', async () => {
    const error = await launchChromium({ searchPath: emptyDir }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HarnessError);
    expect(error).toMatchObject({ code: 'HARNESS_ERR_MISSING_BINARY' });
    expect((error as Error).message).toContain(`chromium not found. Install it with: ${INSTALL}`);
  });

  it('rejects missing CJK fonts with HARNESS_ERR_MISSING_BINARY and the same install command', async () => {
    const fontFile = join(emptyDir, 'NotoSansCJK-Regular.ttc');
    const error = await launchChromium({ fontFile }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'HARNESS_ERR_MISSING_BINARY' });
    expect((error as Error).message).toBe(
      `fonts-noto-cjk not found (no ${fontFile}); Chinese pages would render as empty boxes. Install it with: ${INSTALL}`,
    );
  });

  it('runs in a fresh profile directory that close() deletes', async () => {
    const chromium = await launchChromium();
    const dir = chromium.userDataDir;
    try {
      expect(dir).toMatch(/linkwell-chromium-/);
      expect(existsSync(join(dir, 'Default'))).toBe(true);
    } finally {
      await chromium.close();
    }
    expect(existsSync(dir)).toBe(false);
  });
});

describe('checkA11y and horizontalOverflow', () => {
  let chromium: RunningChromium;
  beforeAll(async () => {
    chromium = await launchChromium({ locale: 'zh-CN', viewport: { width: 375, height: 667 } });
  });
  afterAll(() => chromium?.close());

  it('reports an image without alt text and a page without a title as WCAG violations', async () => {
    await chromium.page.setContent('<html lang="en"><body><main><img src="data:,"></main></body></html>');
    const violations = await checkA11y(chromium.page);
    expect(violations.map((v) => v.id).sort()).toEqual(['document-title', 'image-alt']);
    expect(violations.find((v) => v.id === 'image-alt')).toEqual({
      id: 'image-alt',
      impact: 'critical',
      targets: ['img'],
    });
  });

  it('reports nothing for a titled page with a described image', async () => {
    await chromium.page.setContent(
      '<html lang="zh-CN"><head><title>测试</title></head><body><main><h1>你好</h1><img src="data:," alt="图"></main></body></html>',
    );
    expect(await checkA11y(chromium.page)).toEqual([]);
  });

  it('gives the browser the locale it was launched with', async () => {
    expect(await chromium.page.evaluate('navigator.languages')).toEqual(['zh-CN']);
  });

  it('measures a 600 px wide block on a 375 px screen as sideways scrolling', async () => {
    await chromium.page.setContent('<body style="margin:0"><div style="width:600px">wide</div></body>');
    expect(await horizontalOverflow(chromium.page)).toEqual({ scrollWidth: 600, clientWidth: 375 });
  });
});
