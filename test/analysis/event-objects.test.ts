// Pure helpers between tracking and stored events: the objects list (main object first) and the thumbnail's boxes.
import { describe, expect, it } from 'vitest';
import { eventObjects } from '../../src-main/services/recording/event-recorder.service';
import { thumbnailBoxes } from '../../src-main/services/recording/clip-finalizer.service';
import type { SeenObject } from '../../src-main/services/analysis/trigger-mapper';

const seen = (track_id: number, best_score: number, first_ms: number, label = 'person'): SeenObject => ({ track_id, label, best_score, first_ms, last_ms: first_ms + 1000, best_box: [0.1 * track_id, 0.2, 0.1, 0.3], best_ms: first_ms + 500 });

describe('event objects', () => {
  it('puts the main (best-scoring) object first, then the others by first sight, with ISO times', () => {
    const out = eventObjects([seen(1, 0.6, 3000), seen(2, 0.9, 5000), seen(3, 0.7, 1000)]);
    expect(out.map((o) => o.track_id)).toEqual([2, 3, 1]);
    expect(out[0]).toEqual({ track_id: 2, label: 'person', best_score: 0.9, first_seen: new Date(5000).toISOString(), last_seen: new Date(6000).toISOString(), box: [0.2, 0.2, 0.1, 0.3] });
    expect(eventObjects([])).toEqual([]);
  });

  it('draws the main object on the thumbnail, or the first box when the best frame lacks it', () => {
    const boxes = JSON.stringify([
      { label: 'person', score: 0.8, box: [0.1, 0.1, 0.2, 0.4], track_id: 4 },
      { label: 'person', score: 0.9, box: [0.5, 0.1, 0.2, 0.4], track_id: 7 },
    ]);
    expect(thumbnailBoxes(boxes, 7)).toEqual([{ box: [0.5, 0.1, 0.2, 0.4], label: 'person', score: 0.9 }]);
    expect(thumbnailBoxes(boxes, 99)).toEqual([{ box: [0.1, 0.1, 0.2, 0.4], label: 'person', score: 0.8 }]);
    expect(thumbnailBoxes('not json', 1)).toEqual([]);
  });
});
