// Tasks as people read them: the public card (title, when, where, skills, places left) and the
// taxonomy (skills, areas, languages) the forms and filters choose from.

import { request } from "./graphql.js";
import { formatDateTime, languageName, skillName, t } from "./i18n.js";
import { el } from "./ui.js";

export const PUBLIC_TASK_FIELDS = `fragment PublicTaskFields on PublicTask {
  id title summary languages area areaName remote startsAt endsAt deadline timeZone urgency slots openSlots status
  skills { skill name minLevel }
}`;

let taxonomy = null;

export async function loadTaxonomy() {
  if (!taxonomy) {
    // languages: the service's one list (codes, in the order forms offer them).
    taxonomy = await request("{ skills { slug name description } areas { slug name city } languages }");
  }
  return taxonomy;
}

// The language codes, once loadTaxonomy() has run (forms are drawn after it).
export function languageCodes() {
  if (!taxonomy) throw new Error("languageCodes() before loadTaxonomy()");
  return taxonomy.languages;
}

export function fillSelect(select, options, keepFirst = true) {
  const chosen = select.value;
  const first = keepFirst ? select.querySelector("option") : null;
  select.replaceChildren(...(first ? [first] : []), ...options.map(([value, label]) => el("option", { value }, label)));
  select.value = chosen;
}

export function skillOptions(skills) {
  return skills.map((skill) => [skill.slug, skillName(skill.slug, skill.name)]);
}

export function areaOptions(areas) {
  return areas.map((area) => [area.slug, area.name]);
}

export function languageOptions(languages) {
  return languages.map((code) => [code, languageName(code)]);
}

// In the task's own time zone, named, whatever the viewer's browser is set to.
// When a task begins and ends, in ms (a flexible task: its deadline); NaN when it has neither.
export const startOf = (task) => Date.parse(task.startsAt ?? task.deadline ?? "");
export const endOf = (task) => Date.parse(task.endsAt ?? task.deadline ?? "");

export function when(task) {
  const zone = task.timeZone;
  if (task.startsAt) {
    return t("task.when_window", { start: formatDateTime(task.startsAt, zone), end: formatDateTime(task.endsAt, zone) });
  }
  if (task.deadline) return t("task.when_deadline", { deadline: formatDateTime(task.deadline, zone) });
  return "";
}

export function where(task) {
  if (task.remote) return t("task.remote");
  return task.areaName || task.area || "";
}

export function skillsNeeded(task) {
  return task.skills.map((need) => `${skillName(need.skill, need.name)} (${t(`level.${need.minLevel.toLowerCase()}`)})`)
    .join(", ");
}

export function placesLeft(task) {
  return t("task.places_left", { open: task.openSlots, slots: task.slots, count: task.openSlots });
}

// The public card: what anyone may know about a task.
export function taskCard(task, extra = []) {
  const details = [
    el("p", { class: "meta" }, when(task)),
    el("p", { class: "meta" }, where(task)),
    task.skills.length ? el("p", { class: "meta" }, t("task.skills", { skills: skillsNeeded(task) })) : null,
    task.languages.length ? el("p", { class: "meta" },
      t("task.languages", { languages: task.languages.map(languageName).join(", ") })) : null,
    el("p", { class: "meta" }, placesLeft(task)),
  ];
  return el("li", { dataset: { taskId: task.id } },
    el("h3", {}, task.title),
    task.summary ? el("p", {}, task.summary) : null,
    ...details,
    ...extra);
}
