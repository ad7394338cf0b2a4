// The coordinator's page: post or edit a task, watch tasks fill live, see who accepted and
// (audited) how to reach them; a committee's lead also sees and manages that committee's tasks.

import { setUpTotals, showTotalsScopes } from "./coordinator-totals.js";
import { request, subscribe } from "./graphql.js";
import { formatDateTime, onLanguageChange, t } from "./i18n.js";
import { requireRole } from "./session.js";
import { TASK_FIELD_IDS, chosenZone, fillTask, readTask, renderNeeds, showTiming } from "./task-form.js";
import { applyToFollowing, cancelSeries, postSeries, readRepeat, showRepeat, showSeriesChoices, updateFollowing } from "./series-form.js";
import { endOf, fillSelect, startOf, when, where } from "./tasks.js";
import { isKnownZone, listZones } from "./time-zones.js";
import { announce, busy, clearProblems, el, notice, pageReady, problemMessage, setUpPage, showError, showProblem } from "./ui.js";

const TASK_FIELDS = `fragment TaskFields on Task {
  id coordinatorId title summary description slots acceptedCount openSlots status startsAt endsAt deadline timeZone area remote urgency
  hasAddress languages skills { skill name minLevel } committeeId membersOnly seriesId
  fill { slots accepted pending acceptedMemberIds }
}`;
const PAGE = `query CoordinatorPage($committee: ID) {
  me { id organizationId organization { name } }
  defaultTimeZone
  myTasks(first: 50, committeeId: $committee) { nodes { ...TaskFields } }
  committees { id name organizationId }
  ledCommittees { id name }
} ${TASK_FIELDS}`;
const RESULT = `__typename ... on Task { ...TaskFields } ... on Problem { message }
  ... on ValidationProblem { fields { field message } }`;
const POST = `mutation Post($input: TaskInput!) { postTask(input: $input) { ${RESULT} } } ${TASK_FIELDS}`;
const UPDATE = `mutation Update($id: ID!, $input: TaskUpdateInput!) { updateTask(id: $id, input: $input) { ${RESULT} } } ${TASK_FIELDS}`;
const CONTACT = `query Contact($task: ID!, $member: ID!) { volunteerContact(taskId: $task, memberId: $member) {
  __typename ... on ContactDetails { displayName pronouns email phone signal } ... on Problem { message } } }`;

const WHY = `query Why($id: ID!) { task(id: $id) { whyNotFilling { eligible excluded { constraint members }
  widenings { widening moreMembers } automaticWidenings { widening takenAt moreMembers } } } }`;

const ATTENDANCE = `query Attendance($task: ID!) { taskAttendance(taskId: $task) { ended volunteers { memberId presence minutes markedBy } } }`;
const MARK = `mutation Mark($task: ID!, $member: ID!, $presence: Presence!, $minutes: Int) {
  markAttendance(taskId: $task, memberId: $member, presence: $presence, minutes: $minutes) {
    __typename ... on AttendanceMark { memberId presence minutes markedBy } ... on Problem { message } } }`;
const PRESENCES = ["ATTENDED", "NO_SHOW", "EXCUSED"];

const state = { tasks: new Map(), editing: null, skills: [], contacts: new Map(), me: null, committees: new Map(), why: new Map(),
  attendance: new Map() };

function fillLine(task) {
  const { accepted, slots, pending } = task.fill;
  return `${t("coordinator.places_filled", { accepted, slots, count: accepted })}, ${t("coordinator.offers_waiting", { count: pending })}`;
}

function contactBlock(task, memberId, index) {
  const key = `${task.id}:${memberId}`;
  const contact = state.contacts.get(key);
  const label = t("coordinator.volunteer_n", { n: index + 1 });
  if (contact) {
    return el("li", {}, el("strong", {}, contact.displayName), contact.pronouns ? ` (${contact.pronouns})` : "",
      contact.email ? el("div", {}, t("coordinator.contact_email", { value: contact.email })) : null,
      contact.phone ? el("div", {}, t("coordinator.contact_phone", { value: contact.phone })) : null,
      contact.signal ? el("div", {}, t("coordinator.contact_signal", { value: contact.signal })) : null,
      !contact.email && !contact.phone && !contact.signal ? el("div", { class: "meta" }, t("coordinator.no_channel")) : null);
  }
  const button = el("button", { type: "button", class: "secondary" }, t("coordinator.show_contact"));
  button.setAttribute("aria-label", `${t("coordinator.show_contact")}: ${label}, ${task.title}`);
  button.addEventListener("click", () => showContact(task, memberId, button));
  return el("li", {}, `${label} `, button);
}

