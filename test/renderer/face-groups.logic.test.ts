// Face groups store logic (pure): which group continues a selection after re-clustering, search order, removing deleted
// samples, and the threshold slider's range.
import { describe, expect, it } from 'vitest';
import { newestFirst, successorGroup, thresholdRange, withoutSamples, type FaceGroupDto, type FaceSearchHit } from '../../src-renderer/src/stores/face-groups.store';

const group = (group_id: number, sample_ids: number[]): FaceGroupDto => ({
  group_id,
  size: sample_ids.length,
  label: null,
  person_id: null,
  cameras: [{ id: 1, name: 'Gate' }],
  first_seen: '2026-01-01T00:00:00.000Z',
  last_seen: '2026-01-01T01:00:00.000Z',
  rep_thumb_url: `/api/face-groups/samples/${group_id}/thumbnail`,
  member_thumbs: sample_ids.map((id) => `/api/face-groups/samples/${id}/thumbnail`),
  members: sample_ids.map((id) => ({ sample_id: id, camera_id: 1, ts: '2026-01-01T00:00:00.000Z', quality: 0.9, label: null, thumb_url: `/api/face-groups/samples/${id}/thumbnail` })),
  sample_ids,
});

const hit = (sample_id: number, ts: string, similarity: number): FaceSearchHit => ({
  sample_id,
  similarity,
  camera_id: 1,
  camera_name: 'Gate',
  ts,
  track_id: null,
  event_id: null,
  person_id: null,
  person_name: null,
  label: null,
  quality: 0.9,
  thumb_url: `/api/face-groups/samples/${sample_id}/thumbnail`,
});

describe('successorGroup', () => {
  it('keeps the same group id, else the group sharing most samples, else none', () => {
    const prev = group(3, [1, 2, 3, 4]);
    expect(successorGroup(prev, [group(9, [7, 8]), group(3, [1, 2, 3])])?.group_id).toBe(3);
    // Re-clustered with a new representative: the group holding most of the old members continues it.
    expect(successorGroup(prev, [group(5, [4, 5, 6]), group(2, [1, 2, 9])])?.group_id).toBe(2);
    // Merged into a larger group.
    expect(successorGroup(prev, [group(10, [1, 2, 3, 4, 10, 11])])?.group_id).toBe(10);
    expect(successorGroup(prev, [group(9, [7, 8])])).toBeNull();
    expect(successorGroup(null, [group(9, [7, 8])])).toBeNull();
  });

  it('breaks a tie in shared samples by the larger group', () => {
    expect(successorGroup(group(3, [1, 2]), [group(5, [1, 5]), group(6, [2, 6, 7])])?.group_id).toBe(6);
  });
});

describe('newestFirst', () => {
  it('orders search hits by time, newest first, then by similarity', () => {
    const hits = [hit(1, '2026-01-01T10:00:00Z', 0.99), hit(2, '2026-01-02T10:00:00Z', 0.9), hit(3, '2026-01-02T10:00:00Z', 0.95)];
    expect(newestFirst(hits).map((h) => h.sample_id)).toEqual([3, 2, 1]);
    expect(hits.map((h) => h.sample_id)).toEqual([1, 2, 3]);
  });
});

describe('withoutSamples', () => {
  it('drops deleted samples from the ids, members, thumbnails and size', () => {
    const g = withoutSamples(group(1, [1, 2, 3]), new Set([2]));
    expect(g).toMatchObject({ size: 2, sample_ids: [1, 3] });
    expect(g.members.map((m) => m.sample_id)).toEqual([1, 3]);
    expect(g.member_thumbs).toEqual(['/api/face-groups/samples/1/thumbnail', '/api/face-groups/samples/3/thumbnail']);
  });
});

describe('thresholdRange', () => {
  it('centres on the model threshold within [0, 1]', () => {
    expect(thresholdRange(0.91)).toEqual({ min: 0.66, max: 0.99 });
    expect(thresholdRange(0.3)).toEqual({ min: 0.05, max: 0.38 });
    expect(thresholdRange(0.98)).toEqual({ min: 0.73, max: 1 });
    expect(thresholdRange(0.1)).toEqual({ min: 0, max: 0.18 });
  });
});
