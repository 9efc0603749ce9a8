// The identities domain's shared vocabulary (issue 11): what a finished track becomes (a sighting summary), how it was
// linked (the evidence), and what linking compares it with. Pure types: the linker, the store and capture all use these.
import type { Box } from '../../ports/analysis-engine.port';

/** How a sighting joined its identity. */
export const LINK_KINDS = ['face', 'appearance', 'manual', 'new'] as const;
export type LinkKind = (typeof LINK_KINDS)[number];

/** Grey-world normalised HSV histograms of a person box (AppearanceHist), averaged over a track; optional CNN features. */
export interface AppearanceDescriptor {
  upper: Float32Array;
  lower: Float32Array;
  /** L2-normalised appearance-model features (e.g. MobileNetV2 block 5), null when none ran. */
  features: Float32Array | null;
}

/** One tracked object on one camera over a time span, as capture hands it to linking and storage when its track ends. */
export interface SightingSummary {
  camera_id: number;
  track_id: number;
  object_class: string;
  start_ms: number;
  end_ms: number;
  /** The detection event it belongs to, if any. */
  event_id: number | null;
  /** Normalised [x, y, w, h] of the best detection. */
  best_box: Box;
  best_ms: number;
  best_score: number;
  /** Body crop JPEG of the best moment, when a frame of it was available. */
  crop_jpeg: Buffer | null;
  appearance: AppearanceDescriptor | null;
  /** Face samples captured on this track (face_samples.id). */
  face_sample_ids: number[];
  /** Mean L2-normalised face embedding of the track (null without faces) and the model that made it. */
  face_embedding: Float32Array | null;
  face_model: string | null;
  /** Sum of the qualities (0–1 each) of the faces averaged into face_embedding: how much face evidence it rests on. Absent: unknown. */
  face_weight?: number;
  /** The enrolled person face recognition named the track as, if any. */
  person_id: number | null;
  /** Vehicles: dominant colour of the best crop. */
  color: { name: string; hex: string } | null;
}

/** Why a sighting belongs to its identity; stored with the sighting and returned by GET /api/identities/{id}/sightings. */
export interface LinkEvidence {
  kind: LinkKind;
  /** The identity it joined; null for kind 'new' (a provisional identity is created). */
  identity_id: number | null;
  /** The score that decided it (face cosine for 'face', blended appearance similarity for 'appearance'). */
  score: number | null;
  face_score: number | null;
  appearance_score: number | null;
  /** The sighting of that identity it matched best. */
  matched_sighting_id: number | null;
  /** Seconds between the matched sighting's end and this one's start (negative: overlapping). */
  gap_s: number | null;
  /** One line an operator reads ("face 0.93 to the sighting at 14:02 on Gate"); also explains a refusal for 'new'. */
  detail: string;
}

/** A sighting as linking's spatio-temporal gate reads it (no vectors). */
export interface CandidateSighting {
  id: number;
  identity_id: number;
  camera_id: number;
  start_ms: number;
  end_ms: number;
  person_id: number | null;
  link_kind: LinkKind;
}

/** One face exemplar of an identity (L2-normalised mean face of a sighting). */
export interface FaceExemplar {
  sighting_id: number;
  embedding: Float32Array;
  model: string;
  quality: number;
}

/** One appearance exemplar of an identity. */
export interface AppearanceExemplar {
  sighting_id: number;
  appearance: AppearanceDescriptor;
  quality: number;
}

/** An identity linking may join a new sighting to, with its bounded exemplars and where it was seen last. */
export interface CandidateIdentity {
  id: number;
  name: string | null;
  is_named: boolean;
  object_class: string;
  /** The enrolled person its newest recognised sighting was named as, if any. */
  person_id: number | null;
  num_sightings: number;
  first_seen_ms: number;
  last_seen_ms: number;
  faces: FaceExemplar[];
  appearances: AppearanceExemplar[];
  /** Its newest sighting on each camera among those ending at or after the query's since_ms. */
  last_by_camera: CandidateSighting[];
}

/** What candidates() is asked for; every part is bounded. */
export interface CandidateQuery {
  object_class: string;
  /** Identities last seen at or after this time (epoch ms). */
  since_ms: number;
  /** At most this many recent identities, most recently seen first (default 300, at most 2000). */
  max_identities?: number;
  /** Also the identities these enrolled people were last recognised in (at most 3 each), however old. */
  person_ids?: readonly number[];
  /** Newest sightings kept per camera in recent_by_camera (default 20, at most 200). */
  per_camera?: number;
}

/** What linking compares a new sighting with. */
export interface LinkCandidates {
  identities: CandidateIdentity[];
  /** camera id → its newest sightings of this class ending at or after since_ms, newest first. */
  recent_by_camera: Map<number, CandidateSighting[]>;
}
