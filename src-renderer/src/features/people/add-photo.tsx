// "Add photo": a file picker and drop zone that enrols each photo's largest face and says plainly why a photo was refused.
import { useState, type DragEvent } from 'react';
import { ClientError } from '../../api/client';
import { usePeople } from '../../stores/people.store';
import { useSession } from '../../stores/session.store';
import { FACE_UPLOAD_MAX_BYTES } from '../../../../src-main/shared/contract/people.contract';

const ACCEPT = 'image/jpeg,image/png,image/webp';
const LIMIT_MIB = FACE_UPLOAD_MAX_BYTES / 1024 / 1024;

const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

/** The operator-facing reason an enrolment failed, from the upload's documented errors (415, 400, 413, 422, 503). */
export function enrolErrorText(err: unknown, file: File): string {
  if (!(err instanceof ClientError)) return err instanceof Error ? err.message : String(err);
  const detail = typeof err.detail === 'string' ? err.detail : err.message;
  switch (err.status) {
    case 0:
      return 'Cannot reach the Vigil server.';
    case 400:
      return /empty/i.test(detail) ? 'That file is empty.' : 'That file could not be read as an image: it is not a valid JPEG, PNG or WebP.';
    case 404:
      return 'This person no longer exists.';
    case 413:
      if (/resolution/i.test(detail)) return `That photo has too many pixels: ${detail.replace(/^Image resolution too large:\s*/, '')}`;
      return `That photo is ${mib(file.size)}, over the ${LIMIT_MIB} MiB limit.`;
    case 415:
      return 'That file is not a JPEG, PNG or WebP image.';
    case 422:
      if (typeof err.detail !== 'string') return detail;
      return /embedded/i.test(detail) ? 'A face was found in that photo but could not be used: try a sharper, front-facing photo.' : 'No face found in that photo: use a clear, front-facing photo of this person.';
    case 503:
      return `Face recognition is not available, so nobody can be enrolled now (${detail})`;
    default:
      return detail;
  }
}

export function AddPhoto({ personId, personName, disabled }: { personId: number; personName: string; disabled?: boolean }) {
  const enrol = usePeople((s) => s.enrol);
  const toast = useSession((s) => s.toast);
  const [busy, setBusy] = useState<string | null>(null);
  const [errors, setErrors] = useState<string[]>([]);
  const [over, setOver] = useState(false);

  const send = async (files: File[]) => {
    if (!files.length || busy) return;
    setErrors([]);
    const failed: string[] = [];
    for (const file of files) {
      setBusy(file.name);
      try {
        const r = await enrol(personId, file);
        toast(r.faces_detected > 1 ? `Enrolled ${personName} from ${file.name} (${r.faces_detected} faces in it; the largest was used)` : `Enrolled ${personName} from ${file.name}`);
      } catch (err) {
        failed.push(`${file.name}: ${enrolErrorText(err, file)}`);
      }
    }
    setBusy(null);
    setErrors(failed);
  };

  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setOver(false);
    if (!disabled) void send([...e.dataTransfer.files]);
  };

  return (
    <div className="add-photo">
      <label
        className={`dropzone ${over ? 'over' : ''} ${disabled ? 'disabled' : ''}`}
        onDragOver={(e) => {
          e.preventDefault();
          e.dataTransfer.dropEffect = disabled ? 'none' : 'copy';
          setOver(true);
        }}
        onDragLeave={() => setOver(false)}
        onDrop={onDrop}
        data-testid="add-photo-zone"
      >
        <input
          type="file"
          className="visually-hidden"
          accept={ACCEPT}
          multiple
          disabled={disabled || busy !== null}
          aria-label="Add photo"
          data-testid="add-photo-input"
          onChange={(e) => {
            const files = [...(e.target.files ?? [])];
            e.target.value = '';
            void send(files);
          }}
        />
        <strong>{busy ? `Enrolling ${busy}…` : '+ Add photo'}</strong>
        <span className="muted small">Choose or drop a JPEG, PNG or WebP photo (at most {LIMIT_MIB} MiB) with {personName}&rsquo;s face clearly visible.</span>
      </label>
      {errors.length > 0 && (
        <div className="enrol-error" role="alert" data-testid="enrol-error">
          {errors.map((t) => (
            <p key={t}>{t}</p>
          ))}
        </div>
      )}
    </div>
  );
}
