// Volunteer sign-up: one mutation creates the profile and the login, then the offers page opens
// (with the task the visitor came for first, when a "Sign up to help" link named one).

import { AUTH_PAYLOAD, handleAccountForm } from "./account-form.js";
import { rememberAskedTask } from "./asked-task.js";
import { request } from "./graphql.js";
import { currentLanguage, onLanguageChange } from "./i18n.js";
import { PROFILE_FIELD_IDS, availabilityFieldIds, readProfile, renderProfileFields } from "./profile-form.js";
import { pageReady, setUpPage } from "./ui.js";

const REGISTER = `mutation Register($input: RegisterMemberInput!) {
  registerMember(input: $input) {
    __typename
    ${AUTH_PAYLOAD}
    ... on Problem { message }
    ... on ValidationProblem { fields { field message } }
  }
}`;

const value = (id) => document.getElementById(id).value.trim();

function contacts() {
  const result = { email: { value: value("email"), consent: document.getElementById("share-email").checked } };
  if (value("phone")) result.phone = { value: value("phone"), consent: document.getElementById("share-phone").checked };
  return result;
}

async function register(skills) {
  const input = {
    email: value("email"), password: document.getElementById("password").value, displayName: value("display-name"),
    pronouns: value("pronouns") || null, contacts: contacts(), locale: currentLanguage(), ...readProfile(skills),
  };
  return (await request(REGISTER, { input })).registerMember;
}

async function main() {
  rememberAskedTask();
  await setUpPage();
  const holder = document.getElementById("profile-fields");
  const { skills } = await renderProfileFields(holder);
  onLanguageChange(() => renderProfileFields(holder));
  handleAccountForm(document.getElementById("signup"), {
    send: () => register(skills), nextPage: () => "volunteer.html",
    fieldIds: () => ({ ...PROFILE_FIELD_IDS, "contacts.email.value": "email", ...availabilityFieldIds(readProfile(skills)) }),
  });
  pageReady();
}

main();
