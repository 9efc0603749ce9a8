// Page object: the People screen (list, add person, detail with enrolled faces, "Add photo", recent events).
import type { Locator, Page } from 'playwright-core';

export class PeoplePage {
  readonly root: Locator;
  readonly newName: Locator;
  readonly addButton: Locator;
  readonly rows: Locator;
  readonly detail: Locator;
  readonly nameInput: Locator;
  readonly saveButton: Locator;
  readonly deleteButton: Locator;
  readonly faces: Locator;
  readonly faceCount: Locator;
  readonly photoInput: Locator;
  readonly photoZone: Locator;
  readonly enrolError: Locator;
  readonly unavailable: Locator;
  readonly allEvents: Locator;

  constructor(readonly page: Page) {
    this.root = page.getByRole('region', { name: 'People', exact: true });
    this.newName = page.getByLabel('New person name');
    this.addButton = page.getByRole('button', { name: '+ Add person' });
    this.rows = page.getByTestId('person-row');
    this.detail = page.getByTestId('person-detail');
    this.nameInput = this.detail.getByLabel('Name', { exact: true });
    this.saveButton = this.detail.getByRole('button', { name: 'Save', exact: true });
    this.deleteButton = this.detail.getByRole('button', { name: 'Delete person…' });
    this.faces = page.getByTestId('face-thumb');
    this.faceCount = page.getByTestId('face-count');
    this.photoInput = page.getByLabel('Add photo');
    this.photoZone = page.getByTestId('add-photo-zone');
    this.enrolError = page.getByTestId('enrol-error');
    this.unavailable = page.getByTestId('faces-unavailable');
    this.allEvents = page.getByTestId('person-all-events');
  }

  async goto(): Promise<this> {
    await this.page.evaluate(() => (window.location.hash = '#/people'));
    await this.root.waitFor();
    return this;
  }

  row(name: string): Locator {
    return this.page.locator(`[data-testid="person-row"][data-name="${name}"]`);
  }

  /** The "N faces" badge of a person's row. */
  async numFaces(name: string): Promise<string> {
    return (await this.row(name).getByTestId('num-faces').innerText()).trim();
  }

  /** Adds a person and waits until they are listed and selected. */
  async create(name: string): Promise<void> {
    await this.newName.fill(name);
    await this.addButton.click();
    await this.row(name).waitFor();
    await this.page.locator(`[data-testid="person-row"][data-name="${name}"][aria-current="true"]`).waitFor();
    await this.detail.waitFor();
  }

  async select(name: string): Promise<void> {
    await this.row(name).click();
    await this.detail.waitFor();
  }

  /** Chooses a file (a path, or bytes with a name and type) in the "Add photo" input, as the picker would. */
  async addPhoto(file: string | { name: string; mimeType: string; buffer: Buffer }): Promise<void> {
    await this.photoInput.setInputFiles(file);
  }

  face(id: number): Locator {
    return this.page.locator(`[data-testid="face-thumb"][data-face-id="${id}"]`);
  }

  /** Whether the face thumbnail's image decoded. */
  async faceImageLoaded(id: number): Promise<boolean> {
    return this.face(id)
      .locator('img')
      .evaluate((el) => (el as HTMLImageElement).complete && (el as HTMLImageElement).naturalWidth > 0)
      .catch(() => false);
  }

  async deleteFace(id: number): Promise<void> {
    await this.face(id).getByRole('button', { name: `Delete face ${id}` }).click();
    await this.page.getByTestId('confirm-ok').click();
    await this.face(id).waitFor({ state: 'detached' });
  }
}
