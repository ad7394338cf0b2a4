// The volunteer's own count (tasks they came to, hours given), and "I couldn't come" for a task
// they accepted once it has begun. Attendance is marked by whoever runs the task; this page only
// shows the volunteer their own figures.

import { request } from "./graphql.js";
import { formatDateTime, t } from "./i18n.js";
import { startOf } from "./tasks.js";
import { busy, el, notice, problemMessage, showError } from "./ui.js";

const RECORD = `query MyVolunteering { myVolunteering { tasksAttended minutes noShows excused
  history { taskId title startsAt endsAt timeZone presence minutes } } }`;
const COULD_NOT_COME = `mutation CouldNotCome($task: ID!) { couldNotCome(taskId: $task) {
  __typename ... on AttendanceMark { presence } ... on Problem { message } } }`;

const byId = (id) => document.getElementById(id);

export async function showRecord() {
  const panel = byId("record-panel");
  try {
    const record = (await request(RECORD)).myVolunteering;
    const hours = Math.round(record.minutes / 6) / 10;  // one decimal
    byId("record-summary").textContent = t("record.summary", { count: record.tasksAttended, hours });
    byId("record-history").replaceChildren(...record.history.map(historyLine));
    byId("record-history-heading").hidden = record.history.length === 0;
  } catch (error) {
    showError(panel, error);
  }
  panel.hidden = false;
}

// One ended task: its title, when it took place (in its own time zone) and whether they came.
function historyLine(given) {
  const outcome = given.presence
    ? t(`record.presence.${given.presence.toLowerCase()}`, { hours: Math.round(given.minutes / 6) / 10 })
    : t("record.presence.unmarked");
  return el("li", {}, el("strong", {}, given.title), " — ", formatDateTime(given.startsAt || given.endsAt, given.timeZone),
    " — ", outcome);
}

export function hasBegun(task) {
  return Boolean(task) && startOf(task) <= Date.now();
}

// A button for an accepted task that has begun: the volunteer says they could not come (excused).
export function couldNotComeButton(offer, title) {
  const label = t("record.could_not_come");
  const button = el("button", { type: "button", class: "secondary", "aria-label": `${label}: ${title}` }, label);
  button.addEventListener("click", () => tell(offer, button));
  return button;
}

async function tell(offer, button) {
  busy(button, true);
  try {
    const result = (await request(COULD_NOT_COME, { task: offer.taskId })).couldNotCome;
    if (result.__typename !== "AttendanceMark") {
      notice(button.parentElement, problemMessage(result));
      return;
    }
    notice(button.parentElement, t("record.told"));
    button.remove();
    await showRecord();
  } catch (error) {
    showError(button.parentElement, error);
  } finally {
    busy(button, false);
  }
}
