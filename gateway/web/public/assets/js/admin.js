// Admin page: organizations and coordinator invitations, committees and their leads, skills,
// areas, accounts and roles, erasure on request.

import { loadCommittees, setUpCommittees } from "./admin-committees.js";
import { request } from "./graphql.js";
import { formatDateTime, onLanguageChange, skillName, t } from "./i18n.js";
import { requireRole } from "./session.js";
import { busy, clearProblems, el, notice, pageReady, problemMessage, setUpPage, showError, showProblem } from "./ui.js";

const ROLES = ["VOLUNTEER", "COORDINATOR", "ADMIN"];
const USER_FIELDS = "id email role active organizationId memberId createdAt";
const state = { organizations: [], users: [], cursor: null, more: false };

async function run(form, mutation, variables, fieldIds = {}) {
  clearProblems(form);
  const button = form.querySelector("button[type='submit']");
  busy(button, true);
  try {
    const data = await request(mutation, variables);
    const result = Object.values(data)[0];
    if (result.__typename in { ValidationProblem: 1, StateConflict: 1, NotFound: 1, NotAllowed: 1, Unavailable: 1 }) {
      showProblem(form, result, fieldIds);
      return null;
    }
    form.reset();
    return result;
  } catch (error) {
    showError(form, error);
    return null;
  } finally {
    busy(button, false);
  }
}

const PROBLEM = "... on Problem { message } ... on ValidationProblem { fields { field message } }";

async function loadCatalogue() {
  const data = await request("{ organizations { id name } skills { slug name } areas { slug name city } }");
  state.organizations = data.organizations;
  document.getElementById("organizations").replaceChildren(...data.organizations.map(organizationCard));
  document.getElementById("skills").replaceChildren(...data.skills.map((s) => el("li", {}, `${skillName(s.slug, s.name)} (${s.slug})`)));
  document.getElementById("areas").replaceChildren(...data.areas.map((a) => el("li", {}, `${a.name}, ${a.city} (${a.slug})`)));
}

function organizationCard(organization) {
  const output = el("div", { "aria-live": "polite" });
  const button = el("button", { type: "button", class: "secondary", "aria-label": `${t("admin.invite")}: ${organization.name}` },
    t("admin.invite"));
  button.addEventListener("click", async () => {
    busy(button, true);
    try {
      const result = (await request(`mutation($o: ID!) { createCoordinatorInvite(organizationId: $o) {
        __typename ... on CoordinatorInvite { code expiresAt } ... on Problem { message } } }`, { o: organization.id }))
        .createCoordinatorInvite;
      output.replaceChildren(result.__typename === "CoordinatorInvite"
        ? el("p", {}, t("admin.invite_code", { expires: formatDateTime(result.expiresAt) }), " ",
          el("code", { class: "invite-code" }, result.code))
        : el("p", { class: "problem" }, problemMessage(result)));
    } catch (error) {
      showError(output, error);
    } finally {
      busy(button, false);
    }
  });
  return el("li", {}, el("h3", {}, organization.name), button, output);
}

function roleControls(user) {
  const roleSelect = el("select", { id: `role-${user.id}` }, ...ROLES.map((role) =>
    el("option", { value: role, selected: role === user.role }, t(`role.${role}`))));
  const orgSelect = el("select", { id: `org-${user.id}` }, el("option", { value: "" }, t("admin.no_organization")),
    ...state.organizations.map((o) => el("option", { value: o.id, selected: o.id === user.organizationId }, o.name)));
  return el("div", {},
    el("label", { for: roleSelect.id, class: "visually-hidden" }, t("admin.role_of", { email: user.email })), roleSelect,
    el("label", { for: orgSelect.id, class: "visually-hidden" }, t("admin.organization_of", { email: user.email })), orgSelect);
}

function userRow(user) {
  const cell = el("td", {});
  const act = (label, handler, style = "secondary") => {
    const button = el("button", { type: "button", class: style, "aria-label": `${label}: ${user.email}` }, label);
    button.addEventListener("click", () => handler(button, cell));
    return button;
  };
  cell.append(el("div", { class: "actions" },
    act(t("admin.apply_role"), (b, c) => userMutation(b, c, `mutation($u: ID!, $r: Role!, $o: ID) {
      setUserRole(userId: $u, role: $r, organizationId: $o) { __typename ... on UserAccount { ${USER_FIELDS} } ${PROBLEM} } }`,
    { u: user.id, r: document.getElementById(`role-${user.id}`).value, o: document.getElementById(`org-${user.id}`).value || null })),
    act(t(user.active ? "admin.disable" : "admin.enable"), (b, c) => userMutation(b, c, `mutation($u: ID!, $a: Boolean!) {
      setUserActive(userId: $u, active: $a) { __typename ... on UserAccount { ${USER_FIELDS} } ${PROBLEM} } }`,
    { u: user.id, a: !user.active })),
    act(t("admin.erase"), (b, c) => eraseUser(user, b, c), "danger")));
  return el("tr", {}, el("td", {}, user.email), el("td", {}, roleControls(user)),
    el("td", {}, t(user.active ? "admin.active" : "admin.disabled")), cell);
}

