// Coordinator sign-up with an invitation code from an admin.

import { AUTH_PAYLOAD, handleAccountForm } from "./account-form.js";
import { request } from "./graphql.js";
import { currentLanguage } from "./i18n.js";
import { pageReady, setUpPage } from "./ui.js";

const REGISTER = `mutation RegisterCoordinator($input: RegisterCoordinatorInput!) {
  registerCoordinator(input: $input) {
    __typename
    ${AUTH_PAYLOAD}
    ... on Problem { message }
    ... on ValidationProblem { fields { field message } }
  }
}`;

async function register() {
  const input = {
    inviteCode: document.getElementById("invite-code").value.trim(), email: document.getElementById("email").value.trim(),
    password: document.getElementById("password").value, locale: currentLanguage(),
  };
  return (await request(REGISTER, { input })).registerCoordinator;
}

async function main() {
  await setUpPage();
  const code = new URLSearchParams(window.location.search).get("code");
  if (code) document.getElementById("invite-code").value = code;
  handleAccountForm(document.getElementById("coordinator-signup"), {
    send: register, nextPage: () => "coordinator.html", fieldIds: { inviteCode: "invite-code" },
  });
  pageReady();
}

main();
