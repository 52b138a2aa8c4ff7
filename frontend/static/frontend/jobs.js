// Live progress for the jobs table: poll the jobs API while any job is
// queued or running, update each row in place, stop when all are done.
import { csrf } from "./client.js";

const table = document.querySelector("[data-live-jobs]");
const ACTIVE = new Set(["queued", "running"]);
const POLL_MS = 1000;

function formatSize(bytes) {
  if (bytes >= 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  return `${Math.max(1, Math.round(bytes / 1024))} KB`;
}

function fileCell(job) {
  const cell = document.createDocumentFragment();
  if (job.kind === "archive_import" && job.result) {
    // An X archive import made threads, not a file: link to them.
    const link = document.createElement("a");
    link.href = `${table.dataset.archive}?job=${job.id}`;
    link.textContent = `${job.result.threads.length} thread${job.result.threads.length === 1 ? "" : "s"}`;
    cell.append(link);
  } else if (job.result) {
    const link = document.createElement("a");
    link.className = "button primary";
    link.href = job.result.download_url;
    link.download = job.result.name;
    link.textContent = "Download";
    const size = document.createElement("span");
    size.className = "muted";
    size.textContent = ` ${formatSize(job.result.size)}`;
    cell.append(link, size);
  } else if (ACTIVE.has(job.status)) {
    const cancel = document.createElement("button");
    cancel.type = "button";
    cancel.className = "secondary";
    cancel.dataset.cancel = job.id;
    cancel.textContent = "Cancel";
    cell.append(cancel);
  }
  return cell;
}

function update(row, job) {
  const status = row.querySelector("[data-field=status]");
  const changed = status.dataset.status !== job.status;
  status.dataset.status = job.status;
  status.textContent = job.status;
  row.querySelector("[data-field=error]").textContent = job.error;
  const bar = row.querySelector("progress");
  bar.value = job.progress.percent;
  bar.textContent = `${job.progress.percent}%`;
  row.querySelector("[data-field=count]").textContent = job.progress.total
    ? `${job.progress.done}/${job.progress.total}` : "";
  if (changed) row.querySelector("[data-field=file]").replaceChildren(fileCell(job));
}

async function poll() {
  const rows = new Map([...table.querySelectorAll("tr[data-job]")].map((row) => [row.dataset.job, row]));
  const active = [...rows.values()].some((row) => ACTIVE.has(row.querySelector("[data-field=status]").dataset.status));
  if (!active) return;
  try {
    const response = await fetch(table.dataset.endpoint, { headers: { Accept: "application/json" } });
    if (response.ok) {
      for (const job of (await response.json()).results) {
        const row = rows.get(String(job.id));
        if (row) update(row, job);
      }
    }
  } finally {
    setTimeout(poll, POLL_MS);
  }
}

table?.addEventListener("click", async (event) => {
  const button = event.target.closest("[data-cancel]");
  if (!button) return;
  button.disabled = true;
  const response = await fetch(`${table.dataset.endpoint.split("?")[0]}${button.dataset.cancel}/cancel/`, {
    method: "POST",
    headers: { "X-CSRFToken": csrf(), Accept: "application/json" },
  });
  if (response.ok) update(button.closest("tr"), await response.json());
  else button.disabled = false;
});

if (table) setTimeout(poll, POLL_MS);
