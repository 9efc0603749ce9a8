// The grid's layout and tile order: shared in the server's settings for those who may write them (admins, the desktop
// app), kept in this browser for operators and viewers, who may arrange their own screen but not everyone's.
import { useState } from 'react';
import { can, type Role } from '../../../../src-main/shared/access';
import type { Settings } from '../../../../src-main/shared/settings';
import { useSession } from '../../stores/session.store';
import { useSettings } from '../../stores/settings.store';

type Layout = Settings['ui_grid_layout'];
const LAYOUTS: readonly Layout[] = ['1', '2x2', '3x3', '4x4', 'auto'];
const STORAGE_KEY = 'vigil.grid';

export interface LocalGrid {
  layout?: Layout;
  order?: number[];
}

/** What this browser stored, keeping only well-formed values (storage is user-editable). */
export function parseLocalGrid(raw: string | null): LocalGrid {
  try {
    const v = JSON.parse(raw ?? '{}') as { layout?: unknown; order?: unknown };
    const out: LocalGrid = {};
    if (LAYOUTS.includes(v.layout as Layout)) out.layout = v.layout as Layout;
    if (Array.isArray(v.order) && v.order.every((n) => Number.isInteger(n))) out.order = (v.order as number[]).slice(0, 1000);
    return out;
  } catch {
    return {};
  }
}

/** Whether a role's grid changes go to the shared settings (null role: the desktop app or an admin credential). */
export const sharesGrid = (role: Role | null): boolean => role === null || can(role, 'system:write');

function readLocal(): LocalGrid {
  try {
    return parseLocalGrid(globalThis.localStorage?.getItem(STORAGE_KEY) ?? null);
  } catch {
    return {};
  }
}

export function useGridPrefs(): { layout: Layout; order: number[]; setLayout(l: Layout): Promise<void>; setOrder(o: number[]): Promise<void> } {
  const role = useSession((s) => s.role);
  const settings = useSettings((s) => s.settings);
  const update = useSettings((s) => s.update);
  const [local, setLocal] = useState<LocalGrid>(readLocal);
  const shared = sharesGrid(role);
  const save = (next: LocalGrid) => {
    try {
      globalThis.localStorage?.setItem(STORAGE_KEY, JSON.stringify(next));
    } catch {
      // Private mode: the arrangement lasts for this session only.
    }
    setLocal(next);
    return Promise.resolve();
  };
  return {
    layout: (shared ? undefined : local.layout) ?? settings?.ui_grid_layout ?? 'auto',
    order: (shared ? undefined : local.order) ?? settings?.ui_tile_order ?? [],
    setLayout: (l) => (shared ? update({ ui_grid_layout: l }).then(() => undefined) : save({ ...local, layout: l })),
    setOrder: (o) => (shared ? update({ ui_tile_order: o }).then(() => undefined) : save({ ...local, order: o })),
  };
}
