/** The BullMQ dashboard (bull-board) at /admin/queues, one tab per catalog queue. */
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import type { FastifyInstance, preHandlerAsyncHookHandler } from 'fastify';
import type { Queues } from '@tickler/queues';

const BOARD_PATH = '/admin/queues';

/** Registers the dashboard; `preHandler` runs before each of its routes (the Redis probe). */
export async function registerBoard(app: FastifyInstance, queues: Queues, preHandler: preHandlerAsyncHookHandler): Promise<void> {
  const serverAdapter = new FastifyAdapter();
  createBullBoard({
    queues: Object.values(queues).map((q) => new BullMQAdapter(q)),
    // @bull-board/fastify pins a patch release of @bull-board/api with the same shapes; the cast bridges the duplicate declarations.
    serverAdapter: serverAdapter as unknown as Parameters<typeof createBullBoard>[0]['serverAdapter'],
    options: { uiConfig: { boardTitle: 'Tickler queues' } },
  });
  serverAdapter.setBasePath(BOARD_PATH);
  await app.register(async (scope) => {
    scope.addHook('preHandler', preHandler);
    await scope.register(serverAdapter.registerPlugin(), { prefix: BOARD_PATH });
  });
}
