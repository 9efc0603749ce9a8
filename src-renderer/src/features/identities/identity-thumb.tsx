// Crops of identities and sightings, loaded with the media token; a missing file shows a placeholder, not a broken image.
import { useState } from 'react';
import { mediaPath } from '../../api/media-routes';
import { displayName } from '../../stores/identities.store';

function Crop({ src, alt, className }: { src: string | null; alt: string; className: string }) {
  const [failed, setFailed] = useState(false);
  if (!src || failed) return <span className={`${className} crop-missing`} aria-label={alt} role="img" />;
  return <img className={className} src={mediaPath(src)} alt={alt} loading="lazy" onError={() => setFailed(true)} />;
}

type Thumbed = { id: number; name: string | null; rep_thumb_url: string | null; face_thumb_url: string | null; rep_sighting_id: number | null };

/** The representative body crop (its URL is per identity, so the sighting it shows is added to tell the images apart), else the best face. */
export function IdentityThumb({ item, size = 'row' }: { item: Thumbed; size?: 'small' | 'row' | 'large' }) {
  const src = item.rep_thumb_url ? `${item.rep_thumb_url}?v=${item.rep_sighting_id ?? 0}` : item.face_thumb_url;
  return <Crop key={src ?? 'none'} src={src} alt={`Crop of ${displayName(item)}`} className={`identity-thumb ${size}`} />;
}

export function SightingCrop({ id, url, alt }: { id: number; url: string | null; alt: string }) {
  return <Crop key={`${id}:${url ?? ''}`} src={url} alt={alt} className="sighting-crop" />;
}

export function FaceCrop({ url, alt }: { url: string | null; alt: string }) {
  return <Crop key={url ?? 'none'} src={url} alt={alt} className="face-crop" />;
}
