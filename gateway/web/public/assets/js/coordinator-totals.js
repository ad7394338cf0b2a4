// Counts for funders on the coordinator's page: per month, for the coordinator's organization or a
// committee they lead, with a CSV of the counts (no names). A list with names is a separate,
// deliberate step: the coordinator confirms, and each volunteer on it is told in their own log.

import { request } from "./graphql.js";
import { t } from "./i18n.js";
import { fillSelect } from "./tasks.js";
import { busy, el, notice, problemMessage, showError } from "./ui.js";

const TOTALS = `query Totals($organization: ID, $committee: ID) {
  attendanceTotals(organizationId: $organization, committeeId: $committee) {
    __typename ... on AttendanceTotals { months { month tasks attended noShows excused minutes } csv }
    ... on Problem { message } } }`;
const EXPORT = `mutation ExportWithNames($organization: ID, $committee: ID, $since: String, $until: String) {
  exportAttendanceWithNames(organizationId: $organization, committeeId: $committee, since: $since, until: $until) {
    __typename ... on AttendanceExport { csv rows namesRead } ... on Problem { message } } }`;

const byId = (id) => document.getElementById(id);
const hours = (minutes) => (Math.round(minutes / 6) / 10).toString();

// Scope values are "organization:<id>" or "committee:<id>".
function scopeVariables() {
  const [kind, id] = byId("totals-scope").value.split(":");
  return kind === "organization" ? { organization: id, committee: null } : { organization: null, committee: id };
}

export function showTotalsScopes(organization, ledCommittees) {
  const options = [];
  if (organization) options.push([`organization:${organization.id}`, organization.name]);
  for (const committee of ledCommittees) options.push([`committee:${committee.id}`, t("totals.of_committee", { name: committee.name })]);
  fillSelect(byId("totals-scope"), options, false);
  if (!byId("totals-scope").value && options.length) byId("totals-scope").value = options[0][0];
  byId("totals-panel").hidden = options.length === 0;
}

function download(csv, name) {
  const link = el("a", { href: URL.createObjectURL(new Blob([csv], { type: "text/csv" })), download: name, hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
}

function table(months) {
  const head = ["totals.month", "totals.tasks", "totals.attended", "totals.no_shows", "totals.excused", "totals.hours"];
  return el("table", {}, el("caption", {}, t("totals.caption")),
    el("thead", {}, el("tr", {}, ...head.map((key) => el("th", { scope: "col" }, t(key))))),
    el("tbody", {}, ...months.map((m) => el("tr", {}, el("th", { scope: "row" }, m.month),
      ...[m.tasks, m.attended, m.noShows, m.excused, hours(m.minutes)].map((value) => el("td", {}, String(value)))))));
}

async function showTotals(button) {
  const result = byId("totals-result");
  busy(button, true);
  try {
    const totals = (await request(TOTALS, scopeVariables())).attendanceTotals;
    if (totals.__typename !== "AttendanceTotals") {
      result.replaceChildren();
      notice(result, problemMessage(totals));
      return;
    }
    const save = el("button", { type: "button", class: "secondary" }, t("totals.download"));
    save.addEventListener("click", () => download(totals.csv, "attendance-counts.csv"));
    result.replaceChildren(totals.months.length ? table(totals.months) : el("p", { class: "meta" }, t("totals.none")),
      el("p", { class: "actions" }, save));
  } catch (error) {
    showError(result, error);
  } finally {
    busy(button, false);
  }
}

async function exportWithNames(button) {
  const box = byId("names-export");
  busy(button, true);
  try {
    const variables = { ...scopeVariables(), since: byId("names-since").value || null, until: byId("names-until").value || null };
    const found = (await request(EXPORT, variables)).exportAttendanceWithNames;
    if (found.__typename !== "AttendanceExport") {
      notice(box, problemMessage(found));
      return;
    }
    download(found.csv, "attendance-with-names.csv");
    notice(box, t("totals.names_done", { rows: found.rows, count: found.namesRead }));
  } catch (error) {
    showError(box, error);
  } finally {
    busy(button, false);
    byId("names-confirm").checked = false;
    button.disabled = true;
  }
}

export function setUpTotals() {
  byId("totals-show").addEventListener("click", (event) => showTotals(event.currentTarget));
  byId("names-confirm").addEventListener("change", (event) => { byId("names-download").disabled = !event.currentTarget.checked; });
  byId("names-download").addEventListener("click", (event) => exportWithNames(event.currentTarget));
}
