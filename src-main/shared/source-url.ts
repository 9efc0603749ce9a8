// Pure source-URL rules every layer shares: which lavfi test pattern a pattern:// URL names, and a file URL's path.

export const PATTERN_SOURCES = ['testsrc', 'testsrc2', 'smptebars', 'smptehdbars', 'rgbtestsrc', 'yuvtestsrc', 'mandelbrot', 'life', 'cellauto'] as const;
export type PatternSource = (typeof PATTERN_SOURCES)[number];

export const DEFAULT_PATTERN: PatternSource = 'testsrc2';
const PATTERN_URL = /^pattern:(?:\/\/)?([^/?#]*)/i;

/** pattern://testsrc2 (or pattern:testsrc2) → 'testsrc2' when allow-listed, else null. */
export function patternOf(url: string): PatternSource | null {
  const name = PATTERN_URL.exec(url.trim())?.[1]?.toLowerCase() ?? '';
  return (PATTERN_SOURCES as readonly string[]).includes(name) ? (name as PatternSource) : null;
}

/** The lavfi input for a pattern URL: the pattern it names (the default one when it names none), at a fixed size and rate. */
export function patternLavfi(url: string): string {
  return `${patternOf(url) ?? DEFAULT_PATTERN}=size=640x360:rate=10`;
}

/** A file-source URL (file:///x or a bare path) as a filesystem path. */
export function filePathOf(url: string): string {
  if (!/^file:\/\//i.test(url)) return url;
  const path = url.replace(/^file:\/\//i, '');
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}
