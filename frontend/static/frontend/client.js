// What the editor, the studio and the exports page share: the CSRF token,
// JSON calls to the API, and an export that waits for its job and downloads.
export function csrf() {
  const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
  return match ? decodeURIComponent(match[1]) : "";
}

// A call a rate limit refused for longer than is worth waiting out (a
// day's budget, say): `retryAfter` says in how many seconds it may be made.
export class RateLimited extends Error {
  constructor(message, retryAfter) {
    super(message);
    this.name = "RateLimited";
    this.retryAfter = retryAfter;
  }
}

// A 429 from a rate limit asking for no longer than this is waited out and
// the call made again; a longer one is thrown (RateLimited).
const LONGEST_WAIT_S = 120;

// What a page says while a call waits: `seconds` left, 0 when it goes again.
export function slowDownText(seconds) {
  return seconds > 0 ? `Slow down — retrying in ${seconds} s` : "Retrying…";
}

// fetch, made again after a rate limit's Retry-After (only for "throttled":
// a quota's 429 is an answer, not a wait). `onWait(seconds)` hears each
// second of the wait, then 0; an abort of `init.signal` ends the wait too.
export async function fetchPolitely(url, init, onWait) {
  for (;;) {
    const response = await fetch(url, init);
    if (response.status !== 429) return response;
    const problem = await response.clone().json().catch(() => ({}));
    const wait = Number(response.headers.get("Retry-After") ?? problem.retry_after);
    if (problem.code !== "throttled" || !(wait >= 0)) return response;
    if (wait > LONGEST_WAIT_S || init.keepalive) throw new RateLimited(problem.message || "Too many requests.", wait);
    await waitOut(wait, init.signal, onWait);
  }
}

function waitOut(seconds, signal, onWait) {
  return new Promise((resolve, reject) => {
    let left = Math.ceil(seconds);
    let timer = null;
    const stop = () => {
      clearTimeout(timer);
      reject(new DOMException("The wait was aborted.", "AbortError"));
    };
    const tick = () => {
      onWait?.(left);
      if (left <= 0) {
        signal?.removeEventListener("abort", stop);
        resolve();
        return;
      }
      left -= 1;
      timer = setTimeout(tick, 1000);
    };
    if (signal?.aborted) { stop(); return; }
    signal?.addEventListener("abort", stop, { once: true });
    tick();
  });
}

// `signal` cancels a call a newer one replaced; `keepalive` lets a save
// finish while the page unloads; `onWait` as for fetchPolitely.
export async function api(url, { method = "GET", body, signal, keepalive = false, onWait } = {}) {
  const response = await fetchPolitely(url, {
    method,
    signal,
    keepalive,
    headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": csrf() },
    body: body === undefined ? undefined : JSON.stringify(body),
  }, onWait);
  const data = response.status === 204 ? null : await response.json();
  if (!response.ok) throw new Error(data?.message || `HTTP ${response.status}`);
  return data;
}

// The job's and preview's "placeholders": "drop" when the box under the
// images-to-add warning is ticked (there is no box when none are left).
export function placeholdersChoice(root) {
  return root.querySelector("[data-leave-out]")?.checked ? "drop" : "keep";
}

// One page's image. A rate limit's short wait is sat out (told to
// `onWait`, see fetchPolitely) and the image still comes.
export async function previewImage(url, body, signal, onWait) {
  const response = await fetchPolitely(url, {
    method: "POST",
    signal,
    headers: { "Content-Type": "application/json", "X-CSRFToken": csrf() },
    body: JSON.stringify(body),
  }, onWait);
  if (!response.ok) {
    const problem = await response.json().catch(() => ({}));
    throw new Error(problem.message || `Preview failed (HTTP ${response.status}).`);
  }
  return { blob: await response.blob(), pages: Number(response.headers.get("X-Page-Count")) || 1 };
}

// A job is asked about often at first, then less (at most every 2 s): a
// long export polled twice a second would use the free plan's minute.
const POLL_MS = [500, 500, 1000, 1000, 2000];

// Queue a job, follow it, then hand its file to the browser.
export async function exportAndDownload(jobsUrl, body, say) {
  say("Queuing the export…");
  const onWait = (seconds) => say(slowDownText(seconds));
  try {
    let job = await api(jobsUrl, { method: "POST", body, onWait });
    for (let polls = 0; job.status === "queued" || job.status === "running"; polls += 1) {
      const count = job.progress.total ? ` ${job.progress.done}/${job.progress.total}` : "";
      say(`Export #${job.id}: ${job.status}${count}`);
      await new Promise((resolve) => setTimeout(resolve, POLL_MS[Math.min(polls, POLL_MS.length - 1)]));
      job = await api(`${jobsUrl}${job.id}/`, { onWait });
    }
    if (job.status !== "succeeded") {
      say(`Export #${job.id} ${job.status}: ${job.error}`);
      return;
    }
    const link = Object.assign(document.createElement("a"), { href: job.result.download_url, download: job.result.name });
    document.body.append(link);
    link.click();
    link.remove();
    const notes = job.warnings.map((warning) => ` ${warning.message}`).join("");
    say(`Export #${job.id} is ready: ${job.result.name}.${notes}`);
  } catch (error) {
    say(error.message);
  }
}
