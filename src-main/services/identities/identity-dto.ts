// Rows of the identity store as the identities contract shows them (ISO times, URLs, the evidence of every link).
import type { IdentityDto, IdentityItemDto, SightingDto } from '../../shared/contract/identities.contract';
import type { IdentityFaceRow, IdentityRow, SightingRow } from '../../repositories/identities.repository';
import type { LinkKind } from './identity-model';

const iso = (ms: number): string => new Date(ms).toISOString();
const isoOrNull = (ms: number | null): string | null => (ms === null ? null : iso(ms));

export const identityDir = (id: number): string => `identities/${id}`;
export const identityThumbUrl = (id: number): string => `/api/identities/${id}/thumbnail`;
export const sightingThumbUrl = (id: number): string => `/api/identities/sightings/${id}/thumbnail`;
export const faceThumbUrl = (sampleId: number): string => `/api/face-groups/samples/${sampleId}/thumbnail`;

export function identityItem(r: IdentityRow, cameras: { id: number; name: string | null }[]): IdentityItemDto {
  return {
    id: r.id,
    name: r.name,
    is_named: r.is_named === 1,
    object_class: r.object_class,
    color: r.color,
    color_hex: r.color_hex,
    make: r.make,
    vehicle_type: r.vehicle_type,
    total_seconds: r.total_seconds,
    num_sightings: r.num_sightings,
    first_seen: isoOrNull(r.first_seen_ms),
    last_seen: isoOrNull(r.last_seen_ms),
    cameras,
    rep_thumb_url: r.rep_sighting_id === null ? null : identityThumbUrl(r.id),
    face_thumb_url: r.face_sample_id === null ? null : faceThumbUrl(r.face_sample_id),
    rep_sighting_id: r.rep_sighting_id,
    face_sample_id: r.face_sample_id,
    person_id: r.person_id,
    created_at: iso(r.created_ms),
  };
}

export function identityDto(r: IdentityRow, cameras: { id: number; name: string | null }[], exemplars: { face: number; appearance: number }): IdentityDto {
  return { ...identityItem(r, cameras), notes: r.notes, num_face_exemplars: exemplars.face, num_appearance_exemplars: exemplars.appearance };
}

function box(json: string): [number, number, number, number] {
  try {
    const b = JSON.parse(json) as unknown;
    if (Array.isArray(b) && b.length === 4 && b.every((x) => typeof x === 'number' && Number.isFinite(x))) return b as [number, number, number, number];
  } catch {
    // A damaged box reads as an empty one.
  }
  return [0, 0, 0, 0];
}

export function sightingDto(r: SightingRow, faceSampleIds: number[]): SightingDto {
  const matched =
    r.matched_sighting_id !== null && r.m_identity_id !== null && r.m_camera_id !== null && r.m_start_ms !== null && r.m_end_ms !== null
      ? { sighting_id: r.matched_sighting_id, identity_id: r.m_identity_id, camera_id: r.m_camera_id, camera_name: r.m_camera_name, started_at: iso(r.m_start_ms), ended_at: iso(r.m_end_ms) }
      : null;
  return {
    id: r.id,
    identity_id: r.identity_id,
    camera_id: r.camera_id,
    camera_name: r.camera_name,
    event_id: r.event_id,
    track_id: r.track_id,
    object_class: r.object_class,
    started_at: iso(r.start_ms),
    ended_at: iso(r.end_ms),
    duration_s: (r.end_ms - r.start_ms) / 1000,
    best_at: iso(r.best_ms),
    best_score: r.best_score,
    box: box(r.best_box),
    thumb_url: r.crop_path ? sightingThumbUrl(r.id) : null,
    person_id: r.person_id,
    person_name: r.person_name,
    color: r.color,
    color_hex: r.color_hex,
    face_sample_ids: faceSampleIds,
    has_face: r.has_face === 1,
    has_appearance: r.has_appearance === 1,
    link: {
      kind: r.link_kind as LinkKind,
      score: r.link_score,
      face_score: r.face_score,
      appearance_score: r.appearance_score,
      matched_sighting_id: r.matched_sighting_id,
      matched,
      gap_s: r.gap_s,
      detail: r.link_detail,
    },
  };
}

export const faceDto = (r: IdentityFaceRow) => ({
  sample_id: r.sample_id,
  sighting_id: r.sighting_id,
  camera_id: r.camera_id,
  camera_name: r.camera_name,
  ts: iso(r.ts_ms),
  quality: r.quality,
  label: r.label,
  person_id: r.person_id,
  person_name: r.person_name,
  thumb_url: r.has_crop ? faceThumbUrl(r.sample_id) : null,
});
