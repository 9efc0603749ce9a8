// The streams store's pure helpers: class lists typed by an operator, the one-line policy summary, the QR image source.
import { describe, expect, it } from 'vitest';
import { describeRules, parseClasses, qrDataUrl } from '../../src-renderer/src/stores/streams.store';

describe('streams store helpers', () => {
  it('parses typed class lists', () => {
    expect(parseClasses(' Person, car ,,person, ')).toEqual(['person', 'car']);
    expect(parseClasses('')).toEqual([]);
  });

  it('summarises a policy in one line', () => {
    expect(describeRules({ require: ['person'], forbid: ['dog', 'cat'], min_confidence: 0.4 })).toBe('requires person · forbids dog, cat · ≥ 0.40');
    expect(describeRules({ require: [], forbid: [], min_confidence: 0.5, zones: [{ name: 'gate', polygon: [[0, 0], [1, 0], [1, 1]] }] })).toBe('≥ 0.50 · 1 zone');
  });

  it('turns the SVG into a data: image source (no markup injected into the page)', () => {
    const url = qrDataUrl('<svg xmlns="http://www.w3.org/2000/svg"/>');
    expect(url.startsWith('data:image/svg+xml;base64,')).toBe(true);
    expect(Buffer.from(url.split(',')[1]!, 'base64').toString()).toBe('<svg xmlns="http://www.w3.org/2000/svg"/>');
  });
});