async function showContact(task, memberId, button) {
  busy(button, true);
  try {
    const result = (await request(CONTACT, { task: task.id, member: memberId })).volunteerContact;
    if (result.__typename !== "ContactDetails") {
      notice(button.parentElement, problemMessage(result));
      return;
    }
    state.contacts.set(`${task.id}:${memberId}`, result);
    render();
  } catch (error) {
    showError(button.parentElement, error);
  } finally {
    busy(button, false);
  }
}

// Why an open task is not filling, asked for on demand: counts only, in the order matching applies them.
function whyBlock(task) {
  const why = state.why.get(task.id);
  if (!why) return null;
  const leftOut = why.excluded.filter((e) => e.members > 0)
    .map((e) => el("li", {}, t(`coordinator.left_out.${e.constraint.toLowerCase()}`, { count: e.members })));
  const gains = why.widenings.filter((w) => w.moreMembers > 0)
    .map((w) => el("li", {}, t(`coordinator.widen.${w.widening.toLowerCase()}`, { count: w.moreMembers })));
  const taken = why.automaticWidenings.map((w) => el("li", {}, t(`coordinator.auto_widened.${w.widening.toLowerCase()}`,
    { count: w.moreMembers, when: formatDateTime(w.takenAt, task.timeZone) })));
  return el("div", { class: "why", dataset: { why: task.id } },
    taken.length ? el("ul", { class: "reasons" }, ...taken) : null,
    el("p", {}, t("coordinator.eligible", { count: why.eligible })),
    leftOut.length ? el("ul", { class: "reasons" }, ...leftOut) : null,
    gains.length ? el("ul", { class: "reasons" }, ...gains) : el("p", { class: "meta" }, t("coordinator.no_widening")));
}

async function explain(task, button) {
  busy(button, true);
  try {
    const why = (await request(WHY, { id: task.id })).task?.whyNotFilling;
    if (!why) {
      notice(button.parentElement, t("coordinator.why_unknown"));
      return;
    }
    state.why.set(task.id, why);
    render();
  } catch (error) {
    showError(button.parentElement, error);
  } finally {
    busy(button, false);
  }
}

// Who came, once the task has ended: one line per volunteer who accepted, marked with a button.
function hasEnded(task) {
  return endOf(task) <= Date.now();
}

function attendanceBlock(task) {
  const marks = state.attendance.get(task.id);
  if (!marks) return null;
  const accepted = task.fill.acceptedMemberIds;
  const rows = marks.volunteers.map((mark, position) => {
    const index = accepted.includes(mark.memberId) ? accepted.indexOf(mark.memberId) : position;
    const who = t("coordinator.volunteer_n", { n: index + 1 });
    const hours = el("input", { type: "number", min: "0", max: "24", step: "0.25", id: `hours-${task.id}-${index}`,
      value: mark.presence === "ATTENDED" ? String(mark.minutes / 60) : "" });
    const buttons = PRESENCES.map((presence) => {
      const button = el("button", { type: "button", class: mark.presence === presence ? "" : "secondary",
        "aria-pressed": String(mark.presence === presence), "aria-label": `${t(`attendance.${presence.toLowerCase()}`)}: ${who}, ${task.title}` },
      t(`attendance.${presence.toLowerCase()}`));
      button.addEventListener("click", () => markPresence(task, mark.memberId, presence, hours, button));
      return button;
    });
    return el("li", {}, el("span", {}, who, " — ", mark.presence ? t(`attendance.marked.${mark.presence.toLowerCase()}`)
      : t("attendance.unmarked")),
    el("label", { for: hours.id }, t("attendance.hours")), hours, el("div", { class: "actions" }, ...buttons));
  });
  return el("div", { class: "attendance", dataset: { attendance: task.id } },
    el("p", {}, t("attendance.intro")), el("ul", { class: "reasons" }, ...rows));
}

