// The profile part of the sign-up and "my profile" forms: skills with levels, languages with
// fluency, weekly availability, area, remote work, monthly limit. Builds the controls from the
// taxonomy, reads them back as GraphQL input, and fills them from an existing profile.

import { languageName, skillName, t } from "./i18n.js";
import { languageCodes, loadTaxonomy } from "./tasks.js";
import { el } from "./ui.js";

const LEVELS = ["LEARNING", "CAPABLE", "EXPERT"];
const FLUENCIES = ["BASIC", "CONVERSATIONAL", "FLUENT"];
const WEEKDAYS = ["MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY"];
const COMMON_LANGUAGES = 8;

function levelSelect(id, label, values, prefix) {
  return el("div", { class: "field" },
    el("label", { for: id }, label),
    el("select", { id },
      el("option", { value: "" }, t("profile.not_at_all")),
      ...values.map((value) => el("option", { value }, t(`${prefix}.${value.toLowerCase()}`)))));
}

function skillsFieldset(skills) {
  return el("fieldset", {},
    el("legend", {}, t("profile.skills")),
    el("p", { class: "hint" }, t("profile.skills_hint")),
    el("div", { class: "grid" }, ...skills.map((skill) =>
      levelSelect(`skill-${skill.slug}`, skillName(skill.slug, skill.name), LEVELS, "level"))));
}

function languagesFieldset(languages) {
  const select = (code) => levelSelect(`lang-${code}`, languageName(code), FLUENCIES, "fluency");
  return el("fieldset", {},
    el("legend", {}, t("profile.languages")),
    el("div", { class: "grid" }, ...languages.slice(0, COMMON_LANGUAGES).map(select)),
    el("details", {},
      el("summary", {}, t("profile.more_languages")),
      el("div", { class: "grid" }, ...languages.slice(COMMON_LANGUAGES).map(select))));
}

function availabilityFieldset() {
  const rows = WEEKDAYS.map((day, index) => el("div", { class: "row" },
    el("div", { class: "check" },
      el("input", { type: "checkbox", id: `day-${index}` }),
      el("label", { for: `day-${index}` }, t(`weekday.${index}`))),
    el("div", {},
      el("label", { for: `day-${index}-start`, class: "visually-hidden" }, t("profile.from_on", { day: t(`weekday.${index}`) })),
      el("input", { type: "time", id: `day-${index}-start`, value: "09:00" })),
    el("div", {},
      el("label", { for: `day-${index}-end`, class: "visually-hidden" }, t("profile.until_on", { day: t(`weekday.${index}`) })),
      el("input", { type: "time", id: `day-${index}-end`, value: "17:00" }))));
  return el("fieldset", {},
    el("legend", {}, t("profile.availability")),
    el("p", { class: "hint" }, t("profile.availability_hint")),
    ...rows);
}

function placeFieldset(areas) {
  return el("fieldset", {},
    el("legend", {}, t("profile.place")),
    el("div", { class: "field" },
      el("label", { for: "area" }, t("field.area")),
      el("select", { id: "area" },
        el("option", { value: "" }, t("profile.no_area")),
        ...areas.map((area) => el("option", { value: area.slug }, area.name)))),
    el("div", { class: "check" },
      el("input", { type: "checkbox", id: "remote-ok" }),
      el("label", { for: "remote-ok" }, t("profile.remote_ok"))),
    el("div", { class: "field" },
      el("label", { for: "max-tasks" }, t("profile.max_tasks")),
      el("input", { type: "number", id: "max-tasks", min: "1", max: "31", value: "4" })));
}

export async function renderProfileFields(container) {
  const { skills, areas, languages } = await loadTaxonomy();
  const entered = container.childElementCount ? readProfile(skills) : null;
  container.replaceChildren(skillsFieldset(skills), languagesFieldset(languages), availabilityFieldset(), placeFieldset(areas));
  if (entered) fillProfile(entered);  // switching language keeps what was already chosen
  return { skills, areas };
}

export function readProfile(skills) {
  const value = (id) => document.getElementById(id).value;
  return {
    skills: skills.filter((s) => value(`skill-${s.slug}`)).map((s) => ({ skill: s.slug, level: value(`skill-${s.slug}`) })),
    languages: languageCodes().filter((code) => value(`lang-${code}`))
      .map((code) => ({ code, fluency: value(`lang-${code}`) })),
    weeklyAvailability: WEEKDAYS.flatMap((weekday, index) => (document.getElementById(`day-${index}`).checked
      ? [{ weekday, start: value(`day-${index}-start`), end: value(`day-${index}-end`) }] : [])),
    area: value("area") || null,
    remoteOk: document.getElementById("remote-ok").checked,
    // Sent as typed (0 or 40 get a clear answer from the server); only an empty box means the default.
    maxTasksPerMonth: value("max-tasks").trim() === "" ? 4 : Number(value("max-tasks")),
  };
}

export function fillProfile(member) {
  const set = (id, v) => { const node = document.getElementById(id); if (node) node.value = v; };
  for (const claim of member.skills) set(`skill-${claim.skill}`, claim.level);
  for (const language of member.languages) {
    set(`lang-${language.code}`, language.fluency);
    if (languageCodes().indexOf(language.code) >= COMMON_LANGUAGES) document.querySelector("details").open = true;
  }
  for (const window_ of member.weeklyAvailability) {
    const index = WEEKDAYS.indexOf(window_.weekday);
    document.getElementById(`day-${index}`).checked = true;
    set(`day-${index}-start`, window_.start.slice(0, 5));
    set(`day-${index}-end`, window_.end.slice(0, 5));
  }
  set("area", member.area || "");
  document.getElementById("remote-ok").checked = member.remoteOk;
  set("max-tasks", String(member.maxTasksPerMonth));
}

// A problem with the n-th availability window sent ("weeklyAvailability.1") belongs next to the
// hours of that window's day; only ticked days are sent, so n is not the weekday's index.
export function availabilityFieldIds(profile) {
  return Object.fromEntries(profile.weeklyAvailability.map((window_, sent) =>
    [`weeklyAvailability.${sent}`, `day-${WEEKDAYS.indexOf(window_.weekday)}-start`]));
}

// Server field names (camelCase paths) and the controls they belong to.
export const PROFILE_FIELD_IDS = {
  displayName: "display-name", pronouns: "pronouns", area: "area", maxTasksPerMonth: "max-tasks",
  "contacts.email.value": "contact-email", "contacts.phone.value": "phone", "contacts.signal.value": "signal",
  contacts: "phone", email: "email", password: "password", locale: "language",
};
