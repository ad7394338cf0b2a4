// Home page: the open tasks anyone may see, filtered, and kept current as tasks open and fill.

import { request, subscribe } from "./graphql.js";
import { onLanguageChange, t } from "./i18n.js";
import { PUBLIC_TASK_FIELDS, areaOptions, fillSelect, languageOptions, loadTaxonomy, skillOptions, taskCard } from "./tasks.js";
import { announce, el, pageReady, setUpPage, showError } from "./ui.js";

const PAGE_SIZE = 20;
const QUERY = `query OpenTasks($filter: OpenTaskFilter, $first: Int!, $after: String) {
  openTasks(filter: $filter, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor } nodes { ...PublicTaskFields }
  }
} ${PUBLIC_TASK_FIELDS}`;

const state = { tasks: [], total: 0, cursor: null, hasMore: false };

function filter() {
  const value = (id) => document.getElementById(id).value || null;
  const skill = value("filter-skill");
  return {
    skills: skill ? [skill] : null, area: value("filter-area"), language: value("filter-language"),
    remote: document.getElementById("filter-remote").checked ? true : null,
  };
}

async function load(append = false) {
  const data = await request(QUERY, { filter: filter(), first: PAGE_SIZE, after: append ? state.cursor : null });
  const page = data.openTasks;
  state.tasks = append ? state.tasks.concat(page.nodes) : page.nodes;
  state.total = page.totalCount;
  state.cursor = page.pageInfo.endCursor;
  state.hasMore = page.pageInfo.hasNextPage;
  render();
}

function render() {
  const list = document.getElementById("tasks");
  list.replaceChildren(...state.tasks.map((task) => taskCard(task, [
    el("p", {}, el("a", { href: `signup.html?task=${encodeURIComponent(task.id)}` }, t("home.offer_help"))),
  ])));
  document.getElementById("tasks-status").textContent = state.total
    ? t("home.count", { count: state.total }) : t("home.none");
  document.getElementById("more").hidden = !state.hasMore;
}

async function fillFilters() {
  const { skills, areas } = await loadTaxonomy();
  fillSelect(document.getElementById("filter-skill"), skillOptions(skills));
  fillSelect(document.getElementById("filter-area"), areaOptions(areas));
  fillSelect(document.getElementById("filter-language"), languageOptions());
}

async function main() {
  await setUpPage();
  const container = document.getElementById("main");
  try {
    await fillFilters();
    await load();
  } catch (error) {
    showError(container, error);
  }
  document.getElementById("filters").addEventListener("change", () => load().catch((e) => showError(container, e)));
  document.getElementById("more").addEventListener("click", () => load(true).catch((e) => showError(container, e)));
  onLanguageChange(() => { fillFilters(); render(); });
  subscribe("subscription { openTasksChanged { taskId kind status } }", {}, {
    onNext: async () => {
      const before = state.total;
      await load();
      if (state.total !== before) announce(t("home.count", { count: state.total }));
    },
    onReconnect: () => load(),
  });
  pageReady();
}

main();
