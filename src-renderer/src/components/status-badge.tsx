// Camera status badge: colour and text, so status reads at a glance and without colour.
import type { CameraStatus } from '../../../src-main/shared/contract/cameras.contract';

export function StatusBadge({ status }: { status: CameraStatus }) {
  return (
    <span className={`badge ${status}`} data-testid="status-badge" data-status={status}>
      {status}
    </span>
  );
}