async function loadAttendance(task, button) {
  busy(button, true);
  try {
    const found = (await request(ATTENDANCE, { task: task.id })).taskAttendance;
    if (!found) {
      notice(button.parentElement, t("attendance.unknown"));
      return;
    }
    state.attendance.set(task.id, found);
    render();
  } catch (error) {
    showError(button.parentElement, error);
  } finally {
    busy(button, false);
  }
}

async function markPresence(task, memberId, presence, hours, button) {
  busy(button, true);
  const given = presence === "ATTENDED" && hours.value !== "" ? Math.round(Number(hours.value) * 60) : null;
  try {
    const result = (await request(MARK, { task: task.id, member: memberId, presence, minutes: given })).markAttendance;
    if (result.__typename !== "AttendanceMark") {
      notice(button.parentElement, problemMessage(result));
      return;
    }
    const marks = state.attendance.get(task.id);
    marks.volunteers = marks.volunteers.map((mark) => (mark.memberId === memberId ? { ...mark, ...result } : mark));
    render();
    announce(t("attendance.saved"));
  } catch (error) {
    showError(button.parentElement, error);
  } finally {
    busy(button, false);
  }
}

function actionButton(label, task, handler, style = "secondary") {
  const button = el("button", { type: "button", class: style, "aria-label": `${label}: ${task.title}` }, label);
  button.addEventListener("click", () => handler(task, button));
  return button;
}

function taskCard(task) {
  const accepted = task.fill.acceptedMemberIds;
  const open = ["OPEN", "FILLED", "DRAFT"].includes(task.status);
  return el("li", { dataset: { taskId: task.id } },
    el("h3", {}, task.title, " ", el("span", { class: "badge" }, t(`task_status.${task.status}`))),
    el("p", { class: "meta" }, when(task)), el("p", { class: "meta" }, where(task)),
    ...committeeLines(task),
    task.seriesId ? el("p", { class: "meta" }, t("series.part_of")) : null,
    el("label", { for: `meter-${task.id}` }, fillLine(task)),
    el("meter", { id: `meter-${task.id}`, min: "0", max: String(task.fill.slots), value: String(task.fill.accepted) },
      fillLine(task)),
    accepted.length ? el("div", {}, el("p", { class: "meta" }, t("coordinator.accepted_by")),
      el("ul", { class: "reasons" }, ...accepted.map((memberId, index) => contactBlock(task, memberId, index)))) : null,
    accepted.length ? el("p", { class: "hint" }, t("coordinator.contact_audited")) : null,
    whyBlock(task),
    attendanceBlock(task),
    el("div", { class: "actions" },
      accepted.length && hasEnded(task) && task.status !== "CANCELLED" && !state.attendance.has(task.id)
        ? actionButton(t("attendance.who_came"), task, loadAttendance) : null,
      task.status === "OPEN" && task.fill.accepted < task.fill.slots
        ? actionButton(t("coordinator.why_not_filling"), task, explain) : null,
      open ? actionButton(t("common.edit"), task, startEditing) : null,
      task.status === "DRAFT" ? actionButton(t("coordinator.publish"), task, (tk, b) => transition(tk, b, "publishTask")) : null,
      open ? actionButton(t("coordinator.cancel_task"), task, (tk, b) => transition(tk, b, "cancelTask"), "danger") : null,
      open && task.seriesId ? actionButton(t("series.cancel"), task, stopSeries, "danger") : null));
}

function keepSeries(result) {
  for (const task of result.tasks) state.tasks.set(task.id, task);
  render();
}

async function stopSeries(task, button) {
  if (!window.confirm(t("series.confirm_cancel", { title: task.title }))) return;
  busy(button, true);
  try {
    const result = await cancelSeries(task, TASK_FIELDS);
    if (result.__typename !== "Series") {
      notice(button.closest("li"), problemMessage(result));
      return;
    }
    keepSeries(result);
    announce(t("series.cancelled", { title: task.title }));
  } catch (error) {
    showError(button.closest("li"), error);
  } finally {
    busy(button, false);
  }
}

