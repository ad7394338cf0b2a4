// The volunteer's private calendar address: make it, replace it (the old one stops working) or
// remove it. The address is shown in full so it can be pasted into a calendar application.

import { request } from "./graphql.js";
import { t } from "./i18n.js";
import { busy, notice, showError } from "./ui.js";

const LOAD = "query CalendarFeed { myCalendarFeed { path } }";
const RENEW = "mutation RenewCalendarFeed { renewCalendarFeed { path } }";
const REMOVE = "mutation RemoveCalendarFeed { removeCalendarFeed }";

const byId = (id) => document.getElementById(id);

function show(feed) {
  byId("calendar-address-field").hidden = !feed;
  byId("calendar-address").value = feed ? new URL(feed.path, window.location.origin).href : "";
  byId("calendar-remove").hidden = !feed;
  const renew = byId("calendar-renew");
  renew.dataset.i18n = feed ? "calendar.renew" : "calendar.make";
  renew.textContent = t(renew.dataset.i18n);
}

async function act(button, query, field, saidKey) {
  const panel = byId("calendar-panel");
  busy(button, true);
  try {
    const data = await request(query);
    show(field === "removeCalendarFeed" ? null : data[field]);
    notice(panel, t(saidKey));
  } catch (error) {
    showError(panel, error);
  } finally {
    busy(button, false);
  }
}

export async function setUpCalendar() {
  const panel = byId("calendar-panel");
  byId("calendar-renew").addEventListener("click", (event) => act(event.target, RENEW, "renewCalendarFeed", "calendar.made"));
  byId("calendar-remove").addEventListener("click", (event) => act(event.target, REMOVE, "removeCalendarFeed", "calendar.removed"));
  try {
    show((await request(LOAD)).myCalendarFeed);
  } catch (error) {
    showError(panel, error);
  }
  panel.hidden = false;
}
