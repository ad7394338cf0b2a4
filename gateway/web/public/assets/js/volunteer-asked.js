// The task the volunteer came for (see asked-task.js), shown first on their page: offered to them
// at once if they fit and a place is open, or why not, in plain words. Matching may not have heard
// yet of a volunteer who signed up a moment ago: the page asks again until it has.

import { askedTask, forgetAskedTask } from "./asked-task.js";
import { t } from "./i18n.js";
import { taskCard } from "./tasks.js";
import { busy, el, showError } from "./ui.js";

const RETRY_MS = 1500;
const ATTEMPTS = 40;  // about a minute: a member reaches matching in seconds

const pause = (ms) => new Promise((resolve) => { setTimeout(resolve, ms); });

// Asks for the task (again, until matching has heard of the volunteer). The page's state gives
// ``ask`` (the askForTask mutation, for a task id) and ``redraw``.
export async function askForTheTaskCameFor(state) {
  const taskId = askedTask();
  if (!taskId) return;
  for (let attempt = 0; attempt < ATTEMPTS; attempt += 1) {
    const result = (await state.ask(taskId)).askForTask;
    if (result.__typename === "Unavailable") throw new Error(result.message);  // kept: ask again later
    if (result.__typename !== "TaskForMe") {
      forgetAskedTask();  // gone, or not for this account: nothing more to ask
      state.asked = { gone: true };
      state.redraw();
      return;
    }
    state.asked = result;
    if (result.offer) state.offers.set(result.offer.id, result.offer);
    state.redraw();
    if (result.answer !== "CHECKING") return;
    await pause(RETRY_MS);
  }
}

// The asked task's offer while it waits for an answer: shown here, not in the list below.
export function askedOfferId(state) {
  return state.asked && state.asked.offer ? state.asked.offer.id : null;
}

export function renderAsked(state, pendingCard) {
  const section = document.getElementById("asked");
  section.hidden = !state.asked;
  if (!state.asked) return;
  document.getElementById("asked-body").replaceChildren(...content(state, pendingCard));
}

function content(state, pendingCard) {
  const { asked } = state;
  if (asked.gone) return [el("p", {}, t("asked.gone"))];
  const offer = asked.offer ? state.offers.get(asked.offer.id) || asked.offer : null;
  if (offer && offer.status === "PENDING") {
    return [el("p", {}, t("asked.offered")), el("ul", { class: "cards" }, pendingCard(offer))];
  }
  if (offer) {
    forgetAskedTask();  // answered: the task now lives in the lists below
    return [el("p", {}, t(`asked.answered.${offer.status}`, { title: asked.task.title }, t("asked.answered.other")))];
  }
  if (asked.answer === "CHECKING") {
    return [el("p", { role: "status" }, t("asked.checking")), el("ul", { class: "cards" }, taskCard(asked.task))];
  }
  return [
    el("ul", { class: "cards" }, taskCard(asked.task)),
    el("p", {}, t("asked.not_eligible")),
    el("ul", { class: "reasons", "aria-label": t("asked.why_not") },
      ...asked.reasons.map((reason) => el("li", {}, t(`asked.reason.${reason}`)))),
    el("div", { class: "actions" }, againButton(state), hideButton(state)),
  ];
}

// After changing their profile below, the volunteer can ask again.
function againButton(state) {
  const button = el("button", { type: "button" }, t("asked.again"));
  button.addEventListener("click", async () => {
    busy(button, true);
    try {
      await askForTheTaskCameFor(state);
    } catch (error) {
      showError(document.getElementById("asked"), error);
    } finally {
      busy(button, false);
    }
  });
  return button;
}

function hideButton(state) {
  const button = el("button", { type: "button", class: "secondary" }, t("asked.hide"));
  button.addEventListener("click", () => {
    forgetAskedTask();
    state.asked = null;
    state.redraw();
  });
  return button;
}
