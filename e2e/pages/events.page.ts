// Page object: the events browser (filters, virtualised rows, bulk actions, clip player).
import type { Locator, Page } from 'playwright-core';

export class EventsPage {
  readonly root: Locator;
  readonly rows: Locator;
  readonly player: Locator;
  readonly clipVideo: Locator;
  readonly total: Locator;
  readonly protectButton: Locator;
  readonly deleteSelected: Locator;
  readonly clearAll: Locator;
  /** Shows the events that arrived while the pointer was over the list. */
  readonly newEvents: Locator;

  constructor(readonly page: Page) {
    this.root = page.getByTestId('events-screen');
    this.rows = page.getByTestId('event-row');
    this.player = page.getByTestId('clip-player');
    this.clipVideo = page.getByTestId('clip-video');
    this.total = page.getByTestId('events-total');
    this.protectButton = page.getByTestId('protect-button');
    this.deleteSelected = page.getByTestId('delete-selected');
    this.clearAll = page.getByTestId('clear-all');
    this.newEvents = page.getByTestId('new-events');
  }

  async goto(eventId?: number): Promise<this> {
    await this.page.evaluate((id) => (window.location.hash = id ? `#/events?event=${id}` : '#/events'), eventId ?? 0);
    await this.root.waitFor();
    return this;
  }

  row(eventId: number): Locator {
    return this.page.locator(`[data-testid="event-row"][data-event-id="${eventId}"]`);
  }

  /** Clip playback state: time, readiness and any media error code. */
  async clipState(): Promise<{ time: number; ready: number; error: number | null; duration: number }> {
    return this.clipVideo.evaluate((el) => {
      const v = el as HTMLVideoElement;
      return { time: v.currentTime, ready: v.readyState, error: v.error?.code ?? null, duration: v.duration };
    });
  }
}
