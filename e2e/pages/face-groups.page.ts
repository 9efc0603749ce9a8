// Page object: the Face groups screen (threshold and minimum size, group cards, the selected group's forms, faces, clips and search).
import type { Locator, Page } from 'playwright-core';

export class FaceGroupsPage {
  readonly root: Locator;
  readonly threshold: Locator;
  readonly thresholdValue: Locator;
  readonly minSize: Locator;
  readonly status: Locator;
  readonly counts: Locator;
  readonly groups: Locator;
  readonly detail: Locator;
  readonly members: Locator;
  readonly newName: Locator;
  readonly enrolNew: Locator;
  readonly personSelect: Locator;
  readonly addExisting: Locator;
  readonly labelInput: Locator;
  readonly labelSave: Locator;
  readonly deleteChecked: Locator;
  readonly openClips: Locator;
  readonly clips: Locator;
  readonly search: Locator;
  readonly hits: Locator;
  readonly resetThreshold: Locator;

  constructor(readonly page: Page) {
    this.root = page.getByRole('region', { name: 'Face groups', exact: true });
    this.threshold = page.getByLabel('Match threshold');
    this.thresholdValue = page.getByTestId('fg-threshold-value');
    this.minSize = page.getByLabel('Minimum group size');
    this.status = page.getByTestId('fg-status');
    this.counts = page.getByTestId('fg-counts');
    this.groups = page.getByTestId('face-group');
    this.detail = page.getByTestId('group-detail');
    this.members = this.detail.getByTestId('group-member');
    this.newName = page.getByLabel("New person's name", { exact: true });
    this.enrolNew = page.getByRole('button', { name: 'Enrol as new person' });
    this.personSelect = page.getByLabel('Existing person', { exact: true });
    this.addExisting = page.getByTestId('fg-add-existing');
    this.labelInput = page.getByLabel('Group label', { exact: true });
    this.labelSave = page.getByTestId('fg-label-save');
    this.deleteChecked = page.getByTestId('fg-delete-checked');
    this.openClips = page.getByTestId('fg-open-clips');
    this.clips = page.getByTestId('fg-clip');
    this.search = page.getByTestId('fg-search');
    this.hits = page.getByTestId('fg-hit');
    this.resetThreshold = this.root.getByRole('button', { name: 'Reset', exact: true });
  }

  async goto(): Promise<this> {
    await this.page.evaluate(() => (window.location.hash = '#/face-groups'));
    await this.root.waitFor();
    return this;
  }

  /** Waits until no re-clustering is pending or running. */
  async idle(): Promise<void> {
    await this.page.locator('[data-testid="fg-status"][data-clustering="false"]').waitFor();
  }

  /** Group sizes as listed (largest first). */
  async sizes(): Promise<number[]> {
    return (await this.groups.evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-size'))))) as number[];
  }

  group(id: number): Locator {
    return this.page.locator(`[data-testid="face-group"][data-group-id="${id}"]`);
  }

  /** Selects the n-th listed group and waits for its detail; returns its group id. */
  async selectNth(n: number): Promise<number> {
    const card = this.groups.nth(n);
    const id = Number(await card.getAttribute('data-group-id'));
    await card.click();
    await this.page.locator(`[data-testid="group-detail"][data-group-id="${id}"]`).waitFor();
    return id;
  }

  /** Sample ids of the selected group's shown faces. */
  async memberIds(): Promise<number[]> {
    return (await this.members.evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-sample-id'))))) as number[];
  }

  member(sampleId: number): Locator {
    return this.detail.locator(`[data-testid="group-member"][data-sample-id="${sampleId}"]`);
  }

  /** Sets the threshold slider as a drag would (one input event with the new value). */
  async setThreshold(v: number): Promise<void> {
    await this.threshold.fill(String(v));
  }

  async enrolAsNew(name: string): Promise<void> {
    await this.newName.fill(name);
    await this.enrolNew.click();
  }

  async check(sampleId: number): Promise<void> {
    await this.member(sampleId).getByRole('checkbox').check();
  }

  /** Deletes the checked faces through the confirmation dialog. */
  async deleteCheckedFaces(): Promise<void> {
    await this.deleteChecked.click();
    await this.page.getByTestId('confirm-ok').click();
  }

  async findEverywhere(sampleId: number): Promise<void> {
    await this.member(sampleId).getByRole('button', { name: `Find face ${sampleId} everywhere` }).click();
    await this.search.waitFor();
  }

  /** Whether every thumbnail in `scope` decoded. */
  async imagesLoaded(scope: Locator): Promise<boolean> {
    return scope.locator('img').evaluateAll((els) => els.length > 0 && els.every((e) => (e as HTMLImageElement).complete && (e as HTMLImageElement).naturalWidth > 0));
  }
}
