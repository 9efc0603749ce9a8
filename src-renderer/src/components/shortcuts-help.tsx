// Keyboard shortcut reference, opened with "?" from anywhere.
import { useEffect, useRef } from 'react';

const GROUPS: [string, [string, string][]][] = [
  ['Anywhere', [['Alt+1…9', 'Live, Timeline, Events, Cameras, System, People, Identities, Face groups, Analytics'], ['?', 'This help']]],
  ['Live grid', [['1 2 3 4 0', 'Layout 1, 2×2, 3×3, 4×4, auto'], ['Arrows', 'Move between tiles'], ['Alt+arrows / drag', 'Reorder tiles'], ['Enter / double-click', 'Open the camera'], ['PageUp/PageDown', 'Grid pages']]],
  ['Camera', [['H', 'Toggle HLS (sound)'], ['F', 'Fullscreen'], ['R', 'Start/stop recording'], ['Esc', 'Back to the grid']]],
  ['Timeline', [['Wheel / pinch', 'Zoom'], ['Drag', 'Pan'], ['Shift+drag', 'Select a range to export'], ['Click', 'Play from there'], ['Double-click an event', 'Open its clip'], ['J K L', 'Back 10 s / play-pause / faster'], ['← →', '±5 s (Shift ±60 s)'], ['↑ ↓', 'Zoom in/out'], ['[ ]', 'Previous/next event']]],
  ['Events', [['↑ ↓', 'Move'], ['Shift+↑↓ / Shift+click', 'Extend selection'], ['Space / Ctrl+click', 'Toggle selection'], ['Ctrl+A', 'Select all'], ['P', 'Protect/unprotect'], ['Delete', 'Delete selected'], [', .', 'Frame step in the clip']]],
];

export function ShortcutsHelp({ onClose }: { onClose(): void }) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current;
    if (d && !d.open) d.showModal();
    return () => d?.close();
  }, []);
  return (
    <dialog ref={ref} className="dialog wide" aria-label="Keyboard shortcuts" onCancel={(e) => { e.preventDefault(); onClose(); }}>
      <h3>Keyboard shortcuts</h3>
      <div className="shortcut-groups">
        {GROUPS.map(([title, keys]) => (
          <div key={title}>
            <h4>{title}</h4>
            <dl>
              {keys.map(([k, what]) => (
                <div key={k} className="shortcut">
                  <dt>
                    <kbd>{k}</kbd>
                  </dt>
                  <dd>{what}</dd>
                </div>
              ))}
            </dl>
          </div>
        ))}
      </div>
      <div className="row end">
        <button autoFocus onClick={onClose}>
          Close
        </button>
      </div>
    </dialog>
  );
}
