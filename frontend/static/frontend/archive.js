// The archive page: upload the ZIP to the API with the upload's own
// progress (XHR: fetch cannot report it), then follow the import's job
// until it ends, then show its threads (the page, for that job).
import { api, csrf, slowDownText } from "./client.js";

const form = document.querySelector("[data-archive-form]");
const panel = document.querySelector("[data-archive-progress]");
const ACTIVE = new Set(["queued", "running"]);
// Asked often at first, then every 2 s: an import of thousands of posts
// takes a minute, and the free plan's requests a minute are few.
const POLL_MS = [500, 500, 1000, 1000, 2000];

const $ = (selector) => document.querySelector(selector);

function showError(message) {
  const box = form.querySelector("[data-archive-error]");
  box.textContent = message;
  box.hidden = !message;
}

function busy(on) {
  form.querySelector("[data-archive-submit]").disabled = on;
  form.querySelector("input[type=file]").disabled = on;
}

function megabytes(bytes) {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

function showUpload(loaded, total) {
  const percent = total ? Math.floor((100 * loaded) / total) : 0;
  $("[data-upload-bar]").value = percent;
  $("[data-upload-text]").textContent = loaded >= total
    ? "Uploaded; checking it…" : `${megabytes(loaded)} of ${megabytes(total)} (${percent}%)`;
}

function showJob(job) {
  $("[data-import-bar]").value = job.progress.percent;
  const count = job.progress.total ? ` · ${job.progress.done} of ${job.progress.total} threads` : "";
  const words = { queued: "Waiting for a worker…", running: "Reading your archive…" };
  $("[data-import-text]").textContent = `${words[job.status] ?? job.status}${count}`;
}

function problem(xhr) {
  try {
    const body = JSON.parse(xhr.responseText);
    return body.errors?.file?.[0] ?? body.message ?? `HTTP ${xhr.status}`;
  } catch {
    return xhr.status === 413 ? "The file is too large." : `The upload failed (HTTP ${xhr.status}).`;
  }
}

function upload(data) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", form.dataset.endpoint);
    xhr.setRequestHeader("X-CSRFToken", csrf());
    xhr.setRequestHeader("Accept", "application/json");
    xhr.upload.addEventListener("progress", (event) => showUpload(event.loaded, event.total));
    xhr.addEventListener("load", () => (xhr.status === 202 ? resolve(JSON.parse(xhr.responseText)) : reject(new Error(problem(xhr)))));
    xhr.addEventListener("error", () => reject(new Error("The upload was interrupted; check your connection and try again.")));
    xhr.send(data);
  });
}

async function follow(jobId) {
  const onWait = (seconds) => { $("[data-import-text]").textContent = slowDownText(seconds); };
  for (let polls = 0; ; polls += 1) {
    const job = await api(`${form.dataset.jobs}${jobId}/`, { onWait });
    showJob(job);
    if (!ACTIVE.has(job.status)) break;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS[Math.min(polls, POLL_MS.length - 1)]));
  }
  // The page lists the import's threads (or says why it failed).
  window.location.assign(`${form.dataset.page}?job=${jobId}`);
}

form?.addEventListener("submit", async (event) => {
  event.preventDefault();
  const file = form.querySelector("input[type=file]").files[0];
  if (!file) {
    showError("Choose your archive's ZIP file.");
    return;
  }
  const data = new FormData();
  data.append("file", file);
  data.append("min_posts", form.querySelector("[name=min_posts]").value || "2");
  showError("");
  busy(true);
  document.querySelector("[data-archive-result]")?.remove();
  panel.hidden = false;
  showUpload(0, file.size);
  showJob({ status: "queued", progress: { percent: 0, done: 0, total: 0 } });
  try {
    const job = await upload(data);
    $("[data-upload-text]").textContent = "Uploaded";
    panel.dataset.job = job.id;
    await follow(job.id);
  } catch (error) {
    showError(error.message);
    panel.hidden = true;
    busy(false);
  }
});

if (panel?.dataset.job && ACTIVE.has(panel.dataset.status)) {
  busy(true);
  follow(panel.dataset.job).catch((error) => { showError(error.message); busy(false); });
}
