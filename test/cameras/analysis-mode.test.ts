// Unit: a camera's effective analysis mode (what its ingest decodes) from its settings and what would use the frames.
import { describe, expect, it } from 'vitest';
import { effectiveAnalysisMode } from '../../src-main/services/cameras/analysis-mode';
import { defaultTuning, parseStoredTuning } from '../../src-main/shared/contract/cameras.contract';

const none = { detects: false, faces: false };

describe('effectiveAnalysisMode', () => {
  it('off is off whatever else is on', () => {
    expect(effectiveAnalysisMode({ analysis_mode: 'off', motion_enabled: true }, { detects: true, faces: true })).toBe('off');
  });

  it('keyframes and full hold while motion, detection or faces use the frames', () => {
    for (const mode of ['keyframes', 'full'] as const) {
      expect(effectiveAnalysisMode({ analysis_mode: mode, motion_enabled: true }, none)).toBe(mode);
      expect(effectiveAnalysisMode({ analysis_mode: mode, motion_enabled: false }, { detects: true, faces: false })).toBe(mode);
      expect(effectiveAnalysisMode({ analysis_mode: mode, motion_enabled: false }, { detects: false, faces: true })).toBe(mode);
    }
  });

  it('nothing to feed: motion, detection and faces all off record copy-only', () => {
    expect(effectiveAnalysisMode({ analysis_mode: 'full', motion_enabled: false }, none)).toBe('off');
  });

  it('cameras stored before analysis_mode existed read as full, so they keep analysing as before', () => {
    const { analysis_mode: _dropped, ...old } = defaultTuning;
    expect(parseStoredTuning(JSON.stringify(old), 'continuous').analysis_mode).toBe('full');
    expect(parseStoredTuning(JSON.stringify({ ...old, analysis_mode: 'bogus' }), 'continuous').analysis_mode).toBe('full');
    expect(parseStoredTuning(JSON.stringify({ ...old, analysis_mode: 'keyframes' }), 'continuous').analysis_mode).toBe('keyframes');
  });
});
