// Append-only, numbered migrations. Never edit a shipped one: add the next number.
import type { Database } from 'better-sqlite3';
import { m001Initial } from './001-initial';
import { m002Cameras } from './002-cameras';
import { m003Recordings } from './003-recordings';
import { m004CoverageSpans } from './004-coverage-spans';
import { m005SegmentTotals } from './005-segment-totals';
import { m006OwnerFfmpegExportSizes } from './006-owner-ffmpeg-export-sizes';
import { m007EventObjects } from './007-event-objects';
import { m008PeopleFaces } from './008-people-faces';
import { m009Identities } from './009-identities';
import { m010AnalyticsIndexes } from './010-analytics-indexes';
import { m011Streams } from './011-streams';
import { m012Users } from './012-users';
import { m013PushCameras } from './013-push-cameras';

export interface Migration {
  version: number;
  name: string;
  up: (db: Database) => void;
}

export const migrations: Migration[] = [m001Initial, m002Cameras, m003Recordings, m004CoverageSpans, m005SegmentTotals, m006OwnerFfmpegExportSizes, m007EventObjects, m008PeopleFaces, m009Identities, m010AnalyticsIndexes, m011Streams, m012Users, m013PushCameras];
