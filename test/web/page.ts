/** What a person does on the page, as playwright steps shared by the web tests; screenshots to test/web/artifacts/ and docs/screenshots/. */
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';

const ARTIFACTS = new URL('./artifacts/', import.meta.url).pathname;
const DOCS = new URL('../../docs/screenshots/', import.meta.url).pathname;
export async function shot(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  mkdirSync(DOCS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`) });
  copyFileSync(join(ARTIFACTS, `${name}.png`), join(DOCS, `${name}.png`));
}

export async function enter(page: Page, url: string, password: string, create: boolean): Promise<void> {
  await page.goto(url);
  await page.fill('input[name=password]', password);
  if (create) await page.fill('input[name=password2]', password);
  await page.click('form.card button[type=submit]');
  await page.waitForSelector('nav.tabs', { timeout: 60_000 });
}

export async function qrImage(page: Page): Promise<Buffer> {
  const canvas = await page.waitForSelector('.shown-card canvas.qr');
  // Runs in the page (a string, so this Node-typed file needs no DOM types).
  await page.waitForFunction("(document.querySelector('.shown-card canvas.qr')?.width ?? 0) > 0");
  return canvas.screenshot();
}

export async function acceptPhoto(page: Page, png: Buffer, name: string): Promise<void> {
  await page.click('[data-tab=add]');
  if (name) await page.fill('input[name=accept-name]', name);
  await page.setInputFiles('input[name=photo]', { name: 'card.png', mimeType: 'image/png', buffer: png });
  await page.click('form:has(input[name=photo]) button[type=submit]');
}
