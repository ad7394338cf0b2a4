// The admin page's committees: create one for an organization or the whole coalition, name and
// remove its leads (coordinator accounts).

import { request } from "./graphql.js";
import { t } from "./i18n.js";
import { fillSelect } from "./tasks.js";
import { busy, clearProblems, el, notice, problemMessage, showError, showProblem } from "./ui.js";

const PROBLEM = "__typename ... on Problem { message } ... on ValidationProblem { fields { field message } }";
const CREATE = `mutation($i: CommitteeInput!) { createCommittee(input: $i) { ${PROBLEM} ... on Committee { id } } }`;
const ADD_LEAD = `mutation($c: ID!, $u: ID!) { addCommitteeLead(committeeId: $c, userId: $u) { ${PROBLEM} ... on CommitteeLead { leadId } } }`;
const REMOVE_LEAD = `mutation($c: ID!, $u: ID!) { removeCommitteeLead(committeeId: $c, userId: $u) { __typename ... on Problem { message } } }`;

// The organizations the rest of the admin page has loaded.
let organizations = () => [];

async function change(button, holder, mutation, variables) {
  busy(button, true);
  try {
    const result = typeof mutation === "function" ? await mutation() : Object.values(await request(mutation, variables))[0];
    if (result.__typename === "CommitteeLead" || result.__typename === "Done") return loadCommittees();
    notice(holder, problemMessage(result));
  } catch (error) {
    showError(holder, error);
  } finally {
    busy(button, false);
  }
  return null;
}

function leadItem(committee, lead, holder) {
  const leadId = lead.leadId;
  const name = lead.account ? lead.account.email : leadId;
  const button = el("button", { type: "button", class: "secondary", "aria-label": `${t("admin.remove_lead")}: ${name}, ${committee.name}` },
    t("admin.remove_lead"));
  button.addEventListener("click", () => change(button, holder, REMOVE_LEAD, { c: committee.id, u: leadId }));
  return el("li", {}, `${name} `, button);
}

// A lead is named by the email of their coordinator account.
async function nameLead(committee, email) {
  const found = (await request("query($e: String!) { userByEmail(email: $e) { id } }", { e: email })).userByEmail;
  if (!found) return { __typename: "NotFound", message: t("admin.no_account") };
  return (await request(ADD_LEAD, { c: committee.id, u: found.id })).addCommitteeLead;
}

function leadChooser(committee, holder) {
  const input = el("input", { type: "email", id: `lead-${committee.id}` });
  const button = el("button", { type: "button", class: "secondary" }, t("admin.name_lead"));
  button.addEventListener("click", () => change(button, holder, () => nameLead(committee, input.value.trim())));
  return el("div", { class: "field" },
    el("label", { for: input.id }, t("admin.lead_to_name", { name: committee.name })), input, button);
}

function committeeCard(committee, leads) {
  const holder = el("div", { "aria-live": "polite" });
  const organization = organizations().find((o) => o.id === committee.organizationId);
  return el("li", {}, el("h3", {}, committee.name),
    el("p", { class: "meta" }, `${t("admin.committee_of")}: ${organization ? organization.name : t("admin.whole_coalition")}`),
    el("p", { class: "meta" }, t("admin.leads")),
    leads.length ? el("ul", { class: "reasons" }, ...leads.map((lead) => leadItem(committee, lead, holder)))
      : el("p", { class: "meta" }, t("admin.no_leads")),
    leadChooser(committee, holder), holder);
}

export async function loadCommittees() {
  fillSelect(document.getElementById("committee-organization"), organizations().map((o) => [o.id, o.name]));
  const { committees } = await request("{ committees { id name organizationId } }");
  const leads = await Promise.all(committees.map((c) =>
    request("query($c: ID!) { committeeLeads(committeeId: $c) { leadId account { email } } }", { c: c.id }).then((d) => d.committeeLeads)));
  document.getElementById("committees").replaceChildren(...committees.map((c, i) => committeeCard(c, leads[i])));
  document.getElementById("committees-empty").hidden = committees.length > 0;
}

async function create(event) {
  event.preventDefault();
  const form = event.target;
  const button = form.querySelector("button[type='submit']");
  const value = (id) => document.getElementById(id).value.trim();
  clearProblems(form);
  busy(button, true);
  try {
    const input = { name: value("committee-name"), description: value("committee-description"),
      organizationId: value("committee-organization") || null };
    const result = (await request(CREATE, { i: input })).createCommittee;
    if (result.__typename !== "Committee") {
      showProblem(form, result, { name: "committee-name", description: "committee-description", organizationId: "committee-organization" });
      return;
    }
    form.reset();
    notice(form, t("admin.added"));
    await loadCommittees();
  } catch (error) {
    showError(form, error);
  } finally {
    busy(button, false);
  }
}

export function setUpCommittees(knownOrganizations) {
  organizations = knownOrganizations;
  document.getElementById("committee-form").addEventListener("submit", create);
}
