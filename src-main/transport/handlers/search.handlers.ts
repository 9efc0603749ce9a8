// Search handlers: "find this person everywhere", one line onto the person search service.
import type { Handlers } from '../../shared/contract';
import type { PersonSearchService } from '../../services/search/person-search.service';

export const searchHandlers = (s: { personSearch: PersonSearchService }): Pick<Handlers, 'search.person'> => ({
  'search.person': (i) => s.personSearch.find(i),
});
