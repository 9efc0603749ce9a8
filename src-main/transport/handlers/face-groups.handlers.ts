// Face-group handlers (Iris /api/face-groups) and Vigil's face search and feedback: each is one line onto a faces service.
import type { Handlers } from '../../shared/contract';
import type { FaceGroupsService } from '../../services/faces/face-groups.service';
import type { FaceSamplesService } from '../../services/faces/face-samples.service';
import type { FaceSearchService } from '../../services/faces/face-search.service';
import type { PeopleService } from '../../services/faces/people.service';

type FaceGroupOps = 'faceGroups.list' | 'faceGroups.enroll' | 'faceGroups.label' | 'faceGroups.clips' | 'faceGroups.deleteSample' | 'faceGroups.bulkDeleteSamples' | 'faceGroups.clearAllSamples' | 'faces.search' | 'faces.rejectSample';

export interface FaceGroupHandlerDeps {
  groups: FaceGroupsService;
  samples: FaceSamplesService;
  search: FaceSearchService;
  people: PeopleService;
}

export const faceGroupHandlers = (s: FaceGroupHandlerDeps): Pick<Handlers, FaceGroupOps> => ({
  'faceGroups.list': (i) => s.groups.list(i),
  'faceGroups.enroll': (i) => s.groups.enroll(i),
  'faceGroups.label': (i) => s.groups.label(i),
  'faceGroups.clips': (i) => s.groups.clips(i),
  'faceGroups.deleteSample': (i) => s.samples.delete(i.id),
  'faceGroups.bulkDeleteSamples': (i) => s.samples.bulkDelete(i.ids),
  'faceGroups.clearAllSamples': (i) => s.samples.clearAll(i),
  'faces.search': (i) => s.search.search(i),
  'faces.rejectSample': (i) => s.people.rejectSample(i.id, i.person_id),
});
