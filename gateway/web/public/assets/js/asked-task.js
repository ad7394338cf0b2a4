// The task a visitor came to help with (the widget's or the home page's "Sign up to help" link,
// signup.html?task=<id>), carried to the volunteer's page in this tab's storage. It leaves the
// address bar at once and is never put in a later URL, so no server log, history entry or
// Referer header holds it.

const KEY = "coalition.asked-task";
const TASK_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function rememberAskedTask() {
  const url = new URL(window.location.href);
  const taskId = url.searchParams.get("task");
  if (taskId === null) return;
  if (TASK_ID.test(taskId)) sessionStorage.setItem(KEY, taskId.toLowerCase());
  url.searchParams.delete("task");
  history.replaceState(history.state, "", `${url.pathname}${url.search}${url.hash}`);
}

export function askedTask() {
  return sessionStorage.getItem(KEY);
}

export function forgetAskedTask() {
  sessionStorage.removeItem(KEY);
}
