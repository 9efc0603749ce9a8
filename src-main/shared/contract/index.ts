// The one contract: every JSON operation of every family, keyed by its IPC channel name.
import type { z } from 'zod';
import type { CallContext } from './define';
import { systemContract } from './system.contract';
import { camerasContract } from './cameras.contract';
import { eventsContract } from './events.contract';
import { peopleContract } from './people.contract';
import { faceGroupsContract } from './face-groups.contract';
import { identitiesContract } from './identities.contract';
import { searchContract } from './search.contract';
import { streamsContract } from './streams.contract';
import { usersContract } from './users.contract';

export const contract = {
  ...systemContract,
  ...camerasContract,
  ...eventsContract,
  ...peopleContract,
  ...faceGroupsContract,
  ...identitiesContract,
  ...searchContract,
  ...streamsContract,
  ...usersContract,
};

export type Contract = typeof contract;
export type OpName = keyof Contract;
/** What a caller sends (before defaults/coercion). */
export type OpInput<N extends OpName> = z.input<Contract[N]['input']>;
/** What a handler receives (after validation). */
export type OpParsedInput<N extends OpName> = z.output<Contract[N]['input']>;
/** What a caller receives. */
export type OpOutput<N extends OpName> = z.output<Contract[N]['output']>;

export type Handler<N extends OpName> = (input: OpParsedInput<N>, ctx: CallContext) => Promise<z.input<Contract[N]['output']>> | z.input<Contract[N]['output']>;
export type Handlers = { [N in OpName]: Handler<N> };

export const opNames = Object.keys(contract) as OpName[];
/** Operations served over REST (and documented in OpenAPI); IPC-only ones are owner-level desktop calls. */
export const restOpNames = opNames.filter((n) => (contract[n] as { transport?: 'ipc' }).transport !== 'ipc');
export { op } from './define';
export type { CallContext, Principal, OperationDef, HttpMethod } from './define';
