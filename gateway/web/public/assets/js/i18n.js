// Every string on the pages comes from a catalogue (i18n/en.json, i18n/fr.json). Static text
// is marked up with data-i18n="key" (and data-i18n-placeholder / -aria-label); scripts call t().
// The chosen language is remembered in this browser and, when signed in, on the account.

import { currentSession } from "./session.js";

export const LANGUAGES = ["en", "fr"];
const STORE = "coalition.lang";
const catalogues = {};
const listeners = [];
let language = "en";

export function currentLanguage() {
  return language;
}

function preferredLanguage() {
  const stored = localStorage.getItem(STORE);
  if (LANGUAGES.includes(stored)) return stored;
  const fromUrl = new URLSearchParams(window.location.search).get("lang");
  if (LANGUAGES.includes(fromUrl)) return fromUrl;
  const session = currentSession();
  if (session && LANGUAGES.includes(session.locale)) return session.locale;
  const browser = (navigator.language || "en").slice(0, 2).toLowerCase();
  return LANGUAGES.includes(browser) ? browser : "en";
}

async function load(lang) {
  if (!catalogues[lang]) {
    const response = await fetch(`i18n/${lang}.json`);
    catalogues[lang] = await response.json();
  }
  return catalogues[lang];
}

// With a numeric `count`, a catalogue may hold plural forms as `key_one`, `key_few`... (the
// categories of Intl.PluralRules for its language); `key` itself is the general form.
function lookup(lang, key, count) {
  const catalogue = catalogues[lang] || {};
  if (typeof count === "number") {
    const form = catalogue[`${key}_${new Intl.PluralRules(lang).select(count)}`];
    if (form !== undefined) return form;
  }
  return catalogue[key];
}

export function t(key, params = {}, fallback = undefined) {
  let text = lookup(language, key, params.count);
  if (text === undefined) text = lookup("en", key, params.count);
  if (text === undefined) text = fallback !== undefined ? fallback : key;
  return text.replace(/\{(\w+)\}/g, (_, name) => (params[name] !== undefined ? String(params[name]) : `{${name}}`));
}

export function has(key) {
  return key in (catalogues[language] || {});
}

export function translateTree(root = document) {
  for (const node of root.querySelectorAll("[data-i18n]")) node.textContent = t(node.dataset.i18n);
  for (const node of root.querySelectorAll("[data-i18n-placeholder]")) node.placeholder = t(node.dataset.i18nPlaceholder);
  for (const node of root.querySelectorAll("[data-i18n-aria-label]")) node.setAttribute("aria-label", t(node.dataset.i18nAriaLabel));
  for (const node of root.querySelectorAll("[data-i18n-value]")) node.value = t(node.dataset.i18nValue);
}

export function onLanguageChange(callback) {
  listeners.push(callback);
}

async function use(lang) {
  await Promise.all([load("en"), load(lang)]);
  language = lang;
  document.documentElement.lang = lang;
  const title = document.querySelector("title[data-i18n]");
  translateTree();
  if (title) document.title = t(title.dataset.i18n);
  for (const callback of listeners) callback(lang);
}

async function choose(lang) {
  localStorage.setItem(STORE, lang);
  await use(lang);
  if (currentSession()) {
    const { request } = await import("./graphql.js");
    request("mutation($l: String!) { setLocale(locale: $l) { __typename } }", { l: lang }).catch(() => {});
  }
}

export async function initI18n() {
  await use(preferredLanguage());
  const select = document.getElementById("language");
  if (select) {
    select.value = language;
    select.addEventListener("change", () => choose(select.value));
  }
}

// --- Formatting ---------------------------------------------------------------------------

