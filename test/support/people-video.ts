// Makes a test camera's video from the fixture photos with ffmpeg: two people in turn, each followed by an empty grey scene.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

/** 24 s at 1280×720: Jesper (another photo than the one enrolled) 8 s, grey 4 s, Anne Helene 8 s, grey 4 s. */
export function twoPeopleVideo(dir: string, people: string): string {
  const out = join(dir, 'two-people.mp4');
  const fit = 'scale=1280:720:force_original_aspect_ratio=decrease,pad=1280:720:(ow-iw)/2:(oh-ih)/2:color=gray,fps=10,setsar=1,format=yuv420p';
  const r = spawnSync('ffmpeg', [
    '-hide_banner', '-loglevel', 'error', '-y',
    '-loop', '1', '-t', '8', '-i', join(people, 'jesper_2.jpg'),
    '-f', 'lavfi', '-t', '4', '-i', 'color=gray:s=1280x720:r=10',
    '-loop', '1', '-t', '8', '-i', join(people, 'anne_helene.jpg'),
    '-f', 'lavfi', '-t', '4', '-i', 'color=gray:s=1280x720:r=10',
    '-filter_complex', `[0]${fit}[a];[1]setsar=1,format=yuv420p[b];[2]${fit}[c];[3]setsar=1,format=yuv420p[d];[a][b][c][d]concat=n=4:v=1[v]`,
    '-map', '[v]', '-c:v', 'libx264', '-preset', 'veryfast', '-g', '10', '-pix_fmt', 'yuv420p', out,
  ]);
  if (r.status !== 0) throw new Error(`could not make the two-people video: ${r.stderr?.toString()}`);
  return out;
}
