// Why a sighting joined its identity, in words an investigator reads: kind, score, the sighting it matched and when.
import type { SightingDto } from '../../stores/identities.store';
import { formatDuration } from '../timeline/timeline-math';

export type LinkKind = SightingDto['link']['kind'];

/** Marker and chip colours per link kind (the strip and the cards agree). */
export const KIND_COLOR: Record<LinkKind, string> = { face: '#3fb950', appearance: '#2f81f7', manual: '#a371f7', new: '#d29922' };
export const KIND_LABEL: Record<LinkKind, string> = { face: 'face', appearance: 'appearance', manual: 'by hand', new: 'new' };

const pad = (n: number) => String(n).padStart(2, '0');

/** 14:02 today, "3 Mar 14:02" on another day (local time). */
export function clock(iso: string, now: Date = new Date()): string {
  const d = new Date(iso);
  const hm = `${pad(d.getHours())}:${pad(d.getMinutes())}`;
  if (d.toDateString() === now.toDateString()) return hm;
  return `${d.getDate()} ${d.toLocaleString('en', { month: 'short' })} ${hm}`;
}

/** The seconds from the matched sighting's end to this one's start, as words. */
export function gapText(gapS: number): string {
  if (gapS < 0) return 'while it was still in view';
  if (gapS < 1) return 'right after it';
  return `${formatDuration(gapS * 1000)} after it`;
}

export const score2 = (x: number | null): string => (x === null ? '—' : x.toFixed(2));

/** "face 0.93 · appearance 0.70": every similarity the linker computed. */
export function scoresText(link: SightingDto['link']): string {
  const parts: string[] = [];
  if (link.face_score !== null) parts.push(`face ${score2(link.face_score)}`);
  if (link.appearance_score !== null) parts.push(`appearance ${score2(link.appearance_score)}`);
  return parts.join(' · ');
}

const cameraLabel = (name: string | null, id: number) => name ?? `camera #${id}`;

/**
 * One sentence: "Linked by face 0.93 to the sighting at 14:02 on Gate, 2 min after it". The matched sighting may since
 * have moved to another identity (said so) or been deleted.
 */
export function whyLinked(s: Pick<SightingDto, 'link' | 'identity_id'>, now: Date = new Date()): string {
  const l = s.link;
  if (l.kind === 'new') return 'Started this identity: no earlier sighting matched it';
  const by = l.kind === 'manual' ? 'Moved here by an operator' : `Linked by ${l.kind}${l.score === null ? '' : ` ${score2(l.score)}`}`;
  if (l.matched) {
    const where = `the sighting at ${clock(l.matched.started_at, now)} on ${cameraLabel(l.matched.camera_name, l.matched.camera_id)}`;
    const elsewhere = l.matched.identity_id !== s.identity_id ? ` (now in identity #${l.matched.identity_id})` : '';
    const gap = l.gap_s === null ? '' : `, ${gapText(l.gap_s)}`;
    return `${by} ${l.kind === 'manual' ? 'with' : 'to'} ${where}${gap}${elsewhere}`;
  }
  if (l.matched_sighting_id !== null) return `${by} to sighting #${l.matched_sighting_id} (since deleted)`;
  return by;
}
