// Trigger classes: the COCO names a camera may trigger on, normalised from the API's CSV (pure).
import { unprocessable } from '../../shared/errors';
import { COCO_CLASSES, DEFAULT_TRIGGER_CLASSES } from '../../shared/coco-classes';

/** "Person, car" → "person,car"; empty → the default set; unknown names → 422 on trigger_classes. */
export function normaliseTriggerClasses(csv: string): string {
  const names = csv
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  if (names.length === 0) return DEFAULT_TRIGGER_CLASSES.join(',');
  const known = new Set<string>(COCO_CLASSES);
  const bad = names.filter((n) => !known.has(n));
  if (bad.length) throw unprocessable(['body', 'trigger_classes'], `Unknown class(es): ${bad.join(', ')}. See GET /api/cameras/detect/classes.`);
  return [...new Set(names)].join(',');
}

/** Every class a camera may trigger on, and the set an empty trigger_classes means. */
export function detectClasses(): { classes: string[]; default: string[] } {
  return { classes: [...COCO_CLASSES], default: [...DEFAULT_TRIGGER_CLASSES] };
}
