// Home page: the open tasks anyone may see, filtered, and kept current as tasks open and fill.

import { request, subscribe } from "./graphql.js";
import { onLanguageChange, t } from "./i18n.js";
import { PUBLIC_TASK_FIELDS, areaOptions, fillSelect, languageOptions, loadTaxonomy, skillOptions, taskCard } from "./tasks.js";
import { currentSession } from "./session.js";
import { announce, el, pageReady, setUpPage, showError } from "./ui.js";

const PAGE_SIZE = 20;
const QUERY = `query OpenTasks($filter: OpenTaskFilter, $first: Int!, $after: String) {
  openTasks(filter: $filter, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor } nodes { ...PublicTaskFields }
  }
} ${PUBLIC_TASK_FIELDS}`;

const state = { tasks: [], total: 0, cursor: null, hasMore: false, generation: 0 };

function filter() {
  const value = (id) => document.getElementById(id).value || null;
  const skill = value("filter-skill");
  return {
    skills: skill ? [skill] : null, area: value("filter-area"), language: value("filter-language"),
    remote: document.getElementById("filter-remote").checked ? true : null,
  };
}

async function fetchPage(after) {
  return (await request(QUERY, { filter: filter(), first: PAGE_SIZE, after })).openTasks;
}

// Answers can arrive out of order (filters changed quickly, a live update meanwhile): only the
// answer to the latest load may be drawn, or the list would not match the filters shown.
async function load({ append = false, keep = 0 } = {}) {
  const generation = ++state.generation;
  let page = await fetchPage(append ? state.cursor : null);
  let tasks = append ? state.tasks.concat(page.nodes) : page.nodes;
  // A refresh keeps as many tasks on screen as the person had opened with "Show more".
  while (!append && tasks.length < keep && page.pageInfo.hasNextPage) {
    page = await fetchPage(page.pageInfo.endCursor);
    tasks = tasks.concat(page.nodes);
  }
  if (generation !== state.generation) return;
  state.tasks = tasks;
  state.total = page.totalCount;
  state.cursor = page.pageInfo.endCursor;
  state.hasMore = page.pageInfo.hasNextPage;
  render();
}

const refresh = () => load({ keep: state.tasks.length });

function render() {
  const list = document.getElementById("tasks");
  // Signed-in people already get offers (or post tasks): sending them to sign up again would confuse.
  const signedIn = Boolean(currentSession());
  list.replaceChildren(...state.tasks.map((task) => taskCard(task, signedIn ? [] : [
    el("p", {}, el("a", { href: `signup.html?task=${encodeURIComponent(task.id)}` }, t("home.offer_help"))),
  ])));
  document.getElementById("tasks-status").textContent = state.total
    ? t("home.count", { count: state.total }) : t("home.none");
  document.getElementById("more").hidden = !state.hasMore;
}

async function fillFilters() {
  const { skills, areas, languages } = await loadTaxonomy();
  fillSelect(document.getElementById("filter-skill"), skillOptions(skills));
  fillSelect(document.getElementById("filter-area"), areaOptions(areas));
  fillSelect(document.getElementById("filter-language"), languageOptions(languages));
}

async function main() {
  await setUpPage();
  const container = document.getElementById("main");
  // Erasing one's data ends on this page; say that it was done.
  if (new URLSearchParams(window.location.search).has("erased")) {
    container.prepend(el("div", { class: "notice", role: "status", "data-i18n": "home.erased" }, t("home.erased")));
  }
  // Listening first: a filter chosen while the first list is still loading must not be lost.
  document.getElementById("filters").addEventListener("change", () => load().catch((e) => showError(container, e)));
  document.getElementById("more").addEventListener("click", () => load({ append: true }).catch((e) => showError(container, e)));
  try {
    await fillFilters();
    await load();
  } catch (error) {
    showError(container, error);
  }
  onLanguageChange(() => { fillFilters(); render(); });
  subscribe("subscription { openTasksChanged { taskId kind status } }", {}, {
    onNext: async () => {
      const before = state.total;
      await refresh();
      if (state.total !== before) announce(t("home.count", { count: state.total }));
    },
    onReconnect: () => refresh(),
  });
  pageReady();
}

main();
