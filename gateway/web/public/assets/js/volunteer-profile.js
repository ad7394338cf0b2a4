// The volunteer's own data: edit the profile, pause or resume offers, see the audit log,
// erase everything.

import { request } from "./graphql.js";
import { formatDateTime, onLanguageChange, t } from "./i18n.js";
import { PROFILE_FIELD_IDS, availabilityFieldIds, fillProfile, readProfile, renderProfileFields } from "./profile-form.js";
import { busy, clearProblems, el, notice, showError, showProblem } from "./ui.js";

const PROFILE_FIELDS = `fragment ProfileFields on MemberProfile {
  id displayName pronouns status area remoteOk maxTasksPerMonth
  skills { skill level } languages { code fluency } weeklyAvailability { weekday start end }
  contactChannels { channel consent }
}`;
const LOAD = `query Profile { me { member { ...ProfileFields } } myContact { email phone signal } } ${PROFILE_FIELDS}`;
const UPDATE = `mutation Update($input: ProfileUpdateInput!) {
  updateProfile(input: $input) {
    __typename ... on MemberProfile { ...ProfileFields } ... on Problem { message }
    ... on ValidationProblem { fields { field message } }
  }
} ${PROFILE_FIELDS}`;

let skills = [];

function consent(member, channel) {
  const found = member.contactChannels.find((c) => c.channel === channel);
  return Boolean(found && found.consent);
}

async function loadProfile() {
  const holder = document.getElementById("profile-fields");
  ({ skills } = await renderProfileFields(holder));
  const { me, myContact } = await request(LOAD);
  const member = me.member;
  document.getElementById("display-name").value = member.displayName;
  document.getElementById("pronouns").value = member.pronouns || "";
  document.getElementById("contact-email").value = myContact.email || "";
  document.getElementById("phone").value = myContact.phone || "";
  document.getElementById("share-email").checked = consent(member, "email");
  document.getElementById("share-phone").checked = consent(member, "phone");
  fillProfile(member);
}

function contacts() {
  const value = (id) => document.getElementById(id).value.trim();
  const result = {};
  if (value("contact-email")) result.email = { value: value("contact-email"), consent: document.getElementById("share-email").checked };
  if (value("phone")) result.phone = { value: value("phone"), consent: document.getElementById("share-phone").checked };
  return result;
}

async function saveProfile(event, state, renderPause) {
  event.preventDefault();
  const form = event.target;
  const button = document.getElementById("save-profile");
  clearProblems(form);
  busy(button, true);
  const input = {
    displayName: document.getElementById("display-name").value.trim(),
    pronouns: document.getElementById("pronouns").value.trim() || null, contacts: contacts(), ...readProfile(skills),
  };
  try {
    const result = (await request(UPDATE, { input })).updateProfile;
    if (result.__typename === "MemberProfile") {
      state.member = result;
      renderPause();
      notice(form, t("volunteer.saved"));
    } else {
      showProblem(form, result, { ...PROFILE_FIELD_IDS, ...availabilityFieldIds(input) });
    }
  } catch (error) {
    showError(form, error);
  } finally {
    busy(button, false);
  }
}

async function togglePause(state, renderPause) {
  const button = document.getElementById("pause-toggle");
  const name = state.member.status === "PAUSED" ? "resumeMe" : "pauseMe";
  busy(button, true);
  try {
    const result = (await request(`mutation { ${name} { __typename ... on MemberProfile { id displayName pronouns status }
      ... on Problem { message } } }`))[name];
    if (result.__typename === "MemberProfile") state.member = result;
    renderPause();
  } catch (error) {
    showError(button.parentElement, error);
  } finally {
    busy(button, false);
  }
}

async function loadAudit() {
  const { myAuditLog } = await request("{ myAuditLog(first: 50) { occurredAt actorRole action purpose } }");
  document.getElementById("audit-list").replaceChildren(...myAuditLog.map((entry) => el("li", {},
    t("audit.entry", {
      when: formatDateTime(entry.occurredAt), who: t(`audit.role.${entry.actorRole}`, {}, entry.actorRole),
      what: t(`audit.action.${entry.action}`, {}, entry.action),
    }))));
}

async function erase(event) {
  event.preventDefault();
  const form = event.target;
  const button = document.getElementById("erase-submit");
  clearProblems(form);
  busy(button, true);
  try {
    const result = (await request(`mutation($p: String!) { eraseMe(password: $p) { __typename
      ... on Problem { message } } }`, { p: document.getElementById("erase-password").value })).eraseMe;
    if (result.__typename === "Erasure") {
      sessionStorage.clear();
      window.location.assign("index.html?erased=1");
      return;
    }
    // There is no email to get wrong here: the log-in wording ("the email or the password") would puzzle.
    const summary = result.__typename === "LoginFailed" ? t("volunteer.erase_wrong_password") : undefined;
    showProblem(form, result, {}, summary);
    if (summary) document.getElementById("erase-password").setAttribute("aria-invalid", "true");
  } catch (error) {
    showError(form, error);
  } finally {
    busy(button, false);
  }
}

export function setUpProfile(state, renderPause) {
  const details = document.getElementById("edit-profile");
  details.addEventListener("toggle", () => {
    if (details.open && !skills.length) loadProfile().catch((error) => showError(details, error));
  });
  onLanguageChange(() => { if (skills.length) renderProfileFields(document.getElementById("profile-fields")); });
  document.getElementById("profile").addEventListener("submit", (event) => saveProfile(event, state, renderPause));
  document.getElementById("pause-toggle").addEventListener("click", () => togglePause(state, renderPause));
  const audit = document.getElementById("audit");
  audit.addEventListener("toggle", () => { if (audit.open) loadAudit().catch((error) => showError(audit, error)); });
  document.getElementById("erase").addEventListener("submit", erase);
}
