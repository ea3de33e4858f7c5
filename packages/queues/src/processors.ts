import type { Job } from 'bullmq';
import type { JobData, JobName } from './catalog';

/** A processor for a catalog job: receives the parsed payload and the BullMQ job (for logging, progress). */
export type Processor<N extends JobName> = (data: JobData<N>, job: Job) => Promise<unknown>;
/** One handler per catalog job; leaving one out is a compile error. */
export type Processors = { [N in JobName]: Processor<N> };
