// Which screens each role may open (mirroring the server's permissions), and where a role lands.
import { describe, expect, it } from 'vitest';
import { canOpen, landingFor } from '../../src-renderer/src/roles';

const SCREENS = ['live', 'timeline', 'events', 'cameras', 'system', 'people', 'identities', 'face-groups', 'analytics', 'streams'];

describe('roles in the UI', () => {
  it('admin (null: the desktop app and the API key) opens everything; a viewer only live; an operator no configuration', () => {
    expect(SCREENS.filter((s) => canOpen(s, null))).toEqual(SCREENS);
    expect(SCREENS.filter((s) => canOpen(s, 'admin'))).toEqual(SCREENS);
    expect(SCREENS.filter((s) => canOpen(s, 'viewer'))).toEqual(['live']);
    expect(SCREENS.filter((s) => canOpen(s, 'operator'))).toEqual(['live', 'timeline', 'events', 'people', 'identities', 'face-groups', 'analytics']);
    expect(canOpen('unknown-screen', 'operator')).toBe(false);
  });

  it('lands on the preferred screen when allowed, else the first allowed one', () => {
    expect(landingFor('viewer', SCREENS, 'system')).toBe('live');
    expect(landingFor(null, SCREENS, 'system')).toBe('system');
    expect(landingFor('operator', SCREENS, 'live')).toBe('live');
  });
});
