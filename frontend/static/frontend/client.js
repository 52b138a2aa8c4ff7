// What the editor, the studio and the exports page share: the CSRF token,
// JSON calls to the API, and an export that waits for its job and downloads.
export function csrf() {
  const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
  return match ? decodeURIComponent(match[1]) : "";
}

// `signal` cancels a call a newer one replaced; `keepalive` lets a save
// finish while the page unloads.
export async function api(url, { method = "GET", body, signal, keepalive = false } = {}) {
  const response = await fetch(url, {
    method,
    signal,
    keepalive,
    headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": csrf() },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = response.status === 204 ? null : await response.json();
  if (!response.ok) throw new Error(data?.message || `HTTP ${response.status}`);
  return data;
}

// The job's and preview's "placeholders": "drop" when the box under the
// images-to-add warning is ticked (there is no box when none are left).
export function placeholdersChoice(root) {
  return root.querySelector("[data-leave-out]")?.checked ? "drop" : "keep";
}

export async function previewImage(url, body, signal) {
  const response = await fetch(url, {
    method: "POST",
    signal,
    headers: { "Content-Type": "application/json", "X-CSRFToken": csrf() },
    body: JSON.stringify(body),
  });
  if (!response.ok) {
    const problem = await response.json().catch(() => ({}));
    throw new Error(problem.message || `Preview failed (HTTP ${response.status}).`);
  }
  return { blob: await response.blob(), pages: Number(response.headers.get("X-Page-Count")) || 1 };
}

// Queue a job, follow it, then hand its file to the browser.
export async function exportAndDownload(jobsUrl, body, say) {
  say("Queuing the export…");
  try {
    let job = await api(jobsUrl, { method: "POST", body });
    while (job.status === "queued" || job.status === "running") {
      const count = job.progress.total ? ` ${job.progress.done}/${job.progress.total}` : "";
      say(`Export #${job.id}: ${job.status}${count}`);
      await new Promise((resolve) => setTimeout(resolve, 500));
      job = await api(`${jobsUrl}${job.id}/`);
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
