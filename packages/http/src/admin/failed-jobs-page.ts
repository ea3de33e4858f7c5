/**
 * The failed-jobs page (`GET /admin/jobs/failed` in a browser): every failed job with its error,
 * and a Replay button per job and per queue, posting a form to `POST /admin/jobs/failed/replay`
 * (same-site only, see cross-site.ts), which replays as `POST /admin/jobs/replay` does and comes
 * back here saying how many were replayed.
 */
import type { FailedJobView } from '@tickler/queues';
import { esc, page } from './html';

function replayForm(fields: Record<string, string>, label: string, name: string): string {
  const inputs = Object.entries(fields).map(([key, value]) => `<input type="hidden" name="${esc(key)}" value="${esc(value)}">`).join('');
  return `<form method="post" action="/admin/jobs/failed/replay" class="inline">${inputs}<button type="submit" aria-label="${esc(name)}">${esc(label)}</button></form>`;
}

export function renderFailedJobsPage(jobs: FailedJobView[], replayed: number | null): string {
  const notice = replayed === null ? '' : `<p class="good" role="status">${replayed} job${replayed === 1 ? '' : 's'} replayed.</p>`;
  if (jobs.length === 0) return page('Failed jobs', `${notice}<p class="muted">No failed jobs.</p>`);
  const queues = [...new Set(jobs.map((j) => j.queue))];
  const perQueue = queues.map((q) => replayForm({ queue: q }, `Replay all ${jobs.filter((j) => j.queue === q).length} in ${q}`, `Replay every failed job of ${q}`)).join(' ');
  const rows = jobs.map((j) => `<tr><td>${esc(j.queue)}</td><td>${esc(j.id)}</td><td>${esc(j.failedAt?.toISOString() ?? '')}</td>`
    + `<td class="n">${esc(j.attemptsMade)}</td><td>${esc(j.failedReason)}</td><td>${replayForm({ queue: j.queue, id: j.id }, 'Replay', `Replay job ${j.id} of ${j.queue}`)}</td></tr>`).join('\n');
  return page('Failed jobs', `${notice}<p>Replaying moves a job back to waiting with fresh attempts; a delivery already sent is never sent again.</p>
<p>${perQueue}</p>
<div class="scroll"><table><thead><tr><th>queue</th><th>job id</th><th>failed at</th><th>attempts</th><th>error</th><th></th></tr></thead><tbody>${rows}</tbody></table></div>`);
}
