import type { Locator, Page } from '@playwright/test';
import { testIds } from '@/components/test-ids';

export class ImportPage {
  readonly form: Locator;
  readonly error: Locator;
  readonly list: Locator;

  constructor(readonly page: Page) {
    this.form = page.getByTestId(testIds.importForm);
    this.error = page.getByTestId(testIds.importError);
    this.list = page.getByTestId(testIds.importList);
  }

  async importText(name: string, text: string): Promise<void> {
    await this.form.getByLabel('Name').fill(name);
    await this.form.getByLabel('Or paste one dump').fill(text);
    await this.form.getByRole('button', { name: 'Import' }).click();
  }

  async importFile(name: string, file: { name: string; buffer: Buffer }): Promise<void> {
    await this.form.getByLabel('Name').fill(name);
    await this.form.getByLabel('Files').setInputFiles({ ...file, mimeType: 'text/plain' });
    await this.form.getByRole('button', { name: 'Import' }).click();
  }
}
