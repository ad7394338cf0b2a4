// Coordinator sign-up with an invitation code from an admin.

import { request } from "./graphql.js";
import { currentLanguage } from "./i18n.js";
import { saveSession } from "./session.js";
import { busy, clearProblems, pageReady, setUpPage, showError, showProblem } from "./ui.js";

const REGISTER = `mutation RegisterCoordinator($input: RegisterCoordinatorInput!) {
  registerCoordinator(input: $input) {
    __typename
    ... on AuthPayload { token expiresAt viewer { role locale } }
    ... on Problem { message }
    ... on ValidationProblem { fields { field message } }
  }
}`;

async function submit(event) {
  event.preventDefault();
  const form = event.target;
  const button = document.getElementById("submit");
  clearProblems(form);
  busy(button, true);
  const input = {
    inviteCode: document.getElementById("invite-code").value.trim(), email: document.getElementById("email").value.trim(),
    password: document.getElementById("password").value, locale: currentLanguage(),
  };
  try {
    const result = (await request(REGISTER, { input })).registerCoordinator;
    if (result.__typename === "AuthPayload") {
      saveSession(result);
      window.location.assign("coordinator.html");
      return;
    }
    showProblem(form, result, { inviteCode: "invite-code" });
  } catch (error) {
    showError(form, error);
  } finally {
    busy(button, false);
  }
}

async function main() {
  await setUpPage();
  const code = new URLSearchParams(window.location.search).get("code");
  if (code) document.getElementById("invite-code").value = code;
  document.getElementById("coordinator-signup").addEventListener("submit", submit);
  pageReady();
}

main();
