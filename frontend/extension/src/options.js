// The settings page: where Thread Navigator is, the API token (pasted, or
// received through the connect flow, see background.js) and a check that it
// works. build.py puts `ThreadNavigatorConfig` (the built-in site) above this.
const api = globalThis.browser || globalThis.chrome;
const DEFAULTS = { site: ThreadNavigatorConfig.site, token: "" };
const X_ORIGINS = ["https://x.com/*", "https://twitter.com/*", "https://pbs.twimg.com/*", "https://abs.twimg.com/*"];

const byId = (id) => document.getElementById(id);

function say(element, text, tone = "") {
  element.textContent = text;
  element.className = tone;
}

function originOf(address) {
  try {
    const url = new URL(address.trim());
    return /^https?:$/.test(url.protocol) ? url.origin : null;
  } catch {
    return null;
  }
}

async function stored() {
  const found = await api.storage.local.get(DEFAULTS);
  return { site: found.site || DEFAULTS.site, token: found.token || "" };
}

function connected(yes) {
  byId("disconnect").hidden = !yes;
  byId("connect").textContent = yes ? "Connect again" : "Connect with your account";
}

async function check() {
  const { site, token } = await stored();
  const state = byId("state");
  connected(Boolean(token));
  if (!token) {
    say(state, "Not connected yet: click “Connect with your account”, or paste an API token below.");
    return;
  }
  say(state, "Checking…");
  let response;
  try {
    response = await fetch(`${site}/api/v1/accounts/me/`, {
      headers: { Authorization: `Token ${token}`, Accept: "application/json" },
      credentials: "omit",
    });
  } catch {
    say(state, `Could not reach Thread Navigator at ${site}: check its address below, and your connection.`, "error");
    return;
  }
  const body = await response.json().catch(() => null);
  if (response.ok && body) {
    say(state, `Connected as ${body.email}.`, "ok");
  } else if (response.status === 401) {
    say(state, "This token was not accepted (mistyped, revoked or expired): connect again, or paste a new one.", "error");
  } else {
    say(state, `Thread Navigator answered: ${(body && body.message) || `error ${response.status}`}`, "error");
  }
}

// Firefox may install the extension without its host permissions; a site
// typed in below needs its own. Either way the user grants them here.
// A site as a match pattern: no port (Firefox refuses one; any port matches).
function pattern(site) {
  const url = new URL(site);
  return `${url.protocol}//${url.hostname}/*`;
}

function needed(site) {
  return [...X_ORIGINS, pattern(site)];
}

async function showAccess() {
  const { site } = await stored();
  const origins = needed(site);
  byId("access").hidden = await api.permissions.contains({ origins });
}

async function allow() {
  const { site } = await stored();
  const granted = await api.permissions.request({ origins: needed(site) });
  byId("access").hidden = granted;
  if (!granted) say(byId("access-text"), "Without that permission the extension can't read X's pages or reach Thread Navigator. Click Allow access to try again.", "error");
}

async function save(event) {
  event.preventDefault();
  const saved = byId("saved");
  const site = originOf(byId("site").value);
  if (!site) {
    say(saved, "Enter Thread Navigator's address, starting with https:// (for example https://threadnavigator.app).", "error");
    byId("site").focus();
    return;
  }
  // Asked first, while the click still counts as the user's: a browser
  // shows a permission prompt only then. Already granted: no prompt.
  const granted = await api.permissions.request({ origins: [pattern(site)] }).catch(() => false);
  if (!granted) {
    say(saved, `Not saved: the extension needs your permission to reach ${site}.`, "error");
    return;
  }
  await api.storage.local.set({ site, token: byId("token").value.trim() });
  byId("site").value = site;
  say(saved, "Saved.", "ok");
  await check();
}

async function connect() {
  const { site } = await stored();
  const tab = await api.tabs.create({ url: `${site}/extension/connect/` });
  // Only the tab opened here may hand a token over (background.js): a link
  // to the done page with someone else's token in it is ignored.
  await api.storage.local.set({ connectTab: tab.id });
  say(byId("state"), "Finish in the tab that opened: sign in if asked, then allow the extension. This page updates by itself.");
}

async function disconnect() {
  byId("token").value = "";
  await api.storage.local.set({ token: "" });
  const { site } = await stored();
  await check();
  say(byId("saved"), `Disconnected. The token still works until you revoke it on the API keys page (${site}/api-keys/).`);
}

async function fill() {
  const { site, token } = await stored();
  byId("site").value = site;
  byId("token").value = token;
  byId("keys").href = `${site}/api-keys/`;
}

byId("settings").addEventListener("submit", save);
byId("check").addEventListener("click", () => byId("settings").requestSubmit());
byId("connect").addEventListener("click", connect);
byId("disconnect").addEventListener("click", disconnect);
byId("allow").addEventListener("click", allow);
api.storage.onChanged.addListener((changes, area) => {
  // The connect flow stored a token (or another page changed it).
  if (area !== "local" || !changes.token || changes.token.newValue === byId("token").value.trim()) return;
  fill().then(check);
});
fill().then(check).then(showAccess);
