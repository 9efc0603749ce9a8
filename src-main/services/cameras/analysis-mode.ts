// What a camera's ingest decodes for analysis: its analysis_mode, narrowed to off when nothing would use the frames.
import type { AnalysisMode, CameraTuning } from '../../shared/contract/cameras.contract';

/**
 * `full` is the stored default, so cameras saved before analysis_mode existed keep analysing as they did; a camera whose
 * motion, detection and face capture are all off has no consumer for decoded frames and records copy-only.
 */
export function effectiveAnalysisMode(t: Pick<CameraTuning, 'analysis_mode' | 'motion_enabled'>, uses: { detects: boolean; faces: boolean }): AnalysisMode {
  if (t.analysis_mode === 'off') return 'off';
  if (!t.motion_enabled && !uses.detects && !uses.faces) return 'off';
  return t.analysis_mode;
}
