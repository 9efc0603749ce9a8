// Unit: where the live grid keeps its layout and tile order per role, and what a browser's stored arrangement may hold.
import { describe, expect, it } from 'vitest';
import { parseLocalGrid, sharesGrid } from '../../src-renderer/src/features/live/grid-prefs';

describe('grid prefs', () => {
  it('admins (and the desktop app) change the shared layout; operators and viewers keep their own', () => {
    expect(sharesGrid(null)).toBe(true);
    expect(sharesGrid('admin')).toBe(true);
    expect(sharesGrid('operator')).toBe(false);
    expect(sharesGrid('viewer')).toBe(false);
  });

  it('keeps only well-formed stored values', () => {
    expect(parseLocalGrid(JSON.stringify({ layout: '3x3', order: [3, 1, 2] }))).toEqual({ layout: '3x3', order: [3, 1, 2] });
    expect(parseLocalGrid(JSON.stringify({ layout: '5x5', order: [1, 'x'] }))).toEqual({});
    expect(parseLocalGrid('{not json')).toEqual({});
    expect(parseLocalGrid(null)).toEqual({});
    expect(parseLocalGrid(JSON.stringify({ order: Array.from({ length: 2000 }, (_x, i) => i) })).order).toHaveLength(1000);
  });
});
