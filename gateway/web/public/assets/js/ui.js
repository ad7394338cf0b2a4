// Small DOM helpers shared by the pages: building elements, announcing changes to screen
// readers, showing problems next to the fields they concern, and the page chrome.

import { RequestFailed } from "./graphql.js";
import { initI18n, t } from "./i18n.js";
import { currentSession, HOME_BY_ROLE, signOut } from "./session.js";

export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === "text") node.textContent = value;
    else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else if (name === "dataset") Object.assign(node.dataset, value);
    else node.setAttribute(name, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child !== null && child !== undefined && child !== false) node.append(child);
  }
  return node;
}

// A polite live region: screen readers hear what changed without moving focus.
export function announce(message) {
  const region = document.getElementById("announcer");
  if (!region) return;
  region.textContent = "";
  setTimeout(() => { region.textContent = message; }, 50);
}

export function clearProblems(form) {
  // An earlier "saved" notice goes too: it would contradict the answer to this submission.
  for (const node of form.querySelectorAll(".field-error, .problem, .notice")) node.remove();
  for (const node of form.querySelectorAll("[aria-invalid]")) {
    node.removeAttribute("aria-invalid");
    node.removeAttribute("aria-describedby");
  }
}

// Known problems get a translated message; the server's own words are kept for detail.
export function problemMessage(problem) {
  const key = `problem.${problem.__typename}`;
  const translated = t(key, {}, "");
  return translated || problem.message;
}

// The server's own words are English: they are marked so, and shown as detail under the
// translated summary when no field carries them.
// A form may say it in its own words (summary) where the general wording would not fit.
export function showProblem(container, problem, fieldIds = {}, summary = problemMessage(problem)) {
  const box = el("div", { class: "problem", role: "alert" }, el("p", {}, summary));
  container.prepend(box);
  let placed = 0;
  for (const { field, message } of problem.fields || []) {
    const input = document.getElementById(fieldIds[field] || field);
    if (!input) continue;
    placed += 1;
    const note = el("p", { class: "field-error", id: `${input.id}-error`, lang: "en" }, message);
    input.setAttribute("aria-invalid", "true");
    input.setAttribute("aria-describedby", note.id);
    input.insertAdjacentElement("afterend", note);
  }
  const detailed = ["ValidationProblem", "StateConflict"].includes(problem.__typename);
  if (detailed && !placed && problem.message) box.append(el("p", { lang: "en" }, problem.message));
  box.setAttribute("tabindex", "-1");
  box.focus();
}

export function errorText(error) {
  if (error instanceof RequestFailed) {
    if (error.code === "NETWORK") return t("error.network");
    if (error.code === "RATE_LIMITED") return t("problem.RateLimited");
    if (error.code === "SERVICE_UNAVAILABLE") return t("problem.Unavailable");
    if (error.code === "FORBIDDEN" || error.code === "UNAUTHENTICATED") return t("problem.NotAllowed");
  }
  return t("error.unexpected");
}

export function showError(container, error) {
  const box = el("div", { class: "problem", role: "alert" }, errorText(error));
  container.prepend(box);
}

export function notice(container, message) {
  for (const old of container.querySelectorAll(":scope > .notice")) old.remove();
  container.prepend(el("div", { class: "notice", role: "status" }, message));
}

// Header navigation depends on who is signed in; then the catalogue is applied.
export async function setUpPage() {
  const session = currentSession();
  for (const node of document.querySelectorAll("[data-when]")) {
    const signedIn = Boolean(session);
    node.hidden = node.dataset.when === "signed-in" ? !signedIn : signedIn;
  }
  const home = document.getElementById("nav-home-role");
  if (home && session) home.href = HOME_BY_ROLE[session.role] || "index.html";
  const logout = document.getElementById("sign-out");
  if (logout) logout.addEventListener("click", signOut);
  await initI18n();
}

export function busy(button, isBusy) {
  button.disabled = isBusy;
  button.setAttribute("aria-busy", isBusy ? "true" : "false");
}

// Marks the page as fully drawn (first data loaded, live updates started); tests wait for it.
export function pageReady() {
  document.documentElement.dataset.ready = "true";
}
