// System: health and introspection for the status panel.
import { create } from 'zustand';
import { api } from '../api/client';
import type { OpOutput } from '../../../src-main/shared/contract';

interface SystemState {
  health: OpOutput<'health.get'> | null;
  info: OpOutput<'system.get'> | null;
  refresh(): Promise<void>;
}

export const useSystem = create<SystemState>((set) => ({
  health: null,
  info: null,
  async refresh() {
    const [health, info] = await Promise.all([api.call('health.get'), api.call('system.get')]);
    set({ health, info });
  },
}));
