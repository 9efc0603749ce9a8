// Camera status badge: colour and text, so status reads at a glance and without colour.
export function StatusBadge({ status }: { status: 'online' | 'offline' | 'error' }) {
  return (
    <span className={`badge ${status}`} data-testid="status-badge" data-status={status}>
      {status}
    </span>
  );
}
