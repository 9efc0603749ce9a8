// Page object: the Identities screen (filters, multi-select list, identity page with the sightings strip and evidence,
// merge / split / delete dialogs, the undo history).
import type { Locator, Page } from 'playwright-core';

export class IdentitiesPage {
  readonly root: Locator;
  readonly list: Locator;
  readonly rows: Locator;
  readonly total: Locator;
  readonly namedOnly: Locator;
  readonly minSightings: Locator;
  readonly classFilter: Locator;
  readonly mergeButton: Locator;
  readonly deleteSelected: Locator;
  readonly historyToggle: Locator;
  readonly history: Locator;
  readonly operations: Locator;
  readonly detail: Locator;
  readonly nameInput: Locator;
  readonly notesInput: Locator;
  readonly saveButton: Locator;
  readonly strip: Locator;
  readonly sightings: Locator;
  readonly splitSelected: Locator;
  readonly faces: Locator;
  readonly events: Locator;
  readonly dialog: Locator;
  readonly mergePreview: Locator;
  readonly confirmButton: Locator;

  constructor(readonly page: Page) {
    this.root = page.getByRole('region', { name: 'Identities', exact: true });
    this.list = page.getByLabel(/^Identity list/);
    this.rows = page.getByTestId('identity-row');
    this.total = page.getByTestId('identities-total');
    this.namedOnly = page.getByTestId('filter-named');
    this.minSightings = page.getByLabel('Minimum sightings');
    this.classFilter = page.getByLabel('Class filter');
    this.mergeButton = page.getByTestId('merge-selected');
    this.deleteSelected = page.getByTestId('delete-selected');
    this.historyToggle = page.getByTestId('history-toggle');
    this.history = page.getByRole('complementary', { name: 'Operation history' });
    this.operations = page.getByTestId('operation-row');
    this.detail = page.getByTestId('identity-detail');
    this.nameInput = page.getByLabel('Identity name');
    this.notesInput = this.detail.getByLabel('Notes');
    this.saveButton = page.getByTestId('save-identity');
    this.strip = page.getByTestId('sightings-strip');
    this.sightings = page.getByTestId('sighting-card');
    this.splitSelected = page.getByTestId('split-selected');
    this.faces = page.getByTestId('identity-face');
    this.events = page.getByTestId('identity-event');
    this.dialog = page.locator('dialog[open]');
    this.mergePreview = page.getByTestId('merge-preview');
    this.confirmButton = page.getByTestId('confirm-ok');
  }

  async goto(id?: number): Promise<this> {
    await this.page.evaluate((i) => (window.location.hash = i ? `#/identities/${i}` : '#/identities'), id ?? 0);
    await this.root.waitFor();
    return this;
  }

  row(id: number): Locator {
    return this.page.locator(`[data-testid="identity-row"][data-identity-id="${id}"]`);
  }

  rowNamed(name: string): Locator {
    return this.page.locator(`[data-testid="identity-row"][data-name="${name}"]`);
  }

  /** Ids of the listed identities, in list order. */
  async ids(): Promise<number[]> {
    return (await this.rows.evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-identity-id'))))).filter((x) => x > 0);
  }

  /** Ids of the selected rows. */
  async selectedIds(): Promise<number[]> {
    return this.page.locator('[data-testid="identity-row"][aria-selected="true"]').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-identity-id'))));
  }

  /** The "N sightings" of a row. */
  async numSightings(id: number): Promise<string> {
    return (await this.row(id).getByTestId('num-sightings').innerText()).trim();
  }

  /** Opens an identity's page from the list. */
  async open(id: number): Promise<void> {
    await this.row(id).click();
    await this.page.locator(`[data-testid="identity-detail"][data-identity-id="${id}"]`).waitFor();
    await this.sightings.first().waitFor();
  }

  /** Adds an identity to the multi-selection with its checkbox (the page stays as it is). */
  async check(id: number): Promise<void> {
    await this.row(id).getByRole('checkbox').check();
  }

  /** Selects identities, opens the merge dialog and picks the target; the dialog stays open for the preview. */
  async startMerge(ids: number[], target: number): Promise<void> {
    for (const id of ids) await this.check(id);
    await this.mergeButton.click();
    await this.mergePreview.waitFor();
    await this.page.locator(`[data-testid="merge-target"][data-identity-id="${target}"] input`).check();
  }

  sighting(id: number): Locator {
    return this.page.locator(`[data-testid="sighting-card"][data-sighting-id="${id}"]`);
  }

  /** Ids of the open identity's sighting cards. */
  async sightingIds(): Promise<number[]> {
    return this.sightings.evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-sighting-id'))));
  }

  async pickSighting(id: number): Promise<void> {
    await this.sighting(id).getByTestId('sighting-pick').check();
  }

  /** Splits the picked sightings off, optionally naming the new identity. */
  async splitPicked(newName?: string): Promise<void> {
    await this.splitSelected.click();
    await this.page.getByTestId('split-preview').waitFor();
    if (newName) await this.page.getByTestId('split-name').fill(newName);
    await this.confirmButton.click();
    await this.dialog.waitFor({ state: 'detached' });
  }

  /** The toast containing `text` (toasts live in the app shell). */
  toast(text: string | RegExp): Locator {
    return this.page.locator('.toasts .toast', { hasText: text });
  }

  async undoFromToast(text: string | RegExp): Promise<void> {
    await this.toast(text).getByRole('button', { name: 'Undo' }).click();
  }

  operation(kind: string): Locator {
    return this.page.locator(`[data-testid="operation-row"][data-kind="${kind}"]`);
  }

  async openHistory(): Promise<void> {
    if (!(await this.history.isVisible())) await this.historyToggle.click();
    await this.history.waitFor();
  }
}