function committeeLines(task) {
  const committee = state.committees.get(task.committeeId);
  if (!committee) return [];
  return [el("p", { class: "meta" }, t("task.of_committee", { name: committee.name }),
    task.membersOnly ? [" ", el("span", { class: "badge" }, t("task.members_only_badge"))] : null)];
}

// The committees a task may be posted in: the organization's, the coalition's, and those led.
function showCommittees(data) {
  const led = new Set(data.ledCommittees.map((c) => c.id));
  const usable = data.committees.filter((c) => led.has(c.id) || !c.organizationId || c.organizationId === data.me.organizationId);
  state.committees = new Map(data.committees.map((c) => [c.id, c]));
  fillSelect(document.getElementById("committee"), usable.map((c) => [c.id, c.name]));
  fillSelect(document.getElementById("showing"), data.ledCommittees.map((c) => [c.id, t("coordinator.committee_tasks", { name: c.name })]));
  document.getElementById("showing-field").hidden = data.ledCommittees.length === 0;
}

// Cancelled and closed tasks need nothing more from the coordinator: out of sight unless asked for.
const ENDED = ["CANCELLED", "CLOSED"];

// In the order the service lists them (soonest first), whatever order updates arrived in.
function soonestFirst(a, b) {
  const soon = (task) => startOf(task) || Infinity;
  return soon(a) - soon(b) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

function render() {
  const all = [...state.tasks.values()].sort(soonestFirst);
  const showEnded = document.getElementById("show-ended").checked;
  const shown = showEnded ? all : all.filter((task) => !ENDED.includes(task.status));
  document.getElementById("tasks").replaceChildren(...shown.map(taskCard));
  document.getElementById("tasks-empty").hidden = all.length > 0;
}

async function transition(task, button, name) {
  if (name === "cancelTask" && !window.confirm(t("coordinator.confirm_cancel", { title: task.title }))) return;
  busy(button, true);
  try {
    const result = (await request(`mutation($id: ID!) { ${name}(id: $id) { ${RESULT} } } ${TASK_FIELDS}`, { id: task.id }))[name];
    if (result.__typename === "Task") {
      state.tasks.set(result.id, result);
      render();
      announce(t("coordinator.announce_status", { title: result.title, status: t(`task_status.${result.status}`) }));
    } else {
      notice(button.closest("li"), problemMessage(result));
    }
  } catch (error) {
    showError(button.closest("li"), error);
  } finally {
    busy(button, false);
  }
}

async function startEditing(task) {
  state.editing = task.id;
  fillTask(task);
  if (task.hasAddress) {
    const data = await request("query($id: ID!) { task(id: $id) { address } }", { id: task.id }).catch(() => null);
    if (data && data.task) document.getElementById("address").value = data.task.address || "";
  }
  showEditingLabels();
  showSeriesChoices(task);
  document.getElementById("cancel-edit").hidden = false;
  document.getElementById("draft-field").hidden = true;
  document.getElementById("title").focus();
}

// The form's heading and button say which task is being edited; switching the language redraws
// them from their data-i18n keys (those of posting), so they are put back after it.
function showEditingLabels() {
  const task = state.tasks.get(state.editing);
  if (!task) return;
  document.getElementById("form-heading").textContent = t("coordinator.edit_heading", { title: task.title });
  document.getElementById("submit-task").textContent = t("common.save");
}

function stopEditing() {
  state.editing = null;
  document.getElementById("task-form").reset();
  showTiming();
  showRepeat();
  showSeriesChoices(null);
  document.getElementById("form-heading").textContent = t("coordinator.post_heading");
  document.getElementById("submit-task").textContent = t("coordinator.post_submit");
  document.getElementById("cancel-edit").hidden = true;
  document.getElementById("draft-field").hidden = false;
}

async function submit(event) {
  event.preventDefault();
  const form = event.target;
  const button = document.getElementById("submit-task");
  clearProblems(form);
  if (!isKnownZone(chosenZone())) {
    const problem = { __typename: "ValidationProblem", message: "", fields: [{ field: "timeZone", message: t("task.zone_unknown") }] };
    showProblem(form, problem, TASK_FIELD_IDS);
    return;
  }
  busy(button, true);
  const input = readTask(state.skills);
  try {
    let result;
    const repeat = state.editing ? null : readRepeat();
    if (state.editing) {
      if (!input.address && !input.remote) delete input.address;  // left empty: keep the address on file
      result = applyToFollowing() ? await updateFollowing(state.tasks.get(state.editing), input, TASK_FIELDS)
        : (await request(UPDATE, { id: state.editing, input })).updateTask;
    } else {
      input.draft = document.getElementById("draft").checked;
      result = repeat ? await postSeries(input, repeat, TASK_FIELDS) : (await request(POST, { input })).postTask;
    }
    if (!["Task", "Series"].includes(result.__typename)) {
      showProblem(form, result, TASK_FIELD_IDS);
      return;
    }
    if (result.__typename === "Series") keepSeries(result);
    else state.tasks.set(result.id, result);
    render();
    const key = state.editing ? "coordinator.saved" : repeat ? "series.posted" : "coordinator.posted";
    notice(form, t(key, { title: input.title }));
    stopEditing();
  } catch (error) {
    showError(form, error);
  } finally {
    busy(button, false);
  }
}

// A new task's times are read in the coalition's zone unless the coordinator names another.
function showDefaultZone(zone) {
  const field = document.getElementById("time-zone");
  field.defaultValue = zone;  // what the form goes back to after posting or editing
  if (!field.value) field.value = zone;
}

async function refresh() {
  const data = await request(PAGE, { committee: document.getElementById("showing").value || null });
  showCommittees(data);
  state.me = data.me.id;
  showDefaultZone(data.defaultTimeZone);
  const organization = data.me.organization;
  showTotalsScopes(organization && { id: data.me.organizationId, name: organization.name }, data.ledCommittees);
  document.getElementById("organization").textContent = organization ? t("coordinator.for_organization", { name: organization.name }) : "";
  state.tasks = new Map(data.myTasks.nodes.map((task) => [task.id, task]));
  render();
}

function onTaskUpdate({ taskUpdates }) {
  const { task } = taskUpdates;
  // Colleagues' tasks of the organization come too; this page lists the coordinator's own.
  if (!task || (!state.tasks.has(task.id) && task.coordinatorId !== state.me)) return;
  const before = state.tasks.get(task.id);
  state.tasks.set(task.id, task);
  render();
  if (!before || before.fill.accepted !== task.fill.accepted || before.status !== task.status) {
    announce(t("coordinator.announce_status", { title: task.title, status: fillLine(task) }));
  }
}

async function main() {
  if (!requireRole("COORDINATOR")) return;
  await setUpPage();
  const container = document.getElementById("main");
  try {
    state.skills = await renderNeeds();
    await refresh();
  } catch (error) {
    showError(container, error);
  }
  listZones(document.getElementById("task-time-zones"));
  for (const radio of document.querySelectorAll("input[name='timing']")) radio.addEventListener("change", showTiming);
  document.getElementById("task-form").addEventListener("submit", submit);
  document.getElementById("cancel-edit").addEventListener("click", stopEditing);
  document.getElementById("repeat").addEventListener("change", showRepeat);
  document.getElementById("show-ended").addEventListener("change", render);
  setUpTotals();
  document.getElementById("showing").addEventListener("change", () => refresh().catch((e) => showError(container, e)));
  onLanguageChange(async () => {
    if (state.editing) showEditingLabels();
    state.skills = await renderNeeds();
    render();
    refresh().catch(() => {});
  });
  const status = document.getElementById("live-status");
  subscribe(`subscription { taskUpdates { kind taskId task { ...TaskFields } } } ${TASK_FIELDS}`, {}, {
    onNext: onTaskUpdate,
    onReconnect: () => refresh().catch(() => {}),
    onStatus: (value) => { status.textContent = t(`live.${value}`); },
  });
  pageReady();
}

main();
