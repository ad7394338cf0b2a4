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

// Offer reasons arrive from matching in plain English with a fixed shape; put them in the
// page's language ("translation: expert" -> "Traduction : expert").
const WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];

export function translateReason(reason, skills = [], areas = []) {
  let match = reason.match(/^(.+): (learning|capable|expert)$/);
  if (match) {
    const skill = skills.find((s) => s.slug.replace(/[-_]/g, " ") === match[1]);
    const name = skill ? skillName(skill.slug, skill.name) : match[1];
    return t("reason.skill", { skill: name, level: t(`level.${match[2]}`) });
  }
  match = reason.match(/^speaks (.+?)(?: \((basic|conversational)\))?$/);
  if (match) {
    const code = Object.keys(englishLanguageNames()).find((c) => englishLanguageNames()[c] === match[1]);
    const spoken = code ? languageName(code) : match[1];
    return match[2] ? t("reason.speaks_level", { language: spoken, fluency: t(`fluency.${match[2]}`) })
      : t("reason.speaks", { language: spoken });
  }
  if (reason === "open to remote work") return t("reason.remote");
  if (reason === "no recent tasks") return t("reason.no_recent");
  if (reason === "you asked for this task") return t("reason.asked_for");
  match = reason.match(/^in (.+)$/);
  if (match) {
    const area = areas.find((a) => a.slug.replace(/[-_]/g, " ") === match[1]);
    return t("reason.in_area", { area: area ? area.name : match[1] });
  }
  if (reason.startsWith("free ")) return translateFreeTime(reason.slice(5));
  return reason;
}

function translateFreeTime(words) {
  let text = words;
  for (const [index, day] of WEEKDAYS.entries()) text = text.replaceAll(day, t(`weekday.${index}`));
  text = text.replace(", before the deadline", t("reason.before_deadline"))
    .replace(", and more", t("reason.and_more"))
    .replace(/ \((\d+)% of the task's time\)/, (_, percent) => t("reason.share_of_time", { percent }))
    .replaceAll(" and ", t("reason.and"));
  return t("reason.free", { when: text });
}

function englishLanguageNames() {
  return catalogues.en ? Object.fromEntries(Object.entries(catalogues.en)
    .filter(([key]) => key.startsWith("lang.")).map(([key, value]) => [key.slice(5), value])) : {};
}
