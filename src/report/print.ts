import { renameSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { launchBrowser } from './browser.js';

/**
 * Prints an HTML report to PDF through the headless browser (`browser.ts`):
 * A4 landscape with backgrounds, laid out at the report's 1400 px screen width
 * scaled to the page. Written beside the target and renamed into place.
 */
export async function writePdf(htmlFile: string, pdfFile: string): Promise<{ file: string; bytes: number }> {
  const browser = await launchBrowser();
  const tmp = `${pdfFile}.tmp-${process.pid}`;
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    await page.goto(pathToFileURL(resolve(htmlFile)).href);
    await page.emulateMedia({ media: 'print' });
    const pdf = await page.pdf({ path: tmp, format: 'A4', landscape: true, printBackground: true, scale: 0.75, margin: { top: '12mm', bottom: '12mm', left: '10mm', right: '10mm' } });
    renameSync(tmp, pdfFile);
    return { file: pdfFile, bytes: pdf.length };
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  } finally {
    await browser.close();
  }
}

/** A full-page PNG of an HTML report at 1400 px wide (what the README's screenshots are). */
export async function writePng(htmlFile: string, pngFile: string): Promise<{ file: string }> {
  const browser = await launchBrowser();
  const tmp = `${pngFile}.tmp-${process.pid}.png`;
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    await page.goto(pathToFileURL(resolve(htmlFile)).href);
    await page.screenshot({ path: tmp, fullPage: true });
    renameSync(tmp, pngFile);
    return { file: pngFile };
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  } finally {
    await browser.close();
  }
}
