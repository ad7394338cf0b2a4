// Volunteer sign-up: one mutation creates the profile and the login, then the offers page opens.

import { request } from "./graphql.js";
import { currentLanguage, onLanguageChange } from "./i18n.js";
import { PROFILE_FIELD_IDS, readProfile, renderProfileFields } from "./profile-form.js";
import { saveSession } from "./session.js";
import { busy, clearProblems, pageReady, setUpPage, showError, showProblem } from "./ui.js";

const REGISTER = `mutation Register($input: RegisterMemberInput!) {
  registerMember(input: $input) {
    __typename
    ... on AuthPayload { token expiresAt viewer { role locale } }
    ... on Problem { message }
    ... on ValidationProblem { fields { field message } }
  }
}`;

function contacts() {
  const value = (id) => document.getElementById(id).value.trim();
  const result = { email: { value: value("email"), consent: document.getElementById("share-email").checked } };
  if (value("phone")) result.phone = { value: value("phone"), consent: document.getElementById("share-phone").checked };
  return result;
}

async function submit(event, skills) {
  event.preventDefault();
  const form = event.target;
  const button = document.getElementById("submit");
  clearProblems(form);
  busy(button, true);
  const value = (id) => document.getElementById(id).value.trim();
  const input = {
    email: value("email"), password: document.getElementById("password").value, displayName: value("display-name"),
    pronouns: value("pronouns") || null, contacts: contacts(), locale: currentLanguage(), ...readProfile(skills),
  };
  try {
    const result = (await request(REGISTER, { input })).registerMember;
    if (result.__typename === "AuthPayload") {
      saveSession(result);
      window.location.assign("volunteer.html");
      return;
    }
    showProblem(form, result, { ...PROFILE_FIELD_IDS, "contacts.email.value": "email" });
  } catch (error) {
    showError(form, error);
  } finally {
    busy(button, false);
  }
}

async function main() {
  await setUpPage();
  const holder = document.getElementById("profile-fields");
  const { skills } = await renderProfileFields(holder);
  onLanguageChange(() => renderProfileFields(holder));
  document.getElementById("signup").addEventListener("submit", (event) => submit(event, skills));
  pageReady();
}

main();
