// The volunteer's choices about messages from the platform: email on or off (also the way back
// after an unsubscribe link), discreet or detailed, quiet hours in their own time zone.

import { request } from "./graphql.js";
import { t } from "./i18n.js";
import { browserZone, listZones } from "./time-zones.js";
import { busy, clearProblems, notice, showError, showProblem } from "./ui.js";

const PREFERENCES = "notificationPreferences { email detail quietHours { start end timeZone } }";
const LOAD = `query MessageChoices { me { member { id ${PREFERENCES} } } }`;
const UPDATE = `mutation UpdateMessageChoices($input: NotificationPreferencesInput!) {
  updateNotificationPreferences(input: $input) {
    __typename ... on MemberProfile { ${PREFERENCES} } ... on Problem { message }
    ... on ValidationProblem { fields { field message } }
  }
}`;
const FIELD_IDS = { "quietHours.start": "quiet-start", "quietHours.end": "quiet-end", "quietHours.timeZone": "quiet-zone" };
const DEFAULT_QUIET = { start: "22:00", end: "07:00" };

const byId = (id) => document.getElementById(id);

function showQuietFields() {
  const on = byId("quiet-on").checked;
  for (const id of ["quiet-start", "quiet-end", "quiet-zone"]) byId(id).disabled = !on;
}

function fill(preferences) {
  byId("email-on").checked = preferences.email;
  byId(preferences.detail === "DETAILED" ? "detail-detailed" : "detail-discreet").checked = true;
  const quiet = preferences.quietHours;
  byId("quiet-on").checked = Boolean(quiet);
  byId("quiet-start").value = (quiet ? quiet.start : DEFAULT_QUIET.start).slice(0, 5);
  byId("quiet-end").value = (quiet ? quiet.end : DEFAULT_QUIET.end).slice(0, 5);
  byId("quiet-zone").value = quiet ? quiet.timeZone : browserZone();
  showQuietFields();
}

function read() {
  const quiet = byId("quiet-on").checked
    ? { start: byId("quiet-start").value, end: byId("quiet-end").value, timeZone: byId("quiet-zone").value.trim() }
    : null;
  const detail = byId("detail-detailed").checked ? "DETAILED" : "DISCREET";
  return { email: byId("email-on").checked, detail, quietHours: quiet };
}

async function save(event) {
  event.preventDefault();
  const form = event.target;
  const button = byId("save-messages");
  clearProblems(form);
  busy(button, true);
  try {
    const result = (await request(UPDATE, { input: read() })).updateNotificationPreferences;
    if (result.__typename === "MemberProfile") {
      fill(result.notificationPreferences);
      notice(form, t("messages.saved"));
    } else {
      showProblem(form, result, FIELD_IDS);
    }
  } catch (error) {
    showError(form, error);
  } finally {
    busy(button, false);
  }
}

export async function setUpMessages() {
  const panel = byId("messages-panel");
  byId("quiet-on").addEventListener("change", showQuietFields);
  byId("message-settings").addEventListener("submit", save);
  listZones(byId("time-zones"));
  try {
    const { me } = await request(LOAD);
    fill(me.member.notificationPreferences);
    panel.hidden = false;
  } catch (error) {
    panel.hidden = false;
    showError(panel, error);
  }
}