// With a time zone (a task's), the time is shown there and the zone is named ("17:00 EST");
// without one, in the viewer's own zone (their offers' deadlines, audit entries).
export function formatDateTime(iso, timeZone) {
  if (!iso) return "";
  const options = { weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" };
  if (timeZone) Object.assign(options, { timeZone, timeZoneName: "short" });
  return new Intl.DateTimeFormat(language === "fr" ? "fr-CA" : "en-CA", options).format(new Date(iso));
}

export function skillName(slug, name) {
  return t(`skill.${slug}`, {}, name || slug);
}

export function languageName(code) {
  return t(`lang.${code}`, {}, code);
}

// Offer reasons arrive as data: a kind and the fields it fills (OfferReason in schema.graphql),
// worded here from the catalogue. Free times are shown in the task's zone, which is named.
export function describeReason(reason, { skills = [], timeZone } = {}) {
  switch (reason.kind) {
    case "SKILL": {
      const skill = skills.find((s) => s.slug === reason.skill);
      const name = skillName(reason.skill, skill ? skill.name : reason.skill.replace(/[-_]/g, " "));
      return t("reason.skill", { skill: name, level: t(`level.${reason.level.toLowerCase()}`) });
    }
    case "LANGUAGE": {
      const code = reason.language.toLowerCase();
      const spoken = t(`lang.${code}`, {}, t(`lang.${code.split("-")[0]}`, {}, code));
      return !reason.fluency || reason.fluency === "FLUENT" ? t("reason.speaks", { language: spoken })
        : t("reason.speaks_level", { language: spoken, fluency: t(`fluency.${reason.fluency.toLowerCase()}`) });
    }
    case "FREE_TIME":
      return reason.windows.length ? t("reason.free", { when: freeTime(reason, timeZone) }) : "";
    case "PLACE": {
      const area = reason.areaName || reason.area;
      return reason.distanceKm ? t("reason.in_area_distance", { area, km: reason.distanceKm })
        : t("reason.in_area", { area });
    }
    case "REMOTE": return t("reason.remote");
    case "RECENT_LOAD": return reason.recentTasks ? "" : t("reason.no_recent");  // never a count of tasks
    case "ASKED_FOR": return t("reason.asked_for");
    default: return reason.text || "";  // an older offer's reason, in the English words it was written in
  }
}

function freeTime(reason, timeZone) {
  let text = reason.windows.map((w) => freeWindow(w, timeZone)).join(t("reason.and"));
  if (reason.beforeDeadline) text += t("reason.before_deadline");
  if (reason.moreWindows) text += t("reason.and_more");
  if (reason.sharePercent !== null && reason.sharePercent !== undefined) {
    text += t("reason.share_of_time", { percent: reason.sharePercent });
  }
  return text + t("reason.time_zone", { zone: zoneName(reason.windows[0].split("/")[0], timeZone) });
}

// "samedi 10:00-14:00" from an ISO 8601 interval ("start/end"): the weekday and hours on the
// task's wall clock. A stretch that runs to midnight ends at 24:00 of its day, as members write
// their windows.
function freeWindow(interval, timeZone) {
  const [from, to] = interval.split("/");
  const start = wallClock(from, timeZone), end = wallClock(to, timeZone);
  const until = end.time === "00:00" && end.day !== start.day ? "24:00" : end.time;
  return `${t(`weekday.${start.weekday}`)} ${start.time}-${until}`;
}

const WEEKDAY_INDEX = { Mon: 0, Tue: 1, Wed: 2, Thu: 3, Fri: 4, Sat: 5, Sun: 6 };

function wallClock(iso, timeZone) {
  const format = new Intl.DateTimeFormat("en-US", { timeZone, weekday: "short", year: "numeric", month: "2-digit",
    day: "2-digit", hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
  const parts = Object.fromEntries(format.formatToParts(new Date(iso)).map((part) => [part.type, part.value]));
  return { weekday: WEEKDAY_INDEX[parts.weekday], day: `${parts.year}-${parts.month}-${parts.day}`,
    time: `${parts.hour}:${parts.minute}` };
}

function zoneName(iso, timeZone) {
  const format = new Intl.DateTimeFormat(language === "fr" ? "fr-CA" : "en-CA", { timeZone, timeZoneName: "short" });
  const part = format.formatToParts(new Date(iso)).find((p) => p.type === "timeZoneName");
  return part ? part.value : timeZone || "";
}