// One change to an account from its row or the erasure form: the list is redrawn, or the problem
// shown next to the button. Resolves to whether the change was made.
async function changeUser(button, cell, mutation, variables, apply) {
  busy(button, true);
  try {
    const result = Object.values(await request(mutation, variables))[0];
    if (result.__typename === "UserAccount" || result.__typename === "Erasure") {
      apply(result);
      renderUsers();
      return true;
    }
    notice(cell, problemMessage(result));
  } catch (error) {
    showError(cell, error);
  } finally {
    busy(button, false);
  }
  return false;
}

function userMutation(button, cell, mutation, variables) {
  return changeUser(button, cell, mutation, variables,
    (changed) => { state.users = state.users.map((u) => (u.id === changed.id ? changed : u)); });
}

async function eraseUser(user, button, cell) {
  if (!window.confirm(t("admin.confirm_erase", { email: user.email }))) return false;
  // Erasure answers with no ValidationProblem, so only the Problem interface may be asked for.
  return changeUser(button, cell, `mutation($u: ID!) { eraseUser(userId: $u) { __typename ... on Problem { message } } }`, { u: user.id },
    () => { state.users = state.users.filter((u) => u.id !== user.id); });
}

function renderUsers() {
  document.getElementById("users").replaceChildren(...state.users.map(userRow));
  document.getElementById("more-users").hidden = !state.more;
}

async function loadUsers(append = false) {
  const data = await request(`query($after: String) { users(first: 50, after: $after) {
    nodes { ${USER_FIELDS} } pageInfo { hasNextPage endCursor } } }`, { after: append ? state.cursor : null });
  state.users = append ? state.users.concat(data.users.nodes) : data.users.nodes;
  state.cursor = data.users.pageInfo.endCursor;
  state.more = data.users.pageInfo.hasNextPage;
  renderUsers();
}

async function findForErasure(event) {
  event.preventDefault();
  const holder = document.getElementById("erasure-result");
  const data = await request(`query($e: String!) { userByEmail(email: $e) { ${USER_FIELDS} } }`,
    { e: document.getElementById("erasure-email").value.trim() });
  const user = data.userByEmail;
  if (!user) {
    holder.replaceChildren(el("p", { class: "notice", role: "status" }, t("admin.no_account")));
    return;
  }
  const cell = el("div", {});
  const button = el("button", { type: "button", class: "danger" }, t("admin.erase_person"));
  button.addEventListener("click", async () => {
    if (await eraseUser(user, button, cell)) holder.replaceChildren(el("p", { class: "notice", role: "status" }, t("admin.erased")));
  });
  holder.replaceChildren(el("p", {}, t("admin.found", { email: user.email, role: t(`role.${user.role}`) })), button, cell);
}

// The catalogue forms: each input field of the mutation, with the id of the box it is typed in.
const CATALOGUE_FORMS = {
  "org-form": {
    mutation: `mutation($i: OrganizationInput!) { createOrganization(input: $i) { __typename ... on Organization { id } ${PROBLEM} } }`,
    fields: { name: "org-name", description: "org-description" },
  },
  "skill-form": {
    mutation: `mutation($i: SkillInput!) { createSkill(input: $i) { __typename ... on Skill { slug } ${PROBLEM} } }`,
    fields: { slug: "skill-slug", name: "skill-name", description: "skill-description" },
  },
  "area-form": {
    mutation: `mutation($i: AreaInput!) { createArea(input: $i) { __typename ... on Area { slug } ${PROBLEM} } }`,
    fields: { slug: "area-slug", name: "area-name", city: "area-city" },
  },
};

async function addToCatalogue(event, { mutation, fields }) {
  event.preventDefault();
  const input = Object.fromEntries(Object.entries(fields).map(([name, id]) => [name, document.getElementById(id).value.trim()]));
  const result = await run(event.target, mutation, { i: input }, fields);
  if (result) { notice(event.target, t("admin.added")); await loadCatalogue(); }
}

function setUpForms() {
  for (const [id, form] of Object.entries(CATALOGUE_FORMS)) {
    document.getElementById(id).addEventListener("submit", (event) => addToCatalogue(event, form));
  }
  const erasure = document.getElementById("erasure-form");
  erasure.addEventListener("submit", (event) => findForErasure(event).catch((e) => showError(erasure, e)));
  document.getElementById("more-users").addEventListener("click", () => loadUsers(true));
}

async function main() {
  if (!requireRole("ADMIN")) return;
  await setUpPage();
  setUpForms();
  setUpCommittees(() => state.organizations);
  try {
    await loadCatalogue();
    await loadUsers();
    await loadCommittees();
  } catch (error) {
    showError(document.getElementById("main"), error);
  }
  onLanguageChange(() => { loadCatalogue(); renderUsers(); loadCommittees().catch(() => {}); });
  pageReady();
}

main();
