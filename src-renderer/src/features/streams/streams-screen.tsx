// Streams: cameras that push frames. Register one, show its pairing code as a QR for the kiosk to scan, pause, archive
// or re-pair it, and manage the policies every frame is verified against.
import { useEffect, useState, type FormEvent } from 'react';
import { ConfirmDialog } from '../../components/confirm-dialog';
import { useSession } from '../../stores/session.store';
import { describeRules, parseClasses, qrDataUrl, useStreams, type PolicyDto, type StreamDto } from '../../stores/streams.store';

export function StreamsScreen() {
  const st = useStreams();
  const { toast, reportError } = useSession();
  const [name, setName] = useState('');
  const [location, setLocation] = useState('');
  const [policy, setPolicy] = useState('');
  const [group, setGroup] = useState('');
  const [pending, setPending] = useState<StreamDto | null>(null);

  useEffect(() => {
    st.load().catch(reportError);
  }, []);

  const create = async (e: FormEvent) => {
    e.preventDefault();
    if (!name.trim()) return;
    try {
      const s = await st.createStream({ name: name.trim(), location: location.trim() || null, policy_id: policy || null, group_id: group.trim() || null });
      setName('');
      setLocation('');
      toast(`Registered ${s.name}: show the kiosk its pairing code`);
    } catch (err) {
      reportError(err);
    }
  };

  const policyName = (id: string | null) => (id ? (st.policies.find((p) => p.id === id)?.name ?? id) : 'none');

  return (
    <section className="screen streams" aria-label="Streams" data-testid="streams-screen">
      <div className="toolbar">
        <h2>Streams</h2>
        <span className="muted">Cameras that push JPEG frames to /api/v1/streams/&lt;id&gt;/frame; each frame is verified against its policy.</span>
      </div>
      <div className="streams-grid">
        <div className="panel" role="region" aria-label="Registered streams">
          <form className="row wrap" onSubmit={(e) => void create(e)} aria-label="Register a stream">
            <input aria-label="Stream name" placeholder="Name (e.g. Hub-East gate)" value={name} onChange={(e) => setName(e.target.value)} maxLength={200} required />
            <input aria-label="Location" placeholder="Location" value={location} onChange={(e) => setLocation(e.target.value)} maxLength={200} />
            <select aria-label="Policy" value={policy} onChange={(e) => setPolicy(e.target.value)}>
              <option value="">No policy</option>
              {st.policies.map((p) => (
                <option key={p.id} value={p.id}>
                  {p.name}
                </option>
              ))}
            </select>
            <input aria-label="Group" placeholder="Group (correlate cameras)" value={group} onChange={(e) => setGroup(e.target.value)} maxLength={100} />
            <button className="primary" type="submit" data-testid="stream-create">
              Register
            </button>
          </form>
          {st.loaded && st.streams.length === 0 && <p className="muted">No streams yet. Register one, then let the camera scan its pairing code.</p>}
          <table className="table" aria-label="Streams">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Status</th>
                <th scope="col">Policy</th>
                <th scope="col">Group</th>
                <th scope="col">Last frame</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {st.streams.map((s) => (
                <tr key={s.id} data-testid="stream-row" data-stream-id={s.id} data-status={s.status}>
                  <td>
                    <strong>{s.name}</strong>
                    <div className="muted small">{s.location ?? ''}</div>
                  </td>
                  <td>
                    <span className={`badge ${s.status === 'active' ? 'online' : 'offline'}`}>{s.status}</span> {!s.paired && <span className="badge">unpaired</span>}
                  </td>
                  <td>
                    <select aria-label={`Policy of ${s.name}`} value={s.policy_id ?? ''} onChange={(e) => st.setPolicy(s.id, e.target.value || null).catch(reportError)}>
                      <option value="">none</option>
                      {st.policies.map((p) => (
                        <option key={p.id} value={p.id}>
                          {p.name}
                        </option>
                      ))}
                    </select>
                  </td>
                  <td>{s.group_id ?? <span className="muted">—</span>}</td>
                  <td>{s.last_frame_at ? new Date(s.last_frame_at).toLocaleString() : <span className="muted">never</span>}</td>
                  <td className="row">
                    <button className="small" onClick={() => st.newCode(s.id).catch(reportError)} data-testid="stream-pair">
                      {s.paired ? 'Re-pair' : 'Pairing code'}
                    </button>
                    {s.status === 'active' ? (
                      <button className="small" onClick={() => st.setStatus(s.id, 'paused').catch(reportError)} data-testid="stream-pause">
                        Pause
                      </button>
                    ) : (
                      <button className="small" onClick={() => st.setStatus(s.id, 'active').catch(reportError)} data-testid="stream-resume">
                        Resume
                      </button>
                    )}
                    {s.status !== 'archived' && (
                      <button className="small" onClick={() => st.setStatus(s.id, 'archived').catch(reportError)}>
                        Archive
                      </button>
                    )}
                    <button className="small danger" onClick={() => setPending(s)} aria-label={`Delete ${s.name}`}>
                      Delete…
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {st.code && <PairingCode />}
        </div>
        <PoliciesPanel policyName={policyName} />
      </div>
      {pending && (
        <ConfirmDialog
          title={`Delete ${pending.name}?`}
          confirmLabel="Delete stream"
          danger
          onCancel={() => setPending(null)}
          onConfirm={() => {
            const s = pending;
            setPending(null);
            st.deleteStream(s.id).then(() => toast(`Deleted ${s.name}`), reportError);
          }}
        >
          Its token stops working and its verification log goes; recordings stay with its camera.
        </ConfirmDialog>
      )}
    </section>
  );
}

function PairingCode() {
  const { code, streams, closeCode } = useStreams();
  if (!code) return null;
  const s = streams.find((x) => x.id === code.stream_id);
  return (
    <div className="panel pairing" role="region" aria-label="Pairing code" data-testid="pairing-code">
      <img className="pairing-qr" src={qrDataUrl(code.qr_svg)} alt={`QR code of pairing code ${code.code}`} width={180} height={180} />
      <div>
        <h3>Pair {s?.name ?? 'the stream'}</h3>
        <p>
          Show this QR code to the camera, or type <code data-testid="pairing-code-text">{code.code}</code> on it. It works once and expires at{' '}
          {new Date(code.expires_at).toLocaleTimeString()}.
        </p>
        <p className="muted small">The camera posts the code to /api/v1/streams/pair and keeps the token it gets back; Vigil stores only a hash of it.</p>
        <button onClick={closeCode}>Done</button>
      </div>
    </div>
  );
}

function PoliciesPanel({ policyName }: { policyName(id: string | null): string }) {
  const { policies, savePolicy, deletePolicy, streams } = useStreams();
  const { toast, reportError } = useSession();
  const [editing, setEditing] = useState<PolicyDto | 'new' | null>(null);
  return (
    <div className="panel" role="region" aria-label="Policies" data-testid="policies">
      <div className="row">
        <h3>Policies</h3>
        <div className="spacer" />
        <button onClick={() => setEditing('new')} data-testid="policy-new">
          + Policy
        </button>
      </div>
      <ul className="policy-list">
        {policies.map((p) => (
          <li key={p.id} data-testid="policy-row" data-policy-id={p.id}>
            <div>
              <strong>{p.name}</strong>
              <div className="muted small">{describeRules(p.rules)}</div>
              <div className="muted small">used by {streams.filter((s) => s.policy_id === p.id).length} stream(s)</div>
            </div>
            <div className="row">
              <button className="small" onClick={() => setEditing(p)}>
                Edit
              </button>
              <button className="small danger" onClick={() => deletePolicy(p.id).then(() => toast(`Deleted ${policyName(p.id)}`), reportError)} aria-label={`Delete policy ${p.name}`}>
                Delete
              </button>
            </div>
          </li>
        ))}
      </ul>
      {editing && (
        <PolicyForm
          initial={editing === 'new' ? null : editing}
          onCancel={() => setEditing(null)}
          onSave={(p) =>
            savePolicy(p).then((saved) => {
              setEditing(null);
              toast(`Saved policy ${saved.name}`);
            }, reportError)
          }
        />
      )}
    </div>
  );
}

function PolicyForm({ initial, onSave, onCancel }: { initial: PolicyDto | null; onSave(p: { id?: string; name: string; rules: PolicyDto['rules'] }): void; onCancel(): void }) {
  const [name, setName] = useState(initial?.name ?? '');
  const [require, setRequire] = useState(initial?.rules.require.join(', ') ?? 'person');
  const [forbid, setForbid] = useState(initial?.rules.forbid.join(', ') ?? '');
  const [conf, setConf] = useState(initial?.rules.min_confidence ?? 0.5);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!name.trim()) return;
    onSave({ ...(initial ? { id: initial.id } : {}), name: name.trim(), rules: { ...(initial?.rules ?? {}), require: parseClasses(require), forbid: parseClasses(forbid), min_confidence: conf } });
  };
  return (
    <form className="policy-form" onSubmit={submit} aria-label={initial ? `Edit policy ${initial.name}` : 'New policy'} data-testid="policy-form">
      <label>
        Name <input value={name} onChange={(e) => setName(e.target.value)} maxLength={200} required aria-label="Policy name" />
      </label>
      <label>
        Required classes <input value={require} onChange={(e) => setRequire(e.target.value)} placeholder="person, car" aria-label="Required classes" />
      </label>
      <label>
        Forbidden classes <input value={forbid} onChange={(e) => setForbid(e.target.value)} placeholder="dog" aria-label="Forbidden classes" />
      </label>
      <label>
        Minimum confidence <input type="range" min={0} max={1} step={0.05} value={conf} onChange={(e) => setConf(Number(e.target.value))} aria-label="Minimum confidence" /> {conf.toFixed(2)}
      </label>
      <div className="row">
        <button className="primary" type="submit" data-testid="policy-save">
          Save
        </button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
