// The post/edit task form: skills and languages needed, timing (window or deadline), place.

import { languageName, skillName, t } from "./i18n.js";
import { areaOptions, fillSelect, languageCodes, loadTaxonomy } from "./tasks.js";
import { isoToZoned, zonedToIso } from "./time-zones.js";
import { el } from "./ui.js";

const LEVELS = ["LEARNING", "CAPABLE", "EXPERT"];

export async function renderNeeds() {
  const { skills, areas, languages } = await loadTaxonomy();
  const holder = document.getElementById("needs");
  const entered = holder.childElementCount ? readNeeds(skills) : null;
  holder.replaceChildren(
    el("fieldset", {}, el("legend", {}, t("task.skills_needed")),
      el("div", { class: "grid" }, ...skills.map((skill) => el("div", { class: "field" },
        el("label", { for: `need-${skill.slug}` }, skillName(skill.slug, skill.name)),
        el("select", { id: `need-${skill.slug}` }, el("option", { value: "" }, t("task.not_needed")),
          ...LEVELS.map((level) => el("option", { value: level }, t("task.at_least", { level: t(`level.${level.toLowerCase()}`) })))))))),
    el("fieldset", {}, el("legend", {}, t("task.languages_needed")),
      el("p", { class: "hint" }, t("task.languages_hint")),
      el("div", { class: "grid" }, ...languages.map((code) => el("div", { class: "check" },
        el("input", { type: "checkbox", id: `need-lang-${code}` }),
        el("label", { for: `need-lang-${code}` }, languageName(code)))))));
  fillSelect(document.getElementById("area"), areaOptions(areas));
  if (entered) fillNeeds(entered);
  return skills;
}

function readNeeds(skills) {
  return {
    skills: skills.filter((s) => document.getElementById(`need-${s.slug}`).value)
      .map((s) => ({ skill: s.slug, minLevel: document.getElementById(`need-${s.slug}`).value })),
    languages: languageCodes().filter((code) => document.getElementById(`need-lang-${code}`).checked),
  };
}

function fillNeeds({ skills, languages }) {
  for (const need of skills) {
    const select = document.getElementById(`need-${need.skill}`);
    if (select) select.value = need.minLevel;
  }
  for (const code of languages) {
    const box = document.getElementById(`need-lang-${code}`);
    if (box) box.checked = true;
  }
}

// The form's times are wall-clock times in the zone named in the form (the task's), not the browser's.
function isoOrNull(id, zone) {
  const value = document.getElementById(id).value;
  return value ? zonedToIso(value, zone) : null;
}

function localValue(iso, zone) {
  return iso ? isoToZoned(iso, zone) : "";
}

export function chosenZone() {
  return document.getElementById("time-zone").value.trim();
}

export function timing() {
  return document.getElementById("timing-deadline").checked ? "deadline" : "window";
}

export function showTiming() {
  for (const node of document.querySelectorAll("[data-timing]")) node.hidden = node.dataset.timing !== timing();
}

export function readTask(skills) {
  const value = (id) => document.getElementById(id).value.trim();
  const remote = document.getElementById("remote").checked;
  const byWindow = timing() === "window";
  const zone = chosenZone();
  return {
    title: value("title"), summary: value("summary"), description: value("description"), ...readNeeds(skills),
    slots: Number(value("slots")) || 1,
    startsAt: byWindow ? isoOrNull("starts-at", zone) : null, endsAt: byWindow ? isoOrNull("ends-at", zone) : null,
    deadline: byWindow ? null : isoOrNull("deadline", zone), timeZone: zone,
    remote, area: value("area") || null, address: remote ? null : value("address") || null,
    urgency: document.getElementById("urgency").value,
    committeeId: value("committee") || null, membersOnly: document.getElementById("members-only").checked,
  };
}

export function fillTask(task) {
  const set = (id, v) => { document.getElementById(id).value = v ?? ""; };
  set("title", task.title);
  set("summary", task.summary);
  set("description", task.description);
  set("slots", String(task.slots));
  document.getElementById(task.deadline ? "timing-deadline" : "timing-window").checked = true;
  set("time-zone", task.timeZone);
  set("starts-at", localValue(task.startsAt, task.timeZone));
  set("ends-at", localValue(task.endsAt, task.timeZone));
  set("deadline", localValue(task.deadline, task.timeZone));
  document.getElementById("remote").checked = task.remote;
  set("area", task.area || "");
  set("address", "");
  set("urgency", task.urgency);
  set("committee", task.committeeId || "");
  document.getElementById("members-only").checked = task.membersOnly;
  for (const select of document.querySelectorAll("[id^='need-']")) {
    if (select.tagName === "SELECT") select.value = "";
    else select.checked = false;
  }
  fillNeeds({ skills: task.skills.map((s) => ({ skill: s.skill, minLevel: s.minLevel })), languages: task.languages });
  showTiming();
}

export const TASK_FIELD_IDS = {
  title: "title", summary: "summary", description: "description", slots: "slots", startsAt: "starts-at",
  endsAt: "ends-at", deadline: "deadline", area: "area", address: "address", remote: "remote", timeZone: "time-zone",
  committeeId: "committee", membersOnly: "members-only",
};
