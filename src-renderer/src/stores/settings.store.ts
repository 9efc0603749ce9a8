// Settings: the server's settings (grid layout and tile order included, secrets as *_set flags), kept in sync by settings.changed pushes.
import { create } from 'zustand';
import { api } from '../api/client';
import type { SettingsView as Settings, SettingsPatch } from '../../../src-main/shared/settings';

interface SettingsState {
  settings: Settings | null;
  load(): Promise<void>;
  apply(s: Settings): void;
  update(patch: SettingsPatch): Promise<void>;
}

export const useSettings = create<SettingsState>((set, get) => ({
  settings: null,
  async load() {
    set({ settings: await api.call('settings.get') });
  },
  apply(s) {
    set({ settings: s });
  },
  async update(patch) {
    const prev = get().settings;
    if (prev) set({ settings: { ...prev, ...patch } as Settings });
    try {
      set({ settings: await api.call('settings.update', patch) });
    } catch (err) {
      set({ settings: prev });
      throw err;
    }
  },
}));
